from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from config.api import WHITESPACE, StrictJSON
from config.choices import Area
from providers.models import Category, CostUnit, Listing, ListingStatus, Organization, OrganizationInvite, StaleReport
from providers.selectors import listing_is_stale
from providers.services import CONTROL_CHARACTERS, MAX_COST, MULTI_LINE_CONTROL, SINGLE_LINE

ONE_LINE, MULTI_LINE = CONTROL_CHARACTERS.pattern[1:-1], MULTI_LINE_CONTROL.pattern[1:-1]  # what the services refuse


def text_rules(fields: list[str]) -> dict[str, str]:
    """The characters providers.services refuses in each text field: control characters, and on one-line fields
    also line breaks and tabs."""
    return {name: ONE_LINE if name in SINGLE_LINE else MULTI_LINE for name in fields}


# A full UK postcode as `postcode_normalise` reads it (any case, a space or none between its halves), or its first half.
POSTCODE = r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}"
OUTWARD_CODE = r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]?"

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


class OrganizationSerializer(StrictJSON, serializers.ModelSerializer):
    verified = serializers.SerializerMethodField()
    is_member = serializers.SerializerMethodField()
    schema_text_rules = text_rules(ORGANIZATION_WRITABLE)

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


class InviteSerializer(StrictJSON, serializers.ModelSerializer):
    class Meta:
        model = OrganizationInvite
        fields = ["id", "email", "created_at", "accepted_at"]
        read_only_fields = ["id", "created_at", "accepted_at"]


class OrganizationField(serializers.PrimaryKeyRelatedField):
    """Written as the organisation's id, read back as `{"id", "name"}`."""

    def use_pk_only_optimization(self) -> bool:
        return False

    def to_representation(self, value: Any) -> dict[str, Any]:
        return {"id": value.pk, "name": value.name}


class OrganizationFieldSchema(OpenApiSerializerFieldExtension):
    """The schema says what the field does: an id in requests, `{"id", "name"}` in responses."""

    target_class = OrganizationField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        if direction == "request":
            return {"type": "integer", "description": "The organisation's id."}
        return auto_schema.resolve_serializer(OrganizationSummarySerializer, direction).ref


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ListingSerializer(StrictJSON, serializers.ModelSerializer):
    """A listing as the contract shows it; `organization` is written as an id and read as {id, name}."""

    organization = OrganizationField(queryset=Organization.objects.all())
    category = serializers.ChoiceField(choices=Category.choices, allow_blank=True, required=False)
    cost = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, max_value=MAX_COST, allow_null=True, required=False
    )
    cost_unit = serializers.ChoiceField(choices=CostUnit.choices, allow_blank=True, required=False)
    area = serializers.ChoiceField(choices=Area.choices, allow_blank=True, required=False)
    stale = serializers.SerializerMethodField()
    schema_text_rules = text_rules(
        ["title", "description", "schedule", "accessibility", "contact_email", "contact_phone"]
    )
    schema_text_patterns = {"postcode": rf"^[{WHITESPACE}]*(?:{POSTCODE})?[{WHITESPACE}]*$"}

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

    def get_stale(self, listing: Listing) -> bool:
        annotated = getattr(listing, "is_stale", None)
        if annotated is not None and listing.status == ListingStatus.PUBLISHED:
            return bool(annotated)
        return listing.status == ListingStatus.PUBLISHED and listing_is_stale(listing)


class StaleReportSerializer(StrictJSON, serializers.ModelSerializer):
    listing = serializers.SerializerMethodField()
    schema_text_rules = text_rules(["note"])

    class Meta:
        model = StaleReport
        fields = ["id", "listing", "note", "created_at", "resolved_at"]
        read_only_fields = ["id", "listing", "created_at", "resolved_at"]

    def get_listing(self, report: StaleReport) -> dict[str, Any]:
        return {"id": report.listing_id, "title": report.listing.title}
