from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.choices import Area
from providers.models import Category, CostUnit, Listing, ListingStatus, Organization, OrganizationInvite, StaleReport
from providers.selectors import listing_is_stale
from providers.services import MAX_COST

ORGANIZATION_WRITABLE = [
    "name",
    "description",
    "website",
    "email",
    "phone",
    "charity_number",
    "company_number",
    "safeguarding_contact_name",
    "safeguarding_contact_email",
]


class OrganizationSerializer(serializers.ModelSerializer):
    verified = serializers.SerializerMethodField()
    is_member = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "uuid", *ORGANIZATION_WRITABLE, "verified", "verified_at", "is_member", "created_at"]
        read_only_fields = ["id", "uuid", "verified", "verified_at", "is_member", "created_at"]
        extra_kwargs = {"name": {"required": True}}

    def get_verified(self, organization: Organization) -> bool:
        return organization.verified_at is not None

    def get_is_member(self, organization: Organization) -> bool:
        return bool(getattr(organization, "is_member", False))


class OrganizationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name"]


class InviteSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrganizationInvite
        fields = ["id", "email", "created_at", "accepted_at"]
        read_only_fields = ["id", "created_at", "accepted_at"]


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ListingSerializer(serializers.ModelSerializer):
    """A listing as the contract shows it; `organization` is written as an id and read as {id, name}."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    category = serializers.ChoiceField(choices=Category.choices, allow_blank=True, required=False)
    cost = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, max_value=MAX_COST, allow_null=True, required=False
    )
    cost_unit = serializers.ChoiceField(choices=CostUnit.choices, allow_blank=True, required=False)
    area = serializers.ChoiceField(choices=Area.choices, allow_blank=True, required=False)
    stale = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = [
            "id",
            "uuid",
            "organization",
            "title",
            "description",
            "category",
            "cost",
            "cost_unit",
            "area",
            "postcode",
            "schedule",
            "accessibility",
            "contact_email",
            "contact_phone",
            "status",
            "published_at",
            "last_reviewed_on",
            "stale",
            "updated_at",
        ]
        read_only_fields = ["id", "uuid", "status", "published_at", "last_reviewed_on", "stale", "updated_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None:  # a listing never moves to another organisation
            fields["organization"].read_only = True
        return fields

    def to_representation(self, listing: Listing) -> dict[str, Any]:
        data = super().to_representation(listing)
        data["organization"] = {"id": listing.organization_id, "name": listing.organization.name}
        return data

    def get_stale(self, listing: Listing) -> bool:
        annotated = getattr(listing, "is_stale", None)
        if annotated is not None and listing.status == ListingStatus.PUBLISHED:
            return bool(annotated)
        return listing.status == ListingStatus.PUBLISHED and listing_is_stale(listing)


class StaleReportSerializer(serializers.ModelSerializer):
    listing = serializers.SerializerMethodField()

    class Meta:
        model = StaleReport
        fields = ["id", "listing", "note", "created_at", "resolved_at"]
        read_only_fields = ["id", "listing", "created_at", "resolved_at"]

    def get_listing(self, report: StaleReport) -> dict[str, Any]:
        return {"id": report.listing_id, "title": report.listing.title}
