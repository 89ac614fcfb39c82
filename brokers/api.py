"""The brokers API: thin views over brokers.services and brokers.selectors."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from brokers import selectors, services
from brokers.serializers import BrokerMeSerializer, BrokerMeUpdateSerializer, BrokerSearchSerializer, BrokerSerializer
from config.api import NotAllowed


@extend_schema(
    tags=["brokers"],
    parameters=[
        OpenApiParameter("q", str, description="Words in the name, bio or specialisms"),
        OpenApiParameter("area", str, description="An area slug; `kent` also matches its districts"),
        OpenApiParameter("specialism", str),
        OpenApiParameter("language", str, description="ISO 639-1 code"),
        OpenApiParameter("accepting", bool),
        OpenApiParameter("max_rate", str, description="Highest hourly rate in pounds"),
    ],
)
class BrokerListView(generics.ListAPIView):
    """Public search of listed brokers, by relevance, then rating."""

    permission_classes = [AllowAny]
    serializer_class = BrokerSerializer

    def get_queryset(self) -> Any:
        filters = BrokerSearchSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.brokers_search(**filters.validated_data)


@extend_schema(tags=["brokers"])
class BrokerDetailView(APIView):
    """A listed broker; an unlisted one only for themself and admins (404 for everyone else)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=BrokerSerializer)
    def get(self, request: Request, pk: int) -> Response:
        profile = selectors.broker_profile_visible_to(request.user, pk)
        if profile is None:
            raise Http404
        return Response(BrokerSerializer(profile).data)


@extend_schema(tags=["brokers"])
class BrokerMeView(APIView):
    """The signed-in broker's own profile, whether they are listed and what is missing; PATCH edits it."""

    def _profile(self, request: Request) -> Any:
        if request.user.role != Role.BROKER:
            raise NotAllowed("Only support brokers have a broker profile.")
        return selectors.broker_profile_for(request.user)

    @extend_schema(responses=BrokerMeSerializer)
    def get(self, request: Request) -> Response:
        return Response(BrokerMeSerializer(self._profile(request)).data)

    @extend_schema(request=BrokerMeUpdateSerializer, responses=BrokerMeSerializer)
    def patch(self, request: Request) -> Response:
        profile = self._profile(request)
        payload = BrokerMeUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        interests = fields.pop("interests", None)
        services.broker_profile_update(profile=profile, by=request.user, **fields)
        if interests is not None:
            services.broker_interests_set(
                profile=profile,
                by=request.user,
                interests=[{"organization": i.get("organization_id"), "nature": i.get("nature")} for i in interests],
            )
        return Response(BrokerMeSerializer(selectors.broker_profile_for(request.user)).data)
