"""Thin API views over the providers' services and selectors (API.md: Providers and listings)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.mfa import ensure_mfa_for_decision
from config.api import PageNumberPagination
from config.choices import Area
from providers import permissions, selectors, services
from providers.models import Category, ListingStatus, Membership, Organization
from providers.postcodes import outward_code
from providers.serializers import (
    CategorySerializer,
    InviteSerializer,
    ListingSerializer,
    OrganizationSerializer,
    StaleReportSerializer,
)


class BadQuery(serializers.ValidationError):
    pass


@extend_schema(tags=["providers"])
class OrganizationViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Organisations: verified ones and your own. `?member=me` lists only those you belong to."""

    serializer_class = OrganizationSerializer

    def get_queryset(self) -> QuerySet[Organization]:
        user = self.request.user
        organizations = selectors.organizations_visible_to(user)
        if self.request.query_params.get("member") == "me":
            organizations = selectors.organizations_of(user)
        return organizations.annotate(
            is_member=Exists(
                Membership.objects.filter(organization=OuterRef("pk"), user_id=getattr(user, "pk", 0) or 0)
            )
        ).order_by("name", "id")

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
        ensure_mfa_for_decision(request.user)
        services.organization_verify(organization=self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=InviteSerializer, responses={201: InviteSerializer})
    @action(detail=True, methods=["get", "post"])
    def invites(self, request: Request, pk: str | None = None) -> Response:
        """Members invite people by email; they join when they sign in with that address."""
        organization = self.get_object()
        if not permissions.can_manage_organization(request.user, organization):
            return Response({"detail": "Only members see and send invitations.", "code": "permission_denied"}, 403)
        if request.method == "GET":
            return Response(InviteSerializer(organization.invites.all(), many=True).data)
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invite = services.organization_invite(
            organization=organization,
            by=request.user,
            email=serializer.validated_data["email"],
            site_url=request.build_absolute_uri("/"),
        )
        return Response(InviteSerializer(invite).data, status=status.HTTP_201_CREATED)


OrganizationViewSet.http_method_names = ["get", "post", "patch", "head", "options"]


@extend_schema(tags=["providers"], responses=CategorySerializer(many=True))
class CategoryListView(APIView):
    """The listing categories, as a plain list."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response([{"code": code, "name": name} for code, name in Category.choices])


SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="Words in title, description and category name; tolerates misspellings"),
    OpenApiParameter("category", str, enum=Category.values),
    OpenApiParameter("area", str, enum=Area.values),
    OpenApiParameter("postcode", str, description="Full or outward code: listings in that district come first"),
    OpenApiParameter("max_cost", str),
    OpenApiParameter("organization", int, description="For its members, also its drafts and archived listings"),
    OpenApiParameter("status", str, enum=ListingStatus.values, description="With `organization`, for its members"),
]


def search_from_params(params: Any, user: Any) -> tuple[selectors.ListingSearch, QuerySet | None]:
    """Clean the search's query parameters (400 naming the bad one); members searching their own organisation
    also see its drafts and archived listings."""
    errors: dict[str, list[str]] = {}
    search = selectors.ListingSearch(q=(params.get("q") or "").replace("\x00", "").strip()[:200])
    search.category = params.get("category") or ""
    if search.category and search.category not in Category.values:
        errors["category"] = ["Unknown category."]
    search.area = params.get("area") or ""
    if search.area and search.area not in Area.values:
        errors["area"] = ["Unknown area."]
    search.postcode = (params.get("postcode") or "").strip()
    if search.postcode and outward_code(search.postcode) is None:
        errors["postcode"] = ["Enter a postcode like CT1 2AB, or its first part like ME4."]
    if max_cost := params.get("max_cost"):
        try:
            search.max_cost = Decimal(max_cost)
            if not search.max_cost.is_finite() or not 0 <= search.max_cost <= 10**9:
                raise InvalidOperation
        except InvalidOperation:
            errors["max_cost"] = ["Enter an amount in pounds, like 20 or 12.50."]
    base = None
    if organization := params.get("organization"):
        if not re.fullmatch(r"[0-9]{1,12}", str(organization)):
            errors["organization"] = ["Enter an organisation id."]
        else:
            search.organization = int(organization)
            base = _own_organization_listings(search.organization, user)
    if (wanted := params.get("status")) and base is not None:
        if wanted not in ListingStatus.values:
            errors["status"] = ["Unknown status."]
        search.statuses = [wanted]
    if errors:
        raise BadQuery(errors)
    return search, base


def _own_organization_listings(organization_id: int, user: Any) -> QuerySet | None:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization and permissions.can_manage_organization(user, organization):
        return organization.listings.all()
    return None


@extend_schema(tags=["providers"])
class ListingViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Listings: a public search of published listings of verified organisations; members write their own."""

    serializer_class = ListingSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet:
        listings = selectors.listings_visible_to(self.request.user)
        return selectors.with_freshness(listings).select_related("organization")

    @extend_schema(parameters=SEARCH_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Search. The paginated envelope also carries `facets`: counts per category and per area."""
        search, base = search_from_params(request.query_params, request.user)
        listings = selectors.listings_search(search, base=base)
        page = self.paginate_queryset(listings)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response.data["facets"] = selectors.listing_facets(listings)
        return response

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        if not selectors.organizations_visible_to(self.request.user).filter(pk=organization.pk).exists():
            raise BadQuery({"organization": ["Unknown organisation."]})
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
    @action(detail=True, methods=["post"], url_path="report-stale")
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

    @extend_schema(responses=StaleReportSerializer(many=True))
    def get(self, request: Request) -> Response:
        reports = selectors.stale_reports_visible_to(request.user)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(reports, request, view=self)
        return paginator.get_paginated_response(StaleReportSerializer(page, many=True).data)
