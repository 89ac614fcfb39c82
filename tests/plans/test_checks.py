"""The pure plan check and the money maths, with hypothesis properties."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans import selectors, services
from plans.checks import LineData, PlanData, check_plan, suspicious_words
from plans.models import TIMES_A_YEAR, PlanLine, annual_cost
from tests.plans.helpers import agree, plan_events

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999.99"), places=2)
units = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2)
frequencies = st.sampled_from(list(TIMES_A_YEAR))
outcome_codes = st.sampled_from(["relationships", "community_and_recreation", "nutrition"])


def line(**kwargs):
    defaults = {
        "id": 1,
        "description": "Art class",
        "category": "art_class",
        "annual_cost": Decimal("100.00"),
        "outcomes": ("relationships",),
    }
    return LineData(**{**defaults, **kwargs})


def codes(result):
    return {(issue.code, issue.severity, issue.line) for issue in result.issues}


@given(unit_cost=money, quantity=units, frequency=frequencies)
def test_annual_cost_is_rounded_half_up_to_pennies(unit_cost, quantity, frequency):
    cost = annual_cost(unit_cost, quantity, frequency)
    exact = unit_cost * quantity * TIMES_A_YEAR[frequency]
    assert cost.as_tuple().exponent == -2
    assert abs(cost - exact) <= Decimal("0.005")
    if exact - exact.quantize(Decimal("0.01"), rounding="ROUND_DOWN") == Decimal("0.005"):
        assert cost > exact


def test_half_a_penny_rounds_up():
    assert annual_cost(Decimal("0.05"), Decimal("0.01"), "once") == Decimal("0.00")  # 0.0005
    assert annual_cost(Decimal("0.50"), Decimal("0.01"), "once") == Decimal("0.01")  # 0.005
    assert annual_cost(Decimal("1.25"), Decimal("0.50"), "weekly") == Decimal("32.50")
    assert annual_cost(Decimal("3.33"), Decimal("1.50"), "monthly") == Decimal("59.94")


@given(
    budget=money,
    lines=st.lists(st.tuples(money, units, frequencies, st.lists(outcome_codes, max_size=2)), max_size=6),
    assessed=st.lists(outcome_codes, min_size=1, max_size=3, unique=True),
)
def test_totals_and_errors_follow_the_lines(budget, lines, assessed):
    data = PlanData(
        budget=budget,
        assessed_outcomes=assessed,
        lines=[line(id=n, annual_cost=annual_cost(c, u, f), outcomes=o) for n, (c, u, f, o) in enumerate(lines)],
    )
    result = check_plan(data)
    assert result.totals.annual == sum((annual_cost(c, u, f) for c, u, f, _ in lines), Decimal("0"))
    assert result.totals.remaining == budget - result.totals.annual
    errors = {issue.code for issue in result.errors}
    assert ("over_budget" in errors) == (result.totals.remaining < 0)
    assert ("no_lines" in errors) == (not lines)
    covered = {code for *_, outcomes in lines for code in outcomes}
    assert {i.message for i in result.issues if i.code == "outcome_not_covered"}.__len__() == len(
        set(assessed) - covered
    )
    assert result.ok == (not errors)
    assert result.as_dict()["totals"]["remaining"] == f"{budget - result.totals.annual:.2f}"


@pytest.mark.parametrize("category", ["gambling", "debt_repayment", "alcohol", "tobacco", "health_care"])
def test_prohibited_categories_are_errors_on_their_line(category):
    result = check_plan(PlanData(Decimal("500"), ["relationships"], [line(id=7, category=category)]))
    assert ("prohibited_spend", "error", 7) in codes(result)
    assert not result.ok


@pytest.mark.parametrize("category", ["brokerage_fee", "equipment", "transport", "personal_assistant", "yoga", "gym"])
def test_allowed_categories_pass(category):
    result = check_plan(PlanData(Decimal("500"), ["relationships"], [line(category=category)]))
    assert result.ok and result.issues == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Betting shop trips", ["betting"]),
        ("CASINO night and a Lottery ticket", ["casino", "lottery"]),
        ("Wine tasting, beer and cigarettes", ["beer", "cigarettes", "wine"]),
        ("Vape shop", ["vape"]),
        ("Pay off a loan", ["loan"]),
        ("Alphabet soup cooking, swine sanctuary visit, pottery and rambling", []),
        ("Wine&Beer night, CASINO's trip", ["beer", "casino", "wine"]),
        ("e-cigarettes / vape-shop", ["cigarettes", "vape"]),
        ("b3tting app and a lotery ticket", ["b3tting", "lotery"]),
        ("Café cigarettés", ["cigarettes"]),
        ("Gym membership", []),
    ],
)
def test_suspicious_words_are_whole_words_in_any_case(text, words):
    assert suspicious_words(text) == words


def test_warnings_never_block():
    result = check_plan(
        PlanData(
            Decimal("500"),
            ["relationships"],
            [line(id=3, description="Wine and art evening", listing_id=9, listing_stale=True, organization_id=4)],
            broker_interest_organization_ids=frozenset({4}),
        )
    )
    assert codes(result) == {
        ("possible_prohibited", "warning", 3),
        ("stale_listing", "warning", 3),
        ("broker_interest", "warning", 3),
    }
    assert result.ok
    assert all(issue.message.endswith(".") and len(issue.message) > 20 for issue in result.issues)


def test_unavailable_listing_is_an_error():
    result = check_plan(PlanData(Decimal("500"), [], [line(id=2, listing_id=5, listing_unavailable=True)]))
    assert codes(result) == {("listing_unavailable", "error", 2)}


def test_over_budget_message_names_the_amounts():
    result = check_plan(PlanData(Decimal("100.00"), [], [line(annual_cost=Decimal("1250.50"))]))
    (issue,) = result.errors
    assert issue.code == "over_budget" and issue.line is None
    assert "£1,250.50" in issue.message and "£1,150.50" in issue.message


def test_broker_interest_and_stale_listing_from_the_database(api, plan, broker_user):
    from tests.plans.factories import InterestFactory, ListingFactory

    listing = ListingFactory(last_reviewed_on="2020-01-01")
    InterestFactory(broker__user=broker_user, organization=listing.organization)
    added = services.line_add(plan=plan, by=broker_user, listing=listing, frequency="monthly")
    issues = api(broker_user).get(f"/api/v1/plans/{plan.pk}/check").json()["issues"]
    assert {(i["code"], i["line"]) for i in issues} == {("broker_interest", added.pk), ("stale_listing", added.pk)}


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(costs=st.lists(st.tuples(money, units, frequencies), min_size=1, max_size=4), bad=st.booleans())
def test_writes_keep_totals_honest_clear_agreement_and_never_half_save(plan, client_user, broker_user, api, costs, bad):
    PlanLine.objects.filter(plan=plan).delete()
    for unit_cost, quantity, frequency in costs:
        services.line_add(
            plan=plan,
            by=broker_user,
            description="x",
            category="gym",
            unit_cost=unit_cost,
            units=quantity,
            frequency=frequency,
        )
        plan.refresh_from_db()
        assert plan.client_agreed_at is None and plan.shared_at is None  # a write takes back what was shared
        if selectors.plan_run_check(plan).ok:
            agree(plan, client_user)
    before = (plan.lines.count(), plan_events(plan).count(), plan.version)
    if bad:
        with pytest.raises(services.PlanError):
            services.line_add(
                plan=plan,
                by=broker_user,
                description="y",
                category="gym",
                unit_cost=Decimal("1"),
                frequency="weekly",
                outcomes=["toilet"],
            )
        assert (plan.lines.count(), plan_events(plan).count(), plan.version) == before
    totals = api(broker_user).get(f"/api/v1/plans/{plan.pk}").json()["totals"]
    expected = sum((annual_cost(c, u, f) for c, u, f in costs), Decimal("0"))
    assert Decimal(totals["annual"]) == expected
    assert Decimal(totals["remaining"]) == plan.budget.annual_amount - expected
