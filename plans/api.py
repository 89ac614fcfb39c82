"""Thin DRF views over plans' services and selectors."""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.mfa import MFARequiredForDecisions, ensure_mfa_for_decision
from accounts.models import User
from plans import permissions, selectors, services
from plans.models import Plan, PlanLine
from plans.serializers import (
    BudgetSerializer,
    EventSerializer,
    LineSerializer,
    NoteSerializer,
    PlanCreateSerializer,
    PlanSerializer,
    PlanUpdateSerializer,
    ReasonsSerializer,
    ReviewSerializer,
    VersionDetailSerializer,
    VersionSerializer,
)


def _user(request: Request) -> User:
    """Every view here needs a signed-in person (the default IsAuthenticated permission)."""
    return cast(User, request.user)


def _plan_for(request: Request, plan_id: int) -> Plan:
    """The plan if this person may see it; 404 otherwise, whoever they are."""
    return get_object_or_404(selectors.plans_visible_to(_user(request)), pk=plan_id)


def _fresh(plan_id: int) -> Plan:
    return selectors.plans_with_details().get(pk=plan_id)


@extend_schema(tags=["budgets"])
class BudgetListCreate(generics.ListCreateAPIView):
    """Personal budgets: clients see theirs, brokers their active clients', reviewers all. Reviewers record them."""

    serializer_class = BudgetSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built without a person
            return self.serializer_class.Meta.model.objects.none()
        if not permissions.may_list_budgets(_user(self.request)):
            raise PermissionDenied("Only clients, their brokers and KMPT reviewers see personal budgets.")
        budgets = selectors.budgets_visible_to(_user(self.request))
        client = self.request.query_params.get("client")
        if client and client.isdigit():
            budgets = budgets.filter(client_id=int(client))
        return budgets

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not permissions.may_record_budget(_user(request)):
            raise PermissionDenied("Only KMPT reviewers record personal budgets.")
        ensure_mfa_for_decision(_user(request))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        budget = services.budget_record(by=_user(request), **serializer.validated_data)
        return Response(BudgetSerializer(budget).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["plans"])
class PlanListCreate(generics.ListCreateAPIView):
    """Plans you can see; brokers start a draft for a client they are actively working with."""

    serializer_class = PlanSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built without a person
            return self.serializer_class.Meta.model.objects.none()
        plans = selectors.plans_visible_to(_user(self.request))
        wanted = self.request.query_params.get("status")
        if wanted:
            plans = plans.filter(status=wanted)
        return plans

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not permissions.may_create_plan(_user(request)):
            raise PermissionDenied("Only support brokers create plans.")
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_create(by=_user(request), **serializer.validated_data)
        return Response(PlanSerializer(_fresh(plan.pk)).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["plans"])
class PlanDetail(APIView):
    serializer_class = PlanSerializer

    def get(self, request: Request, plan_id: int) -> Response:
        return Response(PlanSerializer(_plan_for(request, plan_id)).data)

    @extend_schema(request=PlanUpdateSerializer, responses=PlanSerializer)
    def patch(self, request: Request, plan_id: int) -> Response:
        plan = _plan_for(request, plan_id)
        serializer = PlanUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.plan_update(plan=plan, by=_user(request), **serializer.validated_data)
        return Response(PlanSerializer(_fresh(plan.pk)).data)


@extend_schema(tags=["plans"])
class PlanLineList(APIView):
    serializer_class = LineSerializer

    @extend_schema(operation_id="plans_lines_list", responses=LineSerializer(many=True))
    def get(self, request: Request, plan_id: int) -> Response:
        plan = _plan_for(request, plan_id)
        return Response(LineSerializer(plan.lines.all(), many=True).data)

    def post(self, request: Request, plan_id: int) -> Response:
        plan = _plan_for(request, plan_id)
        serializer = LineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.line_add(plan=plan, by=_user(request), **serializer.validated_data)
        return Response(LineSerializer(line).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["plans"])
class PlanLineDetail(APIView):
    serializer_class = LineSerializer

    def _line(self, request: Request, plan_id: int, line_id: int) -> PlanLine:
        plan = _plan_for(request, plan_id)
        return get_object_or_404(PlanLine.objects.select_related("plan", "listing"), pk=line_id, plan=plan)

    def get(self, request: Request, plan_id: int, line_id: int) -> Response:
        return Response(LineSerializer(self._line(request, plan_id, line_id)).data)

    def patch(self, request: Request, plan_id: int, line_id: int) -> Response:
        line = self._line(request, plan_id, line_id)
        serializer = LineSerializer(line, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        line = services.line_update(line=line, by=_user(request), **serializer.validated_data)
        return Response(LineSerializer(line).data)

    def delete(self, request: Request, plan_id: int, line_id: int) -> Response:
        services.line_remove(line=self._line(request, plan_id, line_id), by=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["plans"])
class PlanCheck(APIView):
    """What is left of the budget and what KMPT would refuse, now."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, plan_id: int) -> Response:
        return Response(selectors.plan_run_check(_plan_for(request, plan_id)).as_dict())


class PlanAction(APIView):
    """POST /plans/{id}/<action>: one service call, answering with the plan."""

    action_name = ""
    answer_status: int = status.HTTP_200_OK
    input_serializer: type | None = None

    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        raise NotImplementedError

    @extend_schema(responses=PlanSerializer)
    def post(self, request: Request, plan_id: int) -> Response:
        plan = _plan_for(request, plan_id)
        data: dict[str, Any] = {}
        if self.input_serializer is not None:
            serializer = self.input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        # The answer shows the plan as this action left it: work scheduled after commit (the submission task,
        # which runs at once when tasks are eager) starts only once the answer is built.
        with transaction.atomic():
            self.perform(plan, request, data)
            answer = PlanSerializer(_fresh(plan.pk)).data
        return Response(answer, status=self.answer_status)


@extend_schema(tags=["plans"], request=None)
class PlanAgree(PlanAction):
    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_agree(plan=plan, by=_user(request))


@extend_schema(tags=["plans"], request=None)
class PlanSubmit(PlanAction):
    answer_status = status.HTTP_202_ACCEPTED

    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_submit(plan=plan, by=_user(request))


@extend_schema(tags=["plans"], request=None)
class PlanWithdraw(PlanAction):
    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_withdraw(plan=plan, by=_user(request))


@extend_schema(tags=["plans"])
class PlanVersionList(generics.ListAPIView):
    serializer_class = VersionSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built without a person
            return self.serializer_class.Meta.model.objects.none()
        return selectors.plan_versions_visible(_plan_for(self.request, self.kwargs["plan_id"]))


@extend_schema(tags=["plans"])
class PlanVersionDetail(generics.RetrieveAPIView):
    serializer_class = VersionDetailSerializer

    def get_object(self):  # type: ignore[no-untyped-def]
        versions = selectors.plan_versions_visible(_plan_for(self.request, self.kwargs["plan_id"]))
        return get_object_or_404(versions, number=self.kwargs["number"])


@extend_schema(tags=["plans"])
class PlanEventList(generics.ListAPIView):
    serializer_class = EventSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built without a person
            return self.serializer_class.Meta.model.objects.none()
        plan = _plan_for(self.request, self.kwargs["plan_id"])
        return plan.events.select_related("by").order_by("created_at", "id")


@extend_schema(tags=["reviews"])
class ReviewList(generics.ListAPIView):
    """KMPT's review queue, oldest submission first: `?mine=true`, `?unassigned=true`, `?overdue=true`."""

    serializer_class = ReviewSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        if not permissions.is_reviewer(_user(self.request)):
            raise PermissionDenied("Only KMPT reviewers see the review queue.")
        flags = {name: self.request.query_params.get(name, "").lower() in ("true", "1", "yes") for name in FLAGS}
        return selectors.review_queue(_user(self.request), **flags)


FLAGS = ("mine", "unassigned", "overdue")


@extend_schema(tags=["reviews"], request=None)
class PlanClaim(PlanAction):
    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_claim(plan=plan, by=_user(request))


@extend_schema(tags=["reviews"], request=NoteSerializer)
class PlanApprove(PlanAction):
    input_serializer = NoteSerializer
    permission_classes = [IsAuthenticated, MFARequiredForDecisions]

    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_decide(plan=plan, by=_user(request), outcome="approved", note=data["note"])


@extend_schema(tags=["reviews"], request=ReasonsSerializer)
class PlanRequestChanges(PlanAction):
    input_serializer = ReasonsSerializer
    permission_classes = [IsAuthenticated, MFARequiredForDecisions]

    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_decide(plan=plan, by=_user(request), outcome="changes_requested", reasons=data["reasons"])


@extend_schema(tags=["reviews"], request=ReasonsSerializer)
class PlanDecline(PlanAction):
    input_serializer = ReasonsSerializer
    permission_classes = [IsAuthenticated, MFARequiredForDecisions]

    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_decide(plan=plan, by=_user(request), outcome="declined", reasons=data["reasons"])


@extend_schema(tags=["plans"], responses={(200, "application/pdf"): OpenApiTypes.BINARY})
class PlanPdf(APIView):
    """The plan as a PDF, only through the plan's permission check (never a public media URL)."""

    def get(self, request: Request, plan_id: int) -> HttpResponse:
        plan = _plan_for(request, plan_id)
        response = HttpResponse(services.plan_pdf(plan=plan), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="support-plan-{plan.pk}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
