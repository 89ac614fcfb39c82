"""The charter API: thin views over charter.services and charter.selectors."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charter import services
from charter.filters import ConcernFilter, SignatureFilter
from charter.parsers import JSON_PARSERS
from charter.permissions import request_user
from charter.selectors import charter_current, concerns_visible_to, signatures_visible_to
from charter.serializers import (
    CharterSerializer,
    ConcernSerializer,
    SignatureCreateSerializer,
    SignatureSerializer,
    SuspendSerializer,
)
from config.api import id_parameter
from config.errors import NotAllowed


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
@extend_schema_view(get=extend_schema(parameters=[id_parameter("broker", "Admins: only this broker's signatures")]))
class SignatureListView(generics.ListCreateAPIView):
    """Admins: every signature (`?broker=`, `?status=`). Brokers: their own; POST signs the current version."""

    parser_classes = JSON_PARSERS

    serializer_class = SignatureSerializer
    filterset_class = SignatureFilter

    def get_queryset(self) -> Any:
        return signatures_visible_to(request_user(self.request)).order_by("signed_at", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not (request_user(request).is_staff or request_user(request).role == "broker"):
            raise NotAllowed("Only administrators and brokers can see signatures.")
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SignatureCreateSerializer, responses={201: SignatureSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.create(request, *args, **kwargs)

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

    parser_classes = JSON_PARSERS

    def post(self, request: Request, pk: int) -> Response:
        signature = get_object_or_404(signatures_visible_to(request_user(request)), pk=pk)
        signature = services.signature_verify(signature=signature, by=request_user(request))
        return Response(SignatureSerializer(signature).data)


@extend_schema(tags=["charter"], request=SuspendSerializer, responses=SignatureSerializer)
class SignatureSuspendView(APIView):
    """An admin suspends a signature with a reason: the broker leaves the directory at once."""

    parser_classes = JSON_PARSERS

    def post(self, request: Request, pk: int) -> Response:
        signature = get_object_or_404(signatures_visible_to(request_user(request)), pk=pk)
        if not request_user(request).is_staff:
            raise NotAllowed("Only an administrator can suspend a signature.")
        payload = SuspendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        signature = services.signature_suspend(signature=signature, by=request_user(request), **payload.validated_data)
        return Response(SignatureSerializer(signature).data)


@extend_schema(tags=["charter"])
@extend_schema_view(get=extend_schema(parameters=[id_parameter("broker", "Only concerns about this broker")]))
class ConcernListView(generics.ListCreateAPIView):
    """Anyone signed in raises a concern about a broker; admins list them all, others see what they raised."""

    parser_classes = JSON_PARSERS

    serializer_class = ConcernSerializer
    filterset_class = ConcernFilter
    throttle_scopes = {"POST": "email"}  # the contract's tighter scope for writes that reach other people

    def get_queryset(self) -> Any:
        return concerns_visible_to(request_user(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ConcernSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        concern = services.concern_raise(
            broker_id=payload.validated_data["broker_id"],
            by=request_user(request),
            text=payload.validated_data["text"],
        )
        return Response(ConcernSerializer(concern).data, status=status.HTTP_201_CREATED)
