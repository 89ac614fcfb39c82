"""Thin DRF views: the signed-in person, the people who act for a client, and the person's data rights."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import DataExport, ErasureRequest, Representative, Role, User
from accounts.serializers import MeSerializer
from accounts.serializers_privacy import (
    AccessLogSerializer,
    DecisionReasonSerializer,
    ErasureRequestSerializer,
    RepresentativeSerializer,
    RevokeSerializer,
)
from audit.models import AccessLog


def _user(request: Request) -> User:
    return cast(User, request.user)


@extend_schema(tags=["accounts"])
class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in person: who they are, their role, whether MFA is on. PATCH changes the name."""

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> User:
        return _user(self.request)


@extend_schema(tags=["representatives"])
class RepresentativeListCreate(generics.ListCreateAPIView):
    """People who act for a client: a client invites a helper; a KMPT reviewer records a legal authority."""

    serializer_class = RepresentativeSerializer
    throttle_scopes = {"POST": "email"}

    def get_queryset(self) -> QuerySet[Representative]:
        if getattr(self, "swagger_fake_view", False):
            return Representative.objects.none()
        return selectors.representatives_visible_to(_user(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        if user.role not in (Role.CLIENT, Role.REVIEWER) or user.is_staff:
            raise PermissionDenied("Clients invite the people who help them; KMPT reviewers record legal authorities.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if user.role == Role.REVIEWER:
            if "client" not in data:
                return Response({"client": ["Choose the client."]}, status=status.HTTP_400_BAD_REQUEST)
            rep = services.representative_record(
                by=user, client=data["client"], email=data["email"], name=data["name"],
                relationship=data["relationship"], reference=data["reference"], valid_from=data.get("valid_from"),
                valid_until=data.get("valid_until"),
            )  # fmt: skip
        else:
            rep = services.representative_invite(
                by=user, email=data["email"], name=data["name"], relationship=data["relationship"],
                scope=data.get("scope", []),
            )  # fmt: skip
        return Response(RepresentativeSerializer(rep).data, status=status.HTTP_201_CREATED)


class _RepresentativeAction(APIView):
    def _representative(self, request: Request, pk: int) -> Representative:
        return get_object_or_404(selectors.representatives_visible_to(_user(request)), pk=pk)


@extend_schema(tags=["representatives"], request=None, responses=RepresentativeSerializer)
class RepresentativeAccept(_RepresentativeAction):
    """The invited person, signed in with that address, accepts."""

    def post(self, request: Request, pk: int) -> Response:
        rep = services.representative_accept(representative=self._representative(request, pk), by=_user(request))
        return Response(RepresentativeSerializer(rep).data)


@extend_schema(tags=["representatives"], request=RevokeSerializer, responses=RepresentativeSerializer)
class RepresentativeRevoke(_RepresentativeAction):
    """The client or a KMPT reviewer ends it: access ends on the next request."""

    def post(self, request: Request, pk: int) -> Response:
        rep = self._representative(request, pk)
        if request.user.pk != rep.client_id and _user(request).role != Role.REVIEWER:
            raise PermissionDenied("Only the client or a KMPT reviewer revokes this.")
        payload = RevokeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rep = services.representative_revoke(representative=rep, by=_user(request), **payload.validated_data)
        return Response(RepresentativeSerializer(rep).data)


@extend_schema(tags=["privacy"])
class AccessLogList(generics.ListAPIView):
    """Every read of your records by someone else, newest first (your own reads are not listed)."""

    serializer_class = AccessLogSerializer

    def get_queryset(self) -> QuerySet[AccessLog]:
        if getattr(self, "swagger_fake_view", False):
            return AccessLog.objects.none()
        return AccessLog.objects.filter(person=_user(self.request)).select_related("who").order_by("-at", "-id")


def _export_answer(export: DataExport) -> Response:
    if export.status == "done":
        return Response(export.content)
    url = reverse("api-me-export-one", args=[export.pk])
    return Response({"status": "processing", "url": url}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["privacy"], responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
class ExportView(APIView):
    """A copy of everything held about you, as JSON; a large one is built by a task (202 with where to find it)."""

    throttle_scopes = {"GET": "render"}

    def get(self, request: Request) -> Response:
        waiting = DataExport.objects.filter(person=_user(request), status="processing").first()
        return _export_answer(waiting or services.export_request(by=_user(request)))


class ExportOne(APIView):
    @extend_schema(
        tags=["privacy"], operation_id="me_export_one", responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT}
    )
    def get(self, request: Request, pk: int) -> Response:
        return _export_answer(get_object_or_404(DataExport, pk=pk, person=_user(request)))


@extend_schema(tags=["privacy"], request=ErasureRequestSerializer, responses={201: ErasureRequestSerializer})
class ErasureRequestCreate(APIView):
    """Ask for your data to be erased (one open request at a time)."""

    def post(self, request: Request) -> Response:
        payload = ErasureRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        erasure = services.erasure_request(by=_user(request), reason=payload.validated_data["reason"])
        return Response(ErasureRequestSerializer(erasure).data, status=status.HTTP_201_CREATED)


def _require_staff(request: Request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied("Only administrators see erasure requests.")


@extend_schema(tags=["privacy"])
class ErasureRequestList(generics.ListAPIView):
    """The administrators' queue of erasure requests, oldest first."""

    serializer_class = ErasureRequestSerializer

    def get_queryset(self) -> QuerySet[ErasureRequest]:
        if getattr(self, "swagger_fake_view", False):
            return ErasureRequest.objects.none()
        _require_staff(self.request)
        return ErasureRequest.objects.select_related("person").order_by("requested_at", "id")


class _ErasureDecision(APIView):
    def _request(self, request: Request, pk: int) -> ErasureRequest:
        _require_staff(request)
        return get_object_or_404(ErasureRequest, pk=pk)


@extend_schema(tags=["privacy"], request=None, responses=ErasureRequestSerializer)
class ErasureComplete(_ErasureDecision):
    """Anonymise the person, end their sign-in, keep what KMPT must (the answer says what was kept and why)."""

    def post(self, request: Request, pk: int) -> Response:
        done = services.erasure_complete(erasure=self._request(request, pk), by=_user(request))
        return Response(ErasureRequestSerializer(done).data)


@extend_schema(tags=["privacy"], request=DecisionReasonSerializer, responses=ErasureRequestSerializer)
class ErasureRefuse(_ErasureDecision):
    def post(self, request: Request, pk: int) -> Response:
        erasure = self._request(request, pk)
        payload = DecisionReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        refused = services.erasure_refuse(erasure=erasure, by=_user(request), **payload.validated_data)
        return Response(ErasureRequestSerializer(refused).data)
