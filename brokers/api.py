"""The brokers API: thin views over brokers.services and brokers.selectors."""

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from brokers import permissions, selectors, services
from brokers.access import engagement_read
from brokers.filters import BrokerSearchFilter, EngagementFilter
from brokers.languages import ISO_639_1
from brokers.models import Engagement, Message
from brokers.serializers import (
    BrokerMeSerializer,
    BrokerMeUpdateSerializer,
    BrokerSerializer,
    EngagementActionSerializer,
    EngagementCreateSerializer,
    EngagementSerializer,
    FeedbackSerializer,
    MessageSerializer,
)
from charter.parsers import JSON_PARSERS
from charter.permissions import request_user
from config.api import SEARCH_WORDS
from config.choices import Area
from config.errors import NotAllowed
from providers.cache import BROKERS, cached_json


@extend_schema(
    tags=["brokers"],
    parameters=[
        OpenApiParameter("q", SEARCH_WORDS, description="Words in the name, bio or specialisms"),
        OpenApiParameter("area", str, enum=Area.values, description="An area slug; `kent` also matches its districts"),
        OpenApiParameter("language", str, enum=sorted(ISO_639_1), description="ISO 639-1 code"),
        OpenApiParameter(
            "max_rate",
            str,
            # what `BrokerSearchFilter.max_rate` takes: at most 8 digits, 2 of them after the point
            pattern=r"^(?:0|[1-9][0-9]{0,5})(?:\.[0-9]{1,2})?$",
            description="Highest hourly rate in pounds, such as 30 or 32.50",
        ),
    ],
)
class BrokerListView(generics.ListAPIView):
    """Public search of listed brokers, by relevance, then rating (`BrokerSearchFilter` validates every parameter)."""

    permission_classes = [AllowAny]
    serializer_class = BrokerSerializer
    filterset_class = BrokerSearchFilter

    def get_queryset(self) -> Any:
        return selectors.brokers_listed()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        if request.user.is_authenticated:
            return super().list(request, *args, **kwargs)
        # the same answer for everyone: kept a moment, emptied by any change to the directory
        parts = ("api-brokers", request.build_absolute_uri())
        return cached_json(parts, lambda: super(BrokerListView, self).list(request).data, scopes=(BROKERS,))


@extend_schema(tags=["brokers"])
class BrokerDetailView(APIView):
    """A listed broker; an unlisted one only for themself and admins (404 for everyone else)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=BrokerSerializer)
    def get(self, request: Request, pk: int) -> Response:
        profile = selectors.broker_profile_visible_to(request_user(request), pk)
        if profile is None:
            raise Http404
        return Response(BrokerSerializer(profile).data)


@extend_schema(tags=["brokers"])
class BrokerMeView(APIView):
    """The signed-in broker's own profile, whether they are listed and what is missing; PATCH edits it."""

    parser_classes = JSON_PARSERS

    def _profile(self, request: Request) -> Any:
        if request_user(request).role != Role.BROKER:
            raise NotAllowed("Only support brokers have a broker profile.")
        return selectors.broker_profile_for(request_user(request))

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
        services.broker_profile_update(profile=profile, by=request_user(request), **fields)
        if interests is not None:
            services.broker_interests_set(
                profile=profile,
                by=request_user(request),
                interests=[{"organization": i.get("organization_id"), "nature": i.get("nature")} for i in interests],
            )
        return Response(BrokerMeSerializer(selectors.broker_profile_for(request_user(request))).data)


# --- Engagements and messages ---


def _engagement_for(request: Request, pk: int) -> Engagement:
    """The engagement if this person may see it; 404 otherwise, whoever they are."""
    engagement = get_object_or_404(
        selectors.engagements_visible_to(request_user(request)).select_related("feedback"), pk=pk
    )
    if request.method == "GET":  # reading it (by anyone but the client) goes in the client's access log
        engagement_read(request_user(request), engagement)
    return engagement


class MessagesReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()
    unread_count = serializers.IntegerField()


@extend_schema(tags=["engagements"])
class EngagementListView(generics.ListAPIView):
    """The engagements you are a party to (`?status=` filters); a client POSTs to ask a broker for help."""

    parser_classes = JSON_PARSERS

    serializer_class = EngagementSerializer
    filterset_class = EngagementFilter
    throttle_scopes = {"POST": "email"}  # a request emails the broker

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema with no user
            return Engagement.objects.none()
        engagements = selectors.engagements_visible_to(request_user(self.request)).select_related("feedback")
        return selectors.engagements_with_unread(engagements, request_user(self.request)).order_by("-created_at", "-id")

    @extend_schema(request=EngagementCreateSerializer, responses={201: EngagementSerializer})
    def post(self, request: Request) -> Response:
        if request_user(request).role != Role.CLIENT:
            raise NotAllowed("Only clients can ask a broker for help.")
        payload = EngagementCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        engagement = services.engagement_request(
            client=request_user(request),
            broker_id=payload.validated_data["broker"],
            message=payload.validated_data["message"],
        )
        return Response(
            EngagementSerializer(engagement, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=["engagements"])
class EngagementDetailView(APIView):
    @extend_schema(responses=EngagementSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(EngagementSerializer(_engagement_for(request, pk), context={"request": request}).data)


@extend_schema(tags=["engagements"], request=EngagementActionSerializer, responses=EngagementSerializer)
class EngagementActionView(APIView):
    """accept / decline (the broker), withdraw (the client), end (either party)."""

    parser_classes = JSON_PARSERS

    action_name = ""

    def post(self, request: Request, pk: int) -> Response:
        engagement = _engagement_for(request, pk)
        payload = EngagementActionSerializer(data=request.data or {})
        payload.is_valid(raise_exception=True)
        engagement = services.engagement_transition(
            engagement=engagement,
            by=request_user(request),
            action=self.action_name,
            reason=payload.validated_data["reason"],
        )
        return Response(EngagementSerializer(engagement, context={"request": request}).data)


@extend_schema(tags=["engagements"])
class MessageListView(generics.ListCreateAPIView):
    """The conversation, oldest first; POST writes to the other party (while requested or active)."""

    parser_classes = JSON_PARSERS

    serializer_class = MessageSerializer
    throttle_scopes = {"POST": "email"}  # each message nudges the other party by email

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        engagement = _engagement_for(self.request, self.kwargs["pk"])
        if not permissions.may_read_conversation(request_user(self.request), engagement):
            # A reviewer may see the engagement, but the conversation belongs to its two parties.
            raise NotAllowed("Only the client and the broker can read their conversation.")
        return selectors.messages_of(engagement)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        engagement = _engagement_for(request, kwargs["pk"])
        payload = MessageSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message = services.message_send(
            engagement=engagement, by=request_user(request), body=payload.validated_data["body"]
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["engagements"], request=None, responses=MessagesReadSerializer)
class MessagesReadView(APIView):
    """Mark every message from the other party as read."""

    parser_classes = JSON_PARSERS

    def post(self, request: Request, pk: int) -> Response:
        engagement = _engagement_for(request, pk)
        marked = services.messages_mark_read(engagement=engagement, by=request_user(request))
        return Response({"marked_read": marked, "unread_count": 0})


@extend_schema(tags=["engagements"])
class FeedbackView(APIView):
    """The client's rating of the broker for this engagement: once, when active or ended."""

    parser_classes = JSON_PARSERS

    @extend_schema(responses=FeedbackSerializer)
    def get(self, request: Request, pk: int) -> Response:
        engagement = _engagement_for(request, pk)
        feedback = getattr(engagement, "feedback", None)
        if feedback is None:
            raise Http404
        return Response(FeedbackSerializer(feedback).data)

    @extend_schema(request=FeedbackSerializer, responses={201: FeedbackSerializer})
    def post(self, request: Request, pk: int) -> Response:
        engagement = _engagement_for(request, pk)
        if engagement.client_id != request_user(request).pk:
            raise NotAllowed("Only the client can give feedback about their broker.")
        payload = FeedbackSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        feedback = services.feedback_give(engagement=engagement, by=request_user(request), **payload.validated_data)
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)
