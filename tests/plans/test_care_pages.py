"""Care in the plan pages (issue 17), through Django's test client: the budget form's messages and date input,
the builder's announcements and its no-JavaScript error summary, the status tracker after "changes requested",
check your answers before a KMPT decision, and plain words for money, dates and outcomes."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.test import Client

from plans import services
from plans.models import Budget, Plan, PlanStatus
from plans.tasks import process_submission
from plans.templatetags.plans_tags import line_cost, price
from tests.factories import UserFactory
from tests.plans.factories import LineFactory, ListingFactory
from tests.plans.helpers import agree

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_review(plan, client_user) -> Plan:
    agree(plan, client_user)
    services.plan_submit(plan=plan, by=client_user)
    process_submission(plan.pk, plan.version)
    return Plan.objects.get(pk=plan.pk)


class _FormData(HTMLParser):
    """What a browser would send for each form on a page, exactly as the page shows it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = True
            self.forms.append({})
        if not self._in_form or tag != "input" or not attrs.get("name"):
            return
        if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
            return
        self.forms[-1].setdefault(attrs["name"], []).append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def form_as_shown(html: str, having: str) -> dict[str, list[str]]:
    """The form on the page with a field named `having`."""
    parser = _FormData()
    parser.feed(html)
    return next(form for form in parser.forms if having in form)


def messages_in(page: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r'<span class="nhsuk-error-message"[^>]*>.*?</span>(.*?)</span>', page, re.S)
    ]


# --- 2. The budget form ---------------------------------------------------------------------------------------------


def test_an_empty_budget_form_says_how_to_fix_each_field_not_this_field_is_required(reviewer_user, client_user):
    page = as_user(reviewer_user).post(f"/budgets/clients/{client_user.pk}/", {"council": ""}).content.decode()
    assert re.search(r"<title>\s*Error: Budget for", page)
    assert "This field is required" not in page
    assert set(messages_in(page)) == {
        "Select the council that pays the personal budget",
        "Select the client&#x27;s eligibility from the assessment",
        "Enter the yearly budget in pounds, such as 12000",
        "Enter the client&#x27;s own contribution a year in pounds, or 0 if they pay nothing",
        "Enter the date of the assessment",
        "Enter the date of the next review",
        "Select at least one outcome the client needs support with",
        "Select how the money is paid",
    }


def budget_form(**changes) -> dict[str, object]:
    form = {
        "council": "kent",
        "eligibility": "substantial",
        "annual_amount": "2400",
        "client_contribution": "0",
        "assessed_on_day": "1",
        "assessed_on_month": "4",
        "assessed_on_year": "2026",
        "review_on_day": "1",
        "review_on_month": "4",
        "review_on_year": "2027",
        "outcomes": ["nutrition", "relationships"],
        "payment_route": "kent_card",
    }
    return {**form, **changes}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"assessed_on_day": "31", "assessed_on_month": "2"}, "The date of the assessment must be a real date"),
        ({"assessed_on_month": ""}, "The date of the assessment must include a month"),
        ({"review_on_day": "", "review_on_year": ""}, "The date of the next review must include a day and a year"),
        ({"assessed_on_year": "26"}, "The year must include 4 numbers, such as 2026"),
        ({"assessed_on_day": "first"}, "The date of the assessment must be a real date, written in numbers"),
        ({"annual_amount": "lots"}, "The yearly budget must be an amount in pounds, such as 12000"),
        ({"annual_amount": "-5"}, "The yearly budget must be £0 or more"),
    ],
)
def test_a_wrong_date_or_amount_gets_a_message_that_says_what_is_wrong(reviewer_user, client_user, changes, message):
    page = as_user(reviewer_user).post(f"/budgets/clients/{client_user.pk}/", budget_form(**changes)).content.decode()
    assert message in page
    assert not Budget.objects.filter(client=client_user).exists()


def test_dates_are_day_month_and_year_boxes_with_a_hint(reviewer_user, client_user):
    page = as_user(reviewer_user).get(f"/budgets/clients/{client_user.pk}/").content.decode()
    for name in ("assessed_on", "review_on"):
        for part in ("day", "month", "year"):
            assert f'name="{name}_{part}"' in page
    assert 'class="nhsuk-date-input"' in page and "For example, 1 4 2026" in page
    assert 'type="date"' not in page


def test_money_may_be_written_as_people_write_it(reviewer_user, client_user):
    response = as_user(reviewer_user).post(
        f"/budgets/clients/{client_user.pk}/", budget_form(annual_amount="£12,000.50")
    )
    assert response.status_code == 302
    assert Budget.objects.get(client=client_user).annual_amount == Decimal("12000.50")


def test_the_correction_form_shows_the_stored_dates_and_saving_it_unchanged_works(reviewer_user, client_user):
    """The bug: a UK-formatted date in a date input showed blank, and saving the form unchanged failed."""
    reviewer = as_user(reviewer_user)
    assert reviewer.post(f"/budgets/clients/{client_user.pk}/", budget_form()).status_code == 302
    page = reviewer.get(f"/budgets/clients/{client_user.pk}/").content.decode()
    shown = form_as_shown(page, having="council")
    assert (shown["assessed_on_day"], shown["assessed_on_month"], shown["assessed_on_year"]) == (["1"], ["4"], ["2026"])
    assert (shown["review_on_day"], shown["review_on_month"], shown["review_on_year"]) == (["1"], ["4"], ["2027"])

    response = reviewer.post(f"/budgets/clients/{client_user.pk}/", shown)
    assert response.status_code == 302, messages_in(response.content.decode())
    budgets = list(Budget.objects.filter(client=client_user).order_by("-created_at", "-pk"))
    assert len(budgets) == 2
    assert (budgets[0].assessed_on, budgets[0].review_on) == (budgets[1].assessed_on, budgets[1].review_on)
    assert budgets[0].outcomes == ["nutrition", "relationships"]


# --- 1. The builder without JavaScript, and what it tells htmx -------------------------------------------------------


def test_a_failed_add_without_javascript_puts_the_focused_error_summary_at_the_top(plan, broker_user):
    response = as_user(broker_user).post(f"/plans/{plan.pk}/lines/add/", {"description": "", "unit_cost": "abc"})
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<title>\s*Error: ", page)
    summary = page.index('data-testid="error-summary-top"')
    assert summary < page.index("<h1")
    assert re.search(r'<div class="nhsuk-error-summary"[^>]*autofocus[^>]*data-testid="error-summary-top"', page)
    assert page.count('class="nhsuk-error-summary"') == 1  # not again beside the form


def test_a_page_without_errors_has_no_error_in_its_title(plan, broker_user):
    page = as_user(broker_user).get(f"/plans/{plan.pk}/").content.decode()
    assert not re.search(r"<title>\s*Error", page)
    assert 'id="builder-live" role="status" aria-live="polite"' in page  # the live region is there from the start


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_adding_with_htmx_says_what_was_added_and_the_money_left_and_where_focus_goes(plan, broker_user):
    listing = ListingFactory(title="Yoga", organization__name="Oak Hall", cost=Decimal("10.00"))
    form = {
        "listing": listing.pk,
        "description": "Yoga",
        "category": "yoga",
        "unit_cost": "10.00",
        "units": "1",
        "frequency": "once",
        "outcomes": ["relationships"],
    }
    response = as_user(broker_user).post(f"/plans/{plan.pk}/lines/add/", form, **HTMX)
    page = response.content.decode()
    line = plan.lines.get(description="Yoga")
    # The plan's other line costs £520 a year (£10 a week): £2,000 - £520 - £10 leaves £1,470.
    assert 'data-announce="Added Yoga at Oak Hall. £1,470.00 left of £2,000.00 a year."' in page
    assert f'data-focus="#line-{line.pk}-title"' in page
    assert f'id="line-{line.pk}-title" tabindex="-1"' in page
    assert "£10.00 one-off" in page  # not "£10.00 a year"


def test_removing_with_htmx_says_what_went_and_focuses_the_list(plan, broker_user):
    line = plan.lines.get()
    page = as_user(broker_user).post(f"/plans/{plan.pk}/lines/{line.pk}/remove/", **HTMX).content.decode()
    assert 'data-announce="Removed Weekly art class. £2,000.00 left of £2,000.00 a year."' in page
    assert 'data-focus="#lines"' in page


def test_a_failed_add_with_htmx_focuses_the_summary_beside_the_form(plan, broker_user):
    page = as_user(broker_user).post(f"/plans/{plan.pk}/lines/add/", {"description": ""}, **HTMX).content.decode()
    assert 'data-focus="#line-form .nhsuk-error-summary"' in page
    assert 'data-testid="error-summary-top"' not in page  # htmx swaps only the workspace


def test_choosing_a_listing_with_htmx_moves_focus_to_its_form(plan, broker_user):
    listing = ListingFactory(title="Gentle yoga", organization__name="Beaney Wellbeing")
    page = as_user(broker_user).get(f"/plans/{plan.pk}/", {"listing": listing.pk}, **HTMX).content.decode()
    assert 'data-focus="#line-form-heading"' in page
    assert "Gentle yoga from Beaney Wellbeing chosen" in page


# --- 3. The status tracker after "changes requested" -----------------------------------------------------------------


def changes_requested(plan, client_user, reviewer_user) -> Plan:
    plan = in_review(plan, client_user)
    services.plan_claim(plan=plan, by=reviewer_user)
    return services.plan_decide(
        plan=Plan.objects.get(pk=plan.pk), by=reviewer_user, outcome="changes_requested", reasons=["Name the venue"]
    )


def step_states(page: str) -> list[tuple[str, str]]:
    found = re.findall(r'<li class="plans-step--\w+" data-state="(\w+)">.*?</span>(.*?)<br>', page, re.S)
    return [(state, label.strip()) for state, label in found]


def test_after_changes_are_asked_for_no_later_step_is_shown_as_done(plan, client_user, reviewer_user, broker_user):
    plan = changes_requested(plan, client_user, reviewer_user)
    page = as_user(client_user).get(f"/plans/{plan.pk}/").content.decode()
    steps = step_states(page)
    assert steps[0] == ("stopped", "KMPT asked for changes to version 1")
    assert steps[1] == ("current", "Plan changed and agreed by the client")
    assert all(state == "todo" for state, _ in steps[2:])
    assert "Changes needed: your broker is updating the plan" in page
    assert "usually within 5 working days" in page
    assert "Name the venue" in page

    broker_page = as_user(broker_user).get(f"/plans/{plan.pk}/").content.decode()
    assert "Changes needed: update the plan with" in broker_page
    assert "your broker is updating" not in broker_page  # words for the client are not shown to the broker
    assert step_states(broker_page)[1] == ("current", "Plan changed and agreed by the client")


def test_the_broker_changing_the_plan_keeps_the_tracker_on_the_changes(plan, client_user, reviewer_user, broker_user):
    plan = changes_requested(plan, client_user, reviewer_user)
    services.line_update(line=plan.lines.get(), by=broker_user, description="Art class at the Beaney")
    page = as_user(client_user).get(f"/plans/{plan.pk}/").content.decode()
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    assert "Changes needed: your broker is updating the plan" in page
    assert [state for state, _ in step_states(page)] == ["stopped", "current", "todo", "todo", "todo", "todo"]


def test_while_in_review_the_client_is_told_how_long_kmpt_usually_takes(plan, client_user):
    plan = in_review(plan, client_user)
    page = as_user(client_user).get(f"/plans/{plan.pk}/").content.decode()
    assert "KMPT decides usually within 5 working days of receiving the plan" in page
    assert "We will email you" in page


def test_after_approval_the_broker_sees_a_confirmation_panel(plan, client_user, reviewer_user, broker_user):
    plan = in_review(plan, client_user)
    services.plan_claim(plan=plan, by=reviewer_user)
    services.plan_decide(plan=Plan.objects.get(pk=plan.pk), by=reviewer_user, outcome="approved")
    page = as_user(broker_user).get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-testid="approved-panel-broker"' in page and "The plan is approved" in page
    client_page = as_user(client_user).get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-testid="approved-panel"' in client_page and "Your plan is approved" in client_page


# --- 4. Check your answers before a KMPT decision --------------------------------------------------------------------


def test_a_decision_is_checked_before_it_is_recorded(plan, client_user, reviewer_user):
    plan = in_review(plan, client_user)
    services.plan_claim(plan=plan, by=reviewer_user)
    reviewer = as_user(reviewer_user)
    answers = {"outcome": "declined", "reasons": "Not social care\nAsk the GP", "note": "Sorry"}
    first = reviewer.post(f"/reviews/{plan.pk}/decide/", answers)
    assert first.status_code == 302 and first["Location"] == f"/reviews/{plan.pk}/decide/"
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.IN_REVIEW  # nothing decided by one click

    check = reviewer.get(first["Location"]).content.decode()
    assert "Check your decision before you record it" in check
    assert "Decline the plan" in check and "Not social care" in check and "Ask the GP" in check
    assert check.count(">Change<span") == 3
    assert f'href="/reviews/{plan.pk}/#id_outcome_0"' in check
    assert "cannot be sent again" in check

    # "Change" goes back to the form with the answers kept.
    form_page = reviewer.get(f"/reviews/{plan.pk}/").content.decode()
    assert re.search(r'value="declined" checked', form_page) and "Ask the GP" in form_page

    done = reviewer.post(f"/reviews/{plan.pk}/decide/", {"confirm": "yes"})
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DECLINED
    assert plan.decisions.get().reasons == ["Not social care", "Ask the GP"]
    assert reviewer.get(f"/reviews/{plan.pk}/decide/")["Location"].endswith("#decide")  # the draft is gone


def test_the_check_page_without_answers_goes_back_to_the_form(plan, client_user, reviewer_user):
    plan = in_review(plan, client_user)
    services.plan_claim(plan=plan, by=reviewer_user)
    reviewer = as_user(reviewer_user)
    assert reviewer.get(f"/reviews/{plan.pk}/decide/")["Location"] == f"/reviews/{plan.pk}/#decide"
    reviewer.post(f"/reviews/{plan.pk}/decide/", {"confirm": "yes"})
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.IN_REVIEW


def test_another_reviewer_cannot_start_a_decision(plan, client_user, reviewer_user):
    plan = in_review(plan, client_user)
    services.plan_claim(plan=plan, by=reviewer_user)
    other = as_user(UserFactory(role="reviewer"))
    assert other.post(f"/reviews/{plan.pk}/decide/", {"outcome": "approved"}).status_code == 403


# --- 5. Plain words ---------------------------------------------------------------------------------------------------


def test_prices_and_costs_in_plain_words():
    assert price(ListingFactory.build(cost=Decimal("0"))) == "Free"
    assert price(ListingFactory.build(cost=Decimal("45"), cost_unit="once")) == "£45.00 one-off"
    assert price(ListingFactory.build(cost=Decimal("1250"), cost_unit="session")) == "£1,250.00 a session"
    assert price(ListingFactory.build(cost=Decimal("8"), cost_unit="hour")) == "£8.00 an hour"
    assert line_cost({"frequency": "once", "annual_cost": "45.00"}) == "£45.00 one-off"
    assert line_cost({"frequency": "weekly", "annual_cost": "1300.00"}) == "£1,300.00 a year"
    assert line_cost({"frequency": "weekly", "annual_cost": "0.00"}) == "Free"


def test_the_client_reads_short_outcome_names_with_the_full_name_as_a_hint(plan, client_user):
    LineFactory(plan=plan, description="Theatre trip", frequency="once", unit_cost=Decimal("45.00"))
    agree(plan, client_user)
    page = as_user(client_user).get(f"/plans/{plan.pk}/").content.decode()
    assert "Getting out and about</h3>" in page
    assert "Care Act outcome: using facilities or services in the community" in page
    assert "£45.00 one-off" in page and "a once" not in page and "£45.00 once" not in page


def test_the_pdf_writes_money_and_dates_in_plain_words(plan, client_user):
    from plans import record, selectors

    budget = plan.budget
    budget.annual_amount, budget.client_contribution = Decimal("12000.00"), Decimal("0.00")
    budget.save()
    LineFactory(plan=plan, description="Theatre trip", frequency="once", unit_cost=Decimal("45.00"))
    snapshot = record.plan_record(plan, selectors.plan_run_check(plan))
    html = render_to_string("plans/plan_pdf.html", {"plan": snapshot, "version": None})
    assert "£12,000.00" in html and "10 January 2025 / 10 January 2026" in html
    assert "£45.00 one-off" in html and '<td class="money">None</td>' in html  # no contribution, not "£0.00"
    assert "2025-01-10" not in html and "£12000" not in html
    assert "Getting out and about" in html and "116 123" in html


def test_reviewers_see_one_off_costs_as_one_off_and_what_changed_between_versions(plan, client_user, reviewer_user):
    LineFactory(plan=plan, description="Theatre trip", frequency="once", unit_cost=Decimal("45.00"))
    plan = in_review(plan, client_user)
    page = as_user(reviewer_user).get(f"/reviews/{plan.pk}/").content.decode()
    assert "£45.00 one-off" in page and "£520.00 a year" in page


def test_the_client_writes_about_outcomes_under_their_short_names(plan, client_user, reviewer_user):
    from tests.plans.helpers import approve

    approve(plan, reviewer_user)
    page = as_user(client_user).get(f"/plans/{plan.pk}/my-view/").content.decode()
    assert re.search(r">Getting out and about( \(optional\))?</label>", page)
    assert re.search(r">Family and friends( \(optional\))?</label>", page)
    assert "Care Act outcome: using facilities or services in the community" in page
    broker_page = as_user(plan.broker).get(f"/plans/{plan.pk}/my-view/").content.decode()
    assert "Getting out and about" not in broker_page


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/reviews/{pk}/decide/", "Select your decision: approve, ask for changes or decline"),
        ("/plans/{pk}/ask/", "Write what you would like to change"),
    ],
)
def test_other_plan_forms_say_what_to_do_too(plan, client_user, reviewer_user, path, message):
    if "reviews" in path:
        plan = in_review(plan, client_user)
        services.plan_claim(plan=plan, by=reviewer_user)
        user = reviewer_user
    else:
        services.plan_share(plan=plan, by=plan.broker)
        user = client_user
    page = as_user(user).post(path.format(pk=plan.pk), {"note": ""}).content.decode()
    assert message in page and "This field is required" not in page
    assert re.search(r"<title>\s*Error: ", page)


def test_without_javascript_the_message_after_adding_says_the_money_left(plan, broker_user):
    form = {"description": "Swimming", "category": "other", "unit_cost": "5", "units": "1", "frequency": "weekly"}
    response = as_user(broker_user).post(f"/plans/{plan.pk}/lines/add/", form, follow=True)
    # £520 (the art class) and £260 (swimming) of £2,000.
    assert "Draft saved. £1,220.00 left of £2,000.00 a year." in response.content.decode()
    line = plan.lines.get(description="Swimming")
    assert response.redirect_chain[-1][0].endswith(f"#line-{line.pk}")


def test_the_live_status_that_polling_fetches_speaks_to_its_reader(plan, client_user, reviewer_user, broker_user):
    plan = changes_requested(plan, client_user, reviewer_user)
    for user, words in (
        (broker_user, "Changes needed: update the plan with"),
        (client_user, "your broker is updating"),
    ):
        status = as_user(user).get(f"/plans/{plan.pk}/status/", {"since": "in_review-1-0"}, **HTMX).content.decode()
        assert words in status


def _panel(client_user) -> str:
    page = as_user(client_user).get("/dashboard/").content.decode()
    return page[page.index('data-testid="client-plans-panel"') :]


def test_the_client_dashboard_says_where_a_draft_is_not_just_draft(plan, client_user):
    assert "Being written" in _panel(client_user) and ">Draft<" not in _panel(client_user)
    services.plan_share(plan=plan, by=plan.broker)
    assert "Ready to read and agree" in _panel(client_user)
    agree(Plan.objects.get(pk=plan.pk), client_user)
    assert "Agreed" in _panel(client_user) and "Ready to read and agree" not in _panel(client_user)
