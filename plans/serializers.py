from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from accounts.models import User
from accounts.serializers import PersonSerializer
from config.choices import Outcome
from plans import selectors
from plans.models import (
    LINE_CATEGORIES,
    Budget,
    Council,
    Decision,
    Eligibility,
    Frequency,
    PaymentRoute,
    Plan,
    PlanEvent,
    PlanLine,
    PlanVersion,
)
from providers.models import Listing


class PersonField(serializers.PrimaryKeyRelatedField):
    """Written as a user id, read back as an object holding `id` (the contract allows both)."""

    def use_pk_only_optimization(self) -> bool:
        return False

    def to_representation(self, value: Any) -> dict[str, Any]:
        return PersonSerializer(value).data


class BudgetSerializer(serializers.ModelSerializer):
    client = PersonField(queryset=User.objects.all())
    recorded_by = PersonSerializer(read_only=True)
    council = serializers.ChoiceField(choices=Council.choices)
    eligibility = serializers.ChoiceField(choices=Eligibility.choices)
    payment_route = serializers.ChoiceField(choices=PaymentRoute.choices)
    annual_amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0"))
    client_contribution = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0"), default=Decimal("0.00")
    )
    outcomes = serializers.ListField(child=serializers.ChoiceField(choices=Outcome.choices), allow_empty=False)

    class Meta:
        model = Budget
        fields = [
            "id",
            "client",
            "council",
            "eligibility",
            "annual_amount",
            "client_contribution",
            "assessed_on",
            "review_on",
            "outcomes",
            "payment_route",
            "recorded_by",
            "created_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["review_on"] < attrs["assessed_on"]:
            raise serializers.ValidationError({"review_on": ["The review date cannot be before the assessment date."]})
        if attrs["client_contribution"] > attrs["annual_amount"]:
            raise serializers.ValidationError(
                {"client_contribution": ["The client's contribution cannot be more than the whole budget."]}
            )
        return attrs


class LineSerializer(serializers.ModelSerializer):
    description = serializers.CharField(max_length=300, required=False)
    category = serializers.ChoiceField(choices=list(LINE_CATEGORIES.items()), required=False)
    listing = serializers.PrimaryKeyRelatedField(
        queryset=Listing.objects.select_related("organization"), required=False, allow_null=True
    )
    unit_cost = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0"), required=False)
    units = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"), required=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    outcomes = serializers.ListField(child=serializers.ChoiceField(choices=Outcome.choices), required=False)
    annual_cost = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = PlanLine
        fields = [
            "id",
            "description",
            "category",
            "listing",
            "unit_cost",
            "units",
            "frequency",
            "outcomes",
            "annual_cost",
        ]


class DecisionSerializer(serializers.ModelSerializer):
    by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Decision
        fields = ["outcome", "reasons", "note", "by", "decided_at", "version"]


def _totals(plan: Plan) -> dict[str, str]:
    from plans.checks import plan_totals

    totals = plan_totals(budget=plan.budget.annual_amount, line_costs=(line.annual_cost for line in plan.lines.all()))
    return {**totals.as_dict(), "client_contribution": f"{plan.budget.client_contribution:.2f}"}


class PlanSerializer(serializers.ModelSerializer):
    client = PersonSerializer(read_only=True)
    broker = PersonSerializer(read_only=True)
    reviewer = PersonSerializer(read_only=True, allow_null=True)
    outcomes = serializers.SerializerMethodField()
    lines = LineSerializer(many=True, read_only=True)
    totals = serializers.SerializerMethodField()
    review_dates = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "client",
            "broker",
            "budget",
            "status",
            "version",
            "summary",
            "outcomes",
            "lines",
            "totals",
            "client_agreed_at",
            "agreed_version",
            "reviewer",
            "review_dates",
            "decision",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_outcomes(self, plan: Plan) -> list[dict[str, str]]:
        return [{"code": code, "description": plan.outcome_descriptions.get(code, "")} for code in plan.budget.outcomes]

    def get_totals(self, plan: Plan) -> dict[str, str]:
        return _totals(plan)

    def get_review_dates(self, plan: Plan) -> dict[str, str] | None:
        if plan.review_first_on is None:
            return None
        return {"first": plan.review_first_on.isoformat(), "next": plan.review_next_on.isoformat()}  # type: ignore[union-attr]

    def get_decision(self, plan: Plan) -> dict[str, Any] | None:
        decision = selectors.plan_latest_decision(plan)
        return DecisionSerializer(decision).data if decision else None


class ReviewSerializer(PlanSerializer):
    waiting_days = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "waiting_days"]
        read_only_fields = fields

    def get_waiting_days(self, plan: Plan) -> int | None:
        from django.utils import timezone

        if plan.submitted_at is None:
            return None
        return (timezone.localdate() - timezone.localdate(plan.submitted_at)).days


class SnapshotBudgetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Budget
        fields = [
            "id",
            "council",
            "eligibility",
            "annual_amount",
            "client_contribution",
            "assessed_on",
            "review_on",
            "outcomes",
            "payment_route",
        ]


class SnapshotLineSerializer(LineSerializer):
    listing = serializers.SerializerMethodField()  # type: ignore[assignment]

    def get_listing(self, line: PlanLine) -> dict[str, Any] | None:
        listing = line.listing
        if listing is None:
            return None
        return {
            "id": listing.pk,
            "title": listing.title,
            "organization": {"id": listing.organization_id, "name": listing.organization.name},
        }


class PlanSnapshotSerializer(serializers.ModelSerializer):
    """What a submission freezes: the whole plan, its totals and its check."""

    client = PersonSerializer(read_only=True)
    broker = PersonSerializer(read_only=True)
    budget = SnapshotBudgetSerializer(read_only=True)
    outcomes = serializers.SerializerMethodField()
    lines = SnapshotLineSerializer(many=True, read_only=True)
    totals = serializers.SerializerMethodField()
    check = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "client",
            "broker",
            "budget",
            "version",
            "summary",
            "outcomes",
            "lines",
            "totals",
            "check",
            "client_agreed_at",
        ]

    get_outcomes = PlanSerializer.get_outcomes
    get_totals = PlanSerializer.get_totals

    def get_check(self, plan: Plan) -> dict[str, Any]:
        return selectors.plan_run_check(plan).as_dict()


class VersionSerializer(serializers.ModelSerializer):
    submitted_by = PersonSerializer(read_only=True)
    version = serializers.IntegerField(source="number", read_only=True)
    totals = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = ["number", "version", "submitted_by", "submitted_at", "totals"]

    def get_totals(self, version: PlanVersion) -> dict[str, str]:
        return version.snapshot["totals"]


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "snapshot"]


class EventSerializer(serializers.ModelSerializer):
    by = PersonSerializer(read_only=True, allow_null=True)
    at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = PlanEvent
        fields = ["id", "action", "by", "from_status", "to_status", "version", "data", "at"]

    def to_representation(self, event: PlanEvent) -> dict[str, Any]:
        data = super().to_representation(event)
        data["from"], data["to"] = event.from_status or None, event.to_status
        return data


class PlanCreateSerializer(serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    budget = serializers.PrimaryKeyRelatedField(queryset=Budget.objects.all())


class OutcomeDescriptionSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Outcome.choices)
    description = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class PlanUpdateSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=10000, allow_blank=True, required=False)
    outcomes = OutcomeDescriptionSerializer(many=True, required=False)


class ReasonsSerializer(serializers.Serializer):
    reasons = serializers.ListField(
        child=serializers.CharField(max_length=2000, allow_blank=False), allow_empty=False, max_length=50
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")
