"""Thin API views over the providers' services and selectors (API.md: Providers and listings)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import SEARCH_WORDS, WHITESPACE, PageNumberPagination, id_parameter
from config.choices import Area
from config.errors import NotAllowed, ServiceError
from providers import permissions, selectors, services
from providers.cache import cached_json
from providers.filters import ListingFilter, OrganizationFilter
from providers.models import Category, ListingStatus, Membership, Organization
from providers.serializers import (
    OUTWARD_CODE,
    POSTCODE,
    CategorySerializer,
    InviteSerializer,
    ListingSerializer,
    OrganizationSerializer,
    StaleReportSerializer,
)


class SafeJSONParser(JSONParser):
    """JSON nested too deeply for the parser is bad input (400), not a crash."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("The JSON is nested too deeply.") from None


@extend_schema(tags=["providers"])
class OrganizationViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Organisations: verified ones and your own. `?member=me` lists only those you belong to."""

    serializer_class = OrganizationSerializer
    parser_classes = [SafeJSONParser]
    filter_backends: list[Any] = []
    throttle_scopes: dict[str, str] = {}  # tighter limits per action (invitations send email)

    def get_queryset(self) -> QuerySet[Organization]:
        user = self.request.user
        organizations = selectors.organizations_visible_to(user)
        if self.action == "list":
            organizations = OrganizationFilter(
                self.request.query_params, organizations, request=self.request
            ).filtered()
        return organizations.annotate(
            is_member=Exists(
                Membership.objects.filter(organization=OuterRef("pk"), user_id=getattr(user, "pk", 0) or 0)
            )
        ).order_by("name", "id")

    @extend_schema(parameters=[OpenApiParameter("member", str, enum=["me"], description="Only those you belong to")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        organization = services.organization_create(by=self.request.user, **serializer.validated_data)
        organization.is_member = True  # type: ignore[attr-defined]
        serializer.instance = organization

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        organization = self.get_object()
        serializer = self.get_serializer(organization, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        organization = services.organization_update(
            organization=organization, by=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """An admin verifies the organisation: from then on its published listings are public."""
        services.organization_verify(organization=self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(methods=["GET"], operation_id="organizations_invites_list", responses=InviteSerializer(many=True))
    @extend_schema(methods=["POST"], request=InviteSerializer, responses={201: InviteSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        throttle_scopes={"POST": "email"},
        filter_backends=[],
    )
    def invites(self, request: Request, pk: str | None = None) -> Response:
        """Members invite people by email; they join when they sign in with that address, once it is verified."""
        organization = self.get_object()
        if not permissions.can_manage_organization(request.user, organization):
            raise NotAllowed("Only members see and send invitations.")
        if request.method == "GET":
            invites = self.paginate_queryset(organization.invites.order_by("-id"))
            return self.get_paginated_response(InviteSerializer(invites, many=True).data)
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invite = services.organization_invite(
            organization=organization,
            by=request.user,
            email=serializer.validated_data["email"],
        )
        return Response(InviteSerializer(invite).data, status=status.HTTP_201_CREATED)


OrganizationViewSet.http_method_names = ["get", "post", "patch", "head", "options"]


@extend_schema(tags=["providers"], responses=CategorySerializer(many=True))
class CategoryListView(APIView):
    """The listing categories, as a plain list."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response([{"code": code, "name": name} for code, name in Category.choices])


MAX_COST_PATTERN = r"^(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,2})?$"  # what `ListingFilter.max_cost` takes: 0 to 10**9
SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q", SEARCH_WORDS, description="Words in title, description and category name; tolerates misspellings"
    ),
    OpenApiParameter("category", str, enum=Category.values),
    OpenApiParameter("area", str, enum=Area.values),
    OpenApiParameter(
        "postcode",
        str,
        description="Full or outward code: listings in that district come first",
        pattern=rf"^[{WHITESPACE}]*(?:{POSTCODE}|{OUTWARD_CODE})?[{WHITESPACE}]*$",
    ),
    OpenApiParameter("max_cost", str, description="In pounds, like 20 or 12.50", pattern=MAX_COST_PATTERN),
    id_parameter("organization", "For its members, also its drafts and archived listings"),
    OpenApiParameter("status", str, enum=ListingStatus.values, description="With `organization`, for its members"),
]


def search_from_params(params: Any, user: Any) -> tuple[selectors.ListingSearch, QuerySet | None]:
    """Clean the search's query parameters (400 naming the bad one); members searching their own organisation
    also see its drafts and archived listings (and may filter them by `status`)."""
    search = ListingFilter(params).search()
    base = None
    if search.organization is not None:
        base = _own_organization_listings(search.organization, user)
    if base is None:
        search.statuses = []
    return search, base


def _own_organization_listings(organization_id: int, user: Any) -> QuerySet | None:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization and permissions.can_manage_organization(user, organization):
        return organization.listings.defer("search_vector")
    return None


FACET = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "count": {"type": "integer"}},
        "required": ["code", "name", "count"],
    },
}


class ListingSearchPagination(PageNumberPagination):
    """The search's page also carries `facets`: how many results there are per category and per area."""

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["facets"] = {
            "type": "object",
            "properties": {"category": FACET, "area": FACET},
            "required": ["category", "area"],
        }
        paginated["required"] = [*paginated["required"], "facets"]
        return paginated


@extend_schema(tags=["providers"])
class ListingViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Listings: a public search of published listings of verified organisations; members write their own."""

    serializer_class = ListingSerializer
    pagination_class = ListingSearchPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [SafeJSONParser]
    filter_backends: list[Any] = []
    throttle_scopes: dict[str, str] = {}  # tighter limits per action (out-of-date reports send email)

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet:
        listings = selectors.listings_visible_to(self.request.user)
        return selectors.with_freshness(listings).select_related("organization")

    @extend_schema(parameters=SEARCH_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        """Search. The paginated envelope also carries `facets`: counts per category and per area."""
        if not request.user.is_authenticated:  # the same answer for everyone: kept a moment, checked on a miss
            return cached_json(("api-listings", request.build_absolute_uri()), self._search_anonymous)
        return Response(self._search(*search_from_params(request.query_params, request.user)))

    def _search_anonymous(self) -> dict[str, Any]:
        return self._search(search_from_params(self.request.query_params, self.request.user)[0], None)

    def _search(self, search: selectors.ListingSearch, base: QuerySet | None) -> dict[str, Any]:
        results = selectors.listings_search_page(search, base=base)
        page: list[Any] | None = self.paginate_queryset(results)  # type: ignore[arg-type]  # slices and counts
        data = self.get_paginated_response(self.get_serializer(page, many=True).data).data
        return {**data, "facets": results.facets}

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        if not selectors.organizations_visible_to(self.request.user).filter(pk=organization.pk).exists():
            raise ServiceError("Unknown organisation.", extra={"organization": ["Choose one of your organisations"]})
        listing = services.listing_create(organization=organization, by=self.request.user, **data)
        serializer.instance = self._fresh(listing.pk)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        listing = self.get_object()
        serializer = self.get_serializer(listing, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.listing_update(listing=listing, by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(self._fresh(listing.pk)).data)

    def _fresh(self, pk: int) -> Any:
        return self.get_queryset().get(pk=pk)

    def _act(self, pk: str | None, service: Any) -> Response:
        listing = self.get_object()
        service(listing=listing, by=self.request.user)
        return Response(self.get_serializer(self._fresh(listing.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Needs title, description, category, cost, cost_unit, postcode and an email or phone (400 names what is
        missing)."""
        return self._act(pk, services.listing_publish)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        return self._act(pk, services.listing_archive)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """`archived -> draft`: bring a listing back to edit and publish again."""
        return self._act(pk, services.listing_restore)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """The provider says it is still accurate: sets `last_reviewed_on` to today."""
        return self._act(pk, services.listing_confirm)

    @extend_schema(request=StaleReportSerializer, responses={201: StaleReportSerializer})
    @action(detail=True, methods=["post"], url_path="report-stale", throttle_scopes={"POST": "email"})
    def report_stale(self, request: Request, pk: str | None = None) -> Response:
        """Anyone signed in may say the listing looks out of date; its provider and admins see the report."""
        listing = self.get_object()
        serializer = StaleReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.listing_report_stale(
            listing=listing, by=request.user, note=serializer.validated_data.get("note", "")
        )
        return Response(StaleReportSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["providers"])
class StaleReportListView(APIView):
    """Open reports that listings look out of date: providers see those on their listings, admins all."""

    pagination_class = PageNumberPagination  # also tells the schema that the list is paginated

    @extend_schema(responses=StaleReportSerializer(many=True))
    def get(self, request: Request) -> Response:
        reports = selectors.stale_reports_visible_to(request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(reports, request, view=self)
        return paginator.get_paginated_response(StaleReportSerializer(page, many=True).data)
