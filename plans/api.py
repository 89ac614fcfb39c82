"""Thin DRF views over plans' services and selectors."""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.mfa import second_factor_ensure
from accounts.models import User
from audit.models import Event
from audit.serializers import EventSerializer
from config.api import id_parameter
from config.errors import InvalidTransition
from plans import access, permissions, selectors, services
from plans.filters import BudgetFilter, PlanFilter, ReviewFilter
from plans.models import Budget, Plan, PlanLine, PlanReview, PlanStatus
from plans.serializers import (
    AgreeSerializer,
    BudgetSerializer,
    LineSerializer,
    NoteSerializer,
    PlanCreateSerializer,
    PlanReviewCreateSerializer,
    PlanReviewSerializer,
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


def _plan_for(request: Request, plan_id: int, *, read: str | None = "plan") -> Plan:
    """The plan if this person may see it (its reading noted in the access log); 404 otherwise, whoever they are."""
    plan = get_object_or_404(selectors.plans_visible_to(_user(request)), pk=plan_id)
    if read and request.method == "GET":
        access.plan_read(_user(request), plan, record=read)
    return plan


def _fresh(plan_id: int) -> Plan:
    return selectors.plans_with_details().get(pk=plan_id)


@extend_schema(tags=["budgets"])
@extend_schema_view(get=extend_schema(parameters=[id_parameter("client", "Only this client's budgets")]))
class BudgetListCreate(generics.ListCreateAPIView):
    """Personal budgets: clients see theirs, brokers their active clients', reviewers all. Reviewers record them."""

    serializer_class = BudgetSerializer
    filterset_class = BudgetFilter

    def get_queryset(self) -> QuerySet[Budget]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built without a person
            return Budget.objects.none()
        if not permissions.may_list_budgets(_user(self.request)):
            raise PermissionDenied("Only clients, their brokers and KMPT reviewers see personal budgets.")
        return selectors.budgets_visible_to(_user(self.request))

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        access.budgets_read(_user(self.request), page or [])
        return page

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not permissions.may_record_budget(_user(request)):
            raise PermissionDenied("Only KMPT reviewers record personal budgets.")
        second_factor_ensure(_user(request))  # the contract's order: 403 before 400 (the service checks it again)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        budget = services.budget_record(by=_user(request), **serializer.validated_data)
        return Response(BudgetSerializer(budget).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["plans"])
class PlanListCreate(generics.ListCreateAPIView):
    """Plans you can see; brokers start a draft for a client they are actively working with."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter

    def get_queryset(self) -> QuerySet[Plan]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built without a person
            return Plan.objects.none()
        return selectors.plans_visible_to(_user(self.request))

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        access.plans_read(_user(self.request), page or [])
        return page

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.create(request, *args, **kwargs)

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
@extend_schema_view(get=extend_schema(operation_id="plans_lines_list"))
class PlanLineList(generics.ListAPIView):
    """The plan's lines, paginated as every list is (the plan itself carries them all too)."""

    serializer_class = LineSerializer

    def get_queryset(self) -> QuerySet[PlanLine]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built without a person
            return PlanLine.objects.none()
        return _plan_for(self.request, self.kwargs["plan_id"]).lines.select_related("listing").order_by("id")

    @extend_schema(responses={201: LineSerializer})
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
    """POST /plans/{id}/<action>: one service call, answering with the plan. The person is checked before the
    input (the contract's order: 404, 403, 400, 409); the service checks everything again."""

    action_name = ""
    answer_status: int = status.HTTP_200_OK
    input_serializer: type | None = None

    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        raise NotImplementedError

    @extend_schema(responses=PlanSerializer)
    def post(self, request: Request, plan_id: int) -> Response:
        plan = _plan_for(request, plan_id)
        if self.action_name:
            permissions.plan_require(_user(request), plan, self.action_name, state=False)
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
class PlanShare(PlanAction):
    """The broker shares the plan as it is now with the client (it must pass the check)."""

    throttle_scopes = {"POST": "email"}
    action_name = "share"

    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_share(plan=plan, by=_user(request))


@extend_schema(tags=["plans"], request=AgreeSerializer)
class PlanAgree(PlanAction):
    """The client agrees to the version that was shared, naming its digest."""

    input_serializer = AgreeSerializer
    action_name = "agree"

    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_agree(plan=plan, by=_user(request), digest=data["digest"])


@extend_schema(tags=["plans"], request=None)
class PlanSubmit(PlanAction):
    """Freeze the current version and hand it to KMPT: 202 with the plan as it left it (`submitted`)."""

    answer_status = status.HTTP_202_ACCEPTED

    @extend_schema(responses={202: PlanSerializer})
    def post(self, request: Request, plan_id: int) -> Response:
        return super().post(request, plan_id)

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
        return selectors.plan_versions_visible(_plan_for(self.request, self.kwargs["plan_id"], read=None))

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page:
            access.versions_read(_user(self.request), page[0].plan, page)
        return page


@extend_schema(tags=["plans"])
class PlanVersionDetail(generics.RetrieveAPIView):
    serializer_class = VersionDetailSerializer

    def get_object(self):  # type: ignore[no-untyped-def]
        plan = _plan_for(self.request, self.kwargs["plan_id"], read=None)
        version = get_object_or_404(selectors.plan_versions_visible(plan), number=self.kwargs["number"])
        access.versions_read(_user(self.request), plan, [version])
        return version


@extend_schema(tags=["plans"], responses=EventSerializer(many=True))
class PlanEventList(generics.ListAPIView):
    """The plan's audit trail: every change, through the services or (from the database history) round them."""

    serializer_class = EventSerializer
    queryset = Event.objects.none()  # for the schema: the list itself is `selectors.plan_events`

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        events: Any = selectors.plan_events(_plan_for(request, self.kwargs["plan_id"]))
        return self.get_paginated_response(self.paginate_queryset(events))


@extend_schema(tags=["reviews"])
class ReviewList(generics.ListAPIView):
    """KMPT's review queue, oldest submission first: `?mine=true`, `?unassigned=true`, `?overdue=true`."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter

    def get_queryset(self) -> QuerySet[Plan]:
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        if not permissions.is_reviewer(_user(self.request)):
            raise PermissionDenied("Only KMPT reviewers see the review queue.")
        return selectors.review_queue(_user(self.request))

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        access.plans_read(_user(self.request), page or [])
        return page


@extend_schema(tags=["reviews"], request=None)
class PlanClaim(PlanAction):
    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_claim(plan=plan, by=_user(request))


@extend_schema(tags=["reviews"], request=NoteSerializer)
class PlanApprove(PlanAction):
    input_serializer = NoteSerializer

    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_decide(plan=plan, by=_user(request), outcome="approved", note=data["note"])


@extend_schema(tags=["reviews"], request=ReasonsSerializer)
class PlanRequestChanges(PlanAction):
    input_serializer = ReasonsSerializer

    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_decide(plan=plan, by=_user(request), outcome="changes_requested", reasons=data["reasons"])


@extend_schema(tags=["reviews"], request=ReasonsSerializer)
class PlanDecline(PlanAction):
    input_serializer = ReasonsSerializer

    def perform(self, plan: Plan, request: Request, data: dict[str, Any]) -> None:
        services.plan_decide(plan=plan, by=_user(request), outcome="declined", reasons=data["reasons"])


@extend_schema(tags=["plans"], responses={(200, "application/pdf"): OpenApiTypes.BINARY})
class PlanPdf(APIView):
    """The plan as a PDF, only through the plan's permission check (never a public media URL)."""

    throttle_scopes = {"GET": "render"}

    def get(self, request: Request, plan_id: int) -> HttpResponse:
        plan = _plan_for(request, plan_id, read="pdf")
        response = HttpResponse(services.plan_pdf(plan=plan), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="support-plan-{plan.pk}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


# --- After approval: reviews and renewal (the lead's access log and representatives change what is above) ---------


@extend_schema(tags=["plans"])
class PlanReviewListCreate(generics.ListAPIView):
    """A plan's reviews, newest first, for everyone who may see the plan; KMPT reviewers record one of an approved
    plan (every assessed outcome must be there)."""

    serializer_class = PlanReviewSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built without a person
            return PlanReview.objects.none()
        plan = _plan_for(self.request, self.kwargs["plan_id"])
        if plan.status != PlanStatus.APPROVED:  # the contract: reviews belong to approved plans (409 otherwise)
            raise InvalidTransition("Reviews start once KMPT has approved the plan.")
        return selectors.plan_reviews(plan)

    @extend_schema(request=PlanReviewCreateSerializer, responses={201: PlanReviewSerializer})
    def post(self, request: Request, plan_id: int) -> Response:
        plan = _plan_for(request, plan_id)
        permissions.plan_require(_user(request), plan, "review", state=False)
        serializer = PlanReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_record(plan=plan, by=_user(request), **serializer.validated_data)
        return Response(PlanReviewSerializer(selectors.plan_reviews(plan).get(pk=review.pk)).data, status=201)


@extend_schema(tags=["plans"], request=None, responses={201: PlanSerializer})
class PlanRenew(APIView):
    """The broker starts next year's plan from an approved one: a new draft with `renews` set."""

    def post(self, request: Request, plan_id: int) -> Response:
        plan = _plan_for(request, plan_id)
        renewal = services.plan_renew(plan=plan, by=_user(request))
        return Response(PlanSerializer(_fresh(renewal.pk)).data, status=status.HTTP_201_CREATED)
