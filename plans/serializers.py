from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from accounts.serializers import PersonSerializer
from config.api import StrictJSON
from config.choices import Outcome
from plans import selectors
from plans.models import (
    LINE_CATEGORIES,
    Budget,
    Council,
    Decision,
    Eligibility,
    Frequency,
    OutcomeView,
    PaymentRoute,
    Plan,
    PlanLine,
    PlanReview,
    PlanVersion,
    ReviewProgress,
    ReviewResult,
)
from providers.models import Listing


class PersonField(serializers.PrimaryKeyRelatedField):
    """Written as a user id, read back as an object holding `id` (the contract allows both)."""

    def use_pk_only_optimization(self) -> bool:
        return False

    def to_representation(self, value: Any) -> dict[str, Any]:
        return PersonSerializer(value).data


class PersonFieldSchema(OpenApiSerializerFieldExtension):
    """The schema says what the field does: an id in requests, a person in responses."""

    target_class = PersonField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        if direction == "request":
            return {"type": "integer", "description": "The person's user id."}
        return auto_schema.resolve_serializer(PersonSerializer, direction).ref


class BudgetSerializer(StrictJSON, serializers.ModelSerializer):
    # The client by id, or (for someone without an account yet) by email and name: they are invited.
    client = PersonField(queryset=User.objects.all(), required=False)
    client_email = serializers.EmailField(write_only=True, required=False)
    client_name = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=150)
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
            "client_email",
            "client_name",
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
        # The rules about amounts and dates are the service's; here only which client the budget is for.
        if "client" not in attrs and not attrs.get("client_email"):
            raise serializers.ValidationError({"client": ["Choose the client, or give their email address and name."]})
        return attrs


class LineSerializer(StrictJSON, serializers.ModelSerializer):
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


class SharedSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    digest = serializers.CharField()


class DecisionSerializer(serializers.ModelSerializer):
    by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Decision
        fields = ["outcome", "reasons", "note", "by", "decided_at", "version"]


def _totals(plan: Plan) -> dict[str, str]:
    from plans.checks import plan_totals

    totals = plan_totals(budget=plan.budget.annual_amount, line_costs=(line.annual_cost for line in plan.lines.all()))
    return {**totals.as_dict(), "client_contribution": f"{plan.budget.client_contribution:.2f}"}


_DATETIME = serializers.DateTimeField()  # built once: a field built per row cost more than the rest of `shared`


class PlanSerializer(serializers.ModelSerializer):
    client = PersonSerializer(read_only=True)
    broker = PersonSerializer(read_only=True)
    reviewer = PersonSerializer(read_only=True, allow_null=True)
    outcomes = serializers.SerializerMethodField()
    lines = LineSerializer(many=True, read_only=True)
    totals = serializers.SerializerMethodField()
    review_dates = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    shared = serializers.SerializerMethodField()

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
            "shared",
            "renews",
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

    def get_review_dates(self, plan: Plan) -> dict[str, str | None] | None:
        if plan.review_first_on is None:
            return None
        # `next` is null once a review ended the plan, or once next year's plan replaced it.
        following = plan.review_next_on.isoformat() if plan.review_next_on else None
        return {"first": plan.review_first_on.isoformat(), "next": following}

    def get_decision(self, plan: Plan) -> dict[str, Any] | None:
        decision = selectors.plan_latest_decision(plan)
        return self._decision_serializer.to_representation(decision) if decision else None

    @cached_property
    def _decision_serializer(self) -> DecisionSerializer:
        # One for the whole list: a serializer built per row deep-copies its fields each time, which was most of a
        # page of plans' time at scale (issue 19).
        return DecisionSerializer(context=self.context)

    @extend_schema_field(SharedSerializer(allow_null=True))
    def get_shared(self, plan: Plan) -> dict[str, Any] | None:
        if plan.shared_at is None:
            return None
        return {"at": _DATETIME.to_representation(plan.shared_at), "digest": plan.shared_digest}


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


class PlanCreateSerializer(StrictJSON, serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    budget = serializers.PrimaryKeyRelatedField(queryset=Budget.objects.all())


class OutcomeDescriptionSerializer(StrictJSON, serializers.Serializer):
    code = serializers.ChoiceField(choices=Outcome.choices)
    description = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class PlanUpdateSerializer(StrictJSON, serializers.Serializer):
    summary = serializers.CharField(max_length=10000, allow_blank=True, required=False)
    outcomes = OutcomeDescriptionSerializer(many=True, required=False, max_length=len(Outcome.values))  # type: ignore[call-arg]
    budget = serializers.PrimaryKeyRelatedField(
        queryset=Budget.objects.all(), required=False, help_text="Move the plan to the client's current budget."
    )


class AgreeSerializer(StrictJSON, serializers.Serializer):
    digest = serializers.CharField(max_length=64, help_text="The `shared.digest` of the version the client read.")


class ReasonsSerializer(StrictJSON, serializers.Serializer):
    # The service says when reasons are missing, after it has checked the person (403 comes before 400).
    reasons = serializers.ListField(
        child=serializers.CharField(max_length=2000, allow_blank=True), required=False, default=list, max_length=50
    )


class NoteSerializer(StrictJSON, serializers.Serializer):
    note = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")


# --- After approval: reviews of a plan ----------------------------------------------------------------------------


class ReviewOutcomeSerializer(StrictJSON, serializers.Serializer):
    code = serializers.ChoiceField(choices=Outcome.choices)
    progress = serializers.ChoiceField(choices=ReviewProgress.choices)
    note = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")


class PlanReviewCreateSerializer(StrictJSON, serializers.Serializer):
    """What a reviewer sends; that every assessed outcome is there is checked by the service (it knows the plan)."""

    held_on = serializers.DateField()
    outcomes = ReviewOutcomeSerializer(many=True, max_length=len(Outcome.values) * 2)  # type: ignore[call-arg]
    client_view = serializers.CharField(max_length=10000, allow_blank=True, required=False, default="")
    summary = serializers.CharField(max_length=10000, allow_blank=True, required=False, default="")
    result = serializers.ChoiceField(choices=ReviewResult.choices)


class OutcomeViewSerializer(serializers.ModelSerializer):
    by = PersonSerializer(read_only=True)

    class Meta:
        model = OutcomeView
        fields = ["outcome", "by", "text", "updated_at"]


class PlanReviewSerializer(serializers.ModelSerializer):
    by = PersonSerializer(read_only=True)
    outcomes = ReviewOutcomeSerializer(many=True, read_only=True)
    views = OutcomeViewSerializer(source="views_before", many=True, read_only=True)

    class Meta:
        model = PlanReview
        fields = [
            "id",
            "plan",
            "held_on",
            "outcomes",
            "client_view",
            "summary",
            "result",
            "next_review_on",
            "views",
            "by",
            "created_at",
        ]
        read_only_fields = fields
