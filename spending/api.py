"""Thin DRF views over spending's services and selectors: statements, transactions, spending."""

from __future__ import annotations

from typing import cast

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from config.errors import InvalidTransition
from plans import access
from plans.models import Plan, PlanLine
from spending import permissions, selectors, services
from spending.models import Statement, StatementStatus, Transaction
from spending.parsing import MAX_BYTES
from spending.serializers import (
    SpendingSerializer,
    StatementSerializer,
    StatementUploadSerializer,
    TransactionMatchSerializer,
    TransactionSerializer,
)


def _user(request: Request) -> User:
    return cast(User, request.user)


def _plan_for(request: Request, plan_id: int) -> Plan:
    """The plan if this person may see it (its statements' reading noted in the access log); 404 otherwise."""
    plan = get_object_or_404(selectors.spending_plans_visible_to(_user(request)), pk=plan_id)
    if request.method == "GET":
        access.statements_read(_user(request), plan)
    return plan


def _started(plan: Plan) -> Plan:
    if not permissions.spending_started(plan):
        raise InvalidTransition("Statements and spending start once KMPT has approved the plan.")
    return plan


class _Schemaless:
    """The OpenAPI schema is built without a person."""

    def swagger_fake(self) -> bool:
        return bool(getattr(self, "swagger_fake_view", False))


@extend_schema(tags=["spending"])
class StatementList(_Schemaless, generics.ListAPIView):
    """The plan's imported statements; POST a CSV or OFX file (multipart, field `file`) to add one."""

    serializer_class = StatementSerializer
    parser_classes = [MultiPartParser, FormParser]
    throttle_scopes = {"POST": "render"}

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if self.swagger_fake():
            return Statement.objects.none()
        plan = _started(_plan_for(self.request, self.kwargs["plan_id"]))
        return selectors.statements_of(plan)

    @extend_schema(
        request={"multipart/form-data": StatementUploadSerializer},
        responses={201: StatementSerializer, 202: StatementSerializer},
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = _plan_for(request, plan_id)
        if not permissions.may_upload_statement(_user(request), plan):
            raise PermissionDenied("Only the client, their broker or a KMPT reviewer can add statements.")
        serializer = StatementUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError({"file": [f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."]})
        statement = services.statement_upload(
            plan=plan, by=_user(request), file_name=upload.name or "", content=upload.read()
        )
        done = statement.status == StatementStatus.DONE
        return Response(
            StatementSerializer(statement).data, status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED
        )


@extend_schema(tags=["spending"])
class StatementDetail(generics.RetrieveAPIView):
    """One import, with its progress while a task is still importing it."""

    serializer_class = StatementSerializer

    def get_object(self) -> Statement:
        plan = _started(_plan_for(self.request, self.kwargs["plan_id"]))
        return get_object_or_404(selectors.statements_of(plan), pk=self.kwargs["statement_id"])


@extend_schema(tags=["spending"])
class TransactionList(_Schemaless, generics.ListAPIView):
    """The plan's payments, newest first: `?flagged=true`, `?unmatched=true`."""

    serializer_class = TransactionSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if self.swagger_fake():
            return Transaction.objects.none()
        plan = _started(_plan_for(self.request, self.kwargs["plan_id"]))
        wanted = {name: self.request.query_params.get(name, "").lower() in ("true", "1", "yes") for name in FILTERS}
        return selectors.transactions_of(plan, **wanted)


FILTERS = ("flagged", "unmatched")


@extend_schema(tags=["spending"])
class TransactionDetail(APIView):
    """One payment; PATCH `{"line": <id> | null}` matches it by hand (the client or their broker)."""

    serializer_class = TransactionSerializer

    def _transaction(self, request: Request, plan_id: int, transaction_id: int) -> tuple[Plan, Transaction]:
        plan = _plan_for(request, plan_id)
        return plan, get_object_or_404(selectors.transactions_of(plan), pk=transaction_id)

    def get(self, request: Request, plan_id: int, transaction_id: int) -> Response:
        plan, found = self._transaction(request, plan_id, transaction_id)
        _started(plan)
        return Response(TransactionSerializer(found).data)

    @extend_schema(request=TransactionMatchSerializer, responses=TransactionSerializer)
    def patch(self, request: Request, plan_id: int, transaction_id: int) -> Response:
        """404, then 403 (who may match), then 400 (the line), then 409 (the plan's state), as the contract orders."""
        plan, found = self._transaction(request, plan_id, transaction_id)
        if not permissions.may_match_by_hand(_user(request), plan):
            raise PermissionDenied("Only the client or their broker can match a payment to the plan.")
        serializer = TransactionMatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = _line_of(plan, serializer.validated_data["line"])
        matched = services.transaction_match(transaction=found, by=_user(request), line=line)
        return Response(TransactionSerializer(matched).data)


def _line_of(plan: Plan, line_id: int | None) -> PlanLine | None:
    if line_id is None:
        return None
    line = PlanLine.objects.filter(plan=plan, pk=line_id).first()
    if line is None:
        raise ValidationError({"line": ["Choose a line of this plan, or null for none."]})
    return line


@extend_schema(tags=["spending"])
class SpendingView(APIView):
    """Spent against planned for the plan's year so far: overall, per line, unmatched, and the flags."""

    @extend_schema(responses=SpendingSerializer)
    def get(self, request: Request, plan_id: int) -> Response:
        plan = _started(_plan_for(request, plan_id))
        return Response(selectors.plan_spending(plan).as_dict())
