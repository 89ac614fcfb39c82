"""The charter API: thin views over charter.services and charter.selectors."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.mfa import ensure_mfa_for_decision
from accounts.models import User
from charter import services
from charter.permissions import request_user
from charter.selectors import charter_current, concerns_visible_to, signatures_visible_to
from charter.serializers import (
    CharterSerializer,
    ConcernSerializer,
    SignatureCreateSerializer,
    SignatureSerializer,
    SuspendSerializer,
)
from config.api import NotAllowed


@extend_schema(tags=["charter"], responses=CharterSerializer)
class CharterView(APIView):
    """The current Quality Charter: every principle a broker must attest to be listed."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        current = charter_current()
        if current is None:
            return Response({"detail": "No charter has been published yet.", "code": "not_found"}, status=404)
        return Response(CharterSerializer(current).data)


@extend_schema(tags=["charter"])
class SignatureListView(generics.ListCreateAPIView):
    """Admins: every signature (`?broker=`, `?status=`). Brokers: their own; POST signs the current version."""

    serializer_class = SignatureSerializer

    def get_queryset(self) -> Any:
        signatures = signatures_visible_to(request_user(self.request)).order_by("signed_at", "id")
        if broker := self.request.query_params.get("broker"):
            signatures = signatures.filter(broker_id=int(broker)) if broker.isdigit() else signatures.none()
        if wanted := self.request.query_params.get("status"):
            signatures = signatures.filter(status=wanted)
        return signatures

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not (request_user(request).is_staff or request_user(request).role == "broker"):
            raise NotAllowed("Only administrators and brokers can see signatures.")
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SignatureCreateSerializer, responses={201: SignatureSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = SignatureCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        signature = services.signature_create(broker=request_user(request), **payload.validated_data)
        return Response(SignatureSerializer(signature).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["charter"])
class SignatureDetailView(generics.RetrieveAPIView):
    serializer_class = SignatureSerializer

    def get_queryset(self) -> Any:
        return signatures_visible_to(request_user(self.request))


@extend_schema(tags=["charter"], request=None, responses=SignatureSerializer)
class SignatureVerifyView(APIView):
    """An admin verifies a signature (or reinstates a suspended one)."""

    def post(self, request: Request, pk: int) -> Response:
        signature = get_object_or_404(signatures_visible_to(request_user(request)), pk=pk)
        ensure_mfa_for_decision(request_user(request))
        signature = services.signature_verify(signature=signature, by=request_user(request))
        return Response(SignatureSerializer(signature).data)


@extend_schema(tags=["charter"], request=SuspendSerializer, responses=SignatureSerializer)
class SignatureSuspendView(APIView):
    """An admin suspends a signature with a reason: the broker leaves the directory at once."""

    def post(self, request: Request, pk: int) -> Response:
        signature = get_object_or_404(signatures_visible_to(request_user(request)), pk=pk)
        if not request_user(request).is_staff:
            raise NotAllowed("Only an administrator can suspend a signature.")
        ensure_mfa_for_decision(request_user(request))
        payload = SuspendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        signature = services.signature_suspend(signature=signature, by=request_user(request), **payload.validated_data)
        return Response(SignatureSerializer(signature).data)


@extend_schema(tags=["charter"])
class ConcernListView(generics.ListCreateAPIView):
    """Anyone signed in raises a concern about a broker; admins list them all, others see what they raised."""

    serializer_class = ConcernSerializer

    def get_queryset(self) -> Any:
        concerns = concerns_visible_to(request_user(self.request))
        if broker := self.request.query_params.get("broker"):
            concerns = concerns.filter(broker_id=int(broker)) if broker.isdigit() else concerns.none()
        return concerns

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ConcernSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        broker = User.objects.filter(pk=payload.validated_data["broker_id"]).first()
        if broker is None:
            return Response({"broker": ["There is no broker with this id."]}, status=status.HTTP_400_BAD_REQUEST)
        concern = services.concern_raise(broker=broker, by=request_user(request), text=payload.validated_data["text"])
        return Response(ConcernSerializer(concern).data, status=status.HTTP_201_CREATED)
