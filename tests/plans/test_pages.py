"""The plan pages through Django's test client: who may open what (allowed, refused, 404), and the no-JavaScript
journeys (plain forms and redirects) of reviewers, brokers and clients."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import Role
from plans import services
from plans.models import Budget, Plan, PlanStatus
from plans.tasks import process_submission
from tests.factories import UserFactory
from tests.plans.factories import BudgetFactory, EngagementFactory, LineFactory, ListingFactory
from tests.plans.helpers import agree, plan_events, share

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def people(client_user, broker_user, reviewer_user, others):
    return {
        "client": client_user,
        "broker": broker_user,
        "reviewer": reviewer_user,
        "other_reviewer": UserFactory(role=Role.REVIEWER),
        **others,
    }


def decide(reviewer: Client, plan, answers: dict, **kwargs):
    """A decision as a reviewer makes it: the answers, then the confirm button on the check-your-answers page."""
    reviewer.post(f"/reviews/{plan.pk}/decide/", answers)
    return reviewer.post(f"/reviews/{plan.pk}/decide/", {"confirm": "yes"}, **kwargs)


def in_review(plan, client_user):
    agree(plan, client_user)
    services.plan_submit(plan=plan, by=client_user)
    process_submission(plan.pk, plan.version)
    return Plan.objects.get(pk=plan.pk)


# --- Who may open what ---------------------------------------------------------------------------------------------

DRAFT_PLAN_PAGES = {
    # who: status of /plans/<id>/, /versions/, /pdf/, /status/ on a draft plan
    "client": (200, 200, 200, 200),
    "broker": (200, 200, 200, 200),
    "reviewer": (404, 404, 404, 404),  # reviewers see plans only once submitted
    "other_client": (404, 404, 404, 404),
    "other_broker": (404, 404, 404, 404),
    "provider": (404, 404, 404, 404),
    "admin": (404, 404, 404, 404),
}


@pytest.mark.parametrize("who", DRAFT_PLAN_PAGES)
def test_a_draft_plan_is_seen_by_its_client_and_broker_only(who, people, plan):
    client = as_user(people[who])
    paths = [f"/plans/{plan.pk}/", f"/plans/{plan.pk}/versions/", f"/plans/{plan.pk}/pdf/", f"/plans/{plan.pk}/status/"]
    assert tuple(client.get(path).status_code for path in paths) == DRAFT_PLAN_PAGES[who]


def test_anonymous_people_are_sent_to_log_in(plan):
    for path in (f"/plans/{plan.pk}/", "/plans/", "/reviews/", "/budgets/", "/notifications/", f"/reviews/{plan.pk}/"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path


ROLE_PAGES = {
    # who: /plans/, /plans/new/, /budgets/, /reviews/, /notifications/
    "client": (200, 403, 403, 403, 200),
    "broker": (200, 200, 403, 403, 200),
    "reviewer": (302, 403, 200, 200, 200),
    "provider": (403, 403, 403, 403, 200),
    "admin": (403, 403, 403, 403, 200),
}


@pytest.mark.parametrize("who", ROLE_PAGES)
def test_each_role_opens_its_own_desks(who, people):
    client = as_user(people[who])
    paths = ["/plans/", "/plans/new/", "/budgets/", "/reviews/", "/notifications/"]
    assert tuple(client.get(path).status_code for path in paths) == ROLE_PAGES[who]


REVIEW_PAGE = {
    "reviewer": 200,
    "other_reviewer": 200,
    "client": 403,
    "broker": 403,
    "other_client": 404,
    "other_broker": 404,
    "provider": 404,
    "admin": 404,
}


@pytest.mark.parametrize("who", REVIEW_PAGE)
def test_the_review_page_is_for_reviewers_once_submitted(who, people, submitted_plan):
    assert as_user(people[who]).get(f"/reviews/{submitted_plan.pk}/").status_code == REVIEW_PAGE[who]


def test_a_reviewer_opening_the_plan_page_goes_to_the_review_page(submitted_plan, reviewer_user):
    response = as_user(reviewer_user).get(f"/plans/{submitted_plan.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/reviews/{submitted_plan.pk}/"


@pytest.mark.parametrize("who", ["client", "reviewer", "other_broker", "provider"])
def test_only_the_broker_changes_lines(who, people, plan):
    line = plan.lines.get()
    client = as_user(people[who])
    add = client.post(
        f"/plans/{plan.pk}/lines/add/",
        {"description": "Gym", "category": "gym", "unit_cost": "5", "units": "1", "frequency": "weekly"},
    )
    remove = client.post(f"/plans/{plan.pk}/lines/{line.pk}/remove/")
    edit = client.get(f"/plans/{plan.pk}/lines/{line.pk}/")
    expected = 403 if who == "client" else 404
    assert (add.status_code, remove.status_code, edit.status_code) == (expected, expected, expected)
    assert plan.lines.count() == 1


@pytest.mark.parametrize("who", ["broker", "reviewer", "other_client"])
def test_only_the_client_agrees_and_asks_for_changes(who, people, plan):
    client = as_user(people[who])
    share(plan)
    agree = client.post(f"/plans/{plan.pk}/agree/", {"digest": Plan.objects.get(pk=plan.pk).shared_digest})
    ask = client.post(f"/plans/{plan.pk}/ask/", {"message": "More yoga please"})
    expected = 403 if who == "broker" else 404
    assert (agree.status_code, ask.status_code) == (expected, expected)
    assert Plan.objects.get(pk=plan.pk).client_agreed_at is None


def test_only_the_plans_reviewer_decides_and_others_must_take_over_first(plan, client_user, people):
    plan = in_review(plan, client_user)
    other = as_user(people["other_reviewer"])
    page = other.get(f"/reviews/{plan.pk}/")
    assert "Take over this review" in page.content.decode() and "Your decision" not in page.content.decode()
    assert other.post(f"/reviews/{plan.pk}/decide/", {"outcome": "approved"}).status_code == 403
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.IN_REVIEW
    other.post(f"/reviews/{plan.pk}/claim/")
    assert decide(other, plan, {"outcome": "approved"}).status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED


# --- Reviewers: budgets ----------------------------------------------------------------------------------------------


def test_a_reviewer_finds_a_client_by_name_or_email_records_a_budget_and_corrects_it(reviewer_user):
    sam = UserFactory(role=Role.CLIENT, name="Sam Patel", email="sam.patel@example.org")
    UserFactory(role=Role.BROKER, name="Sam Broker")
    client = as_user(reviewer_user)
    by_name = client.get("/budgets/", {"q": "patel"}).content.decode()
    assert "Sam Patel" in by_name and "Sam Broker" not in by_name
    assert "Sam Patel" in client.get("/budgets/", {"q": "SAM.PATEL@example.org"}).content.decode()

    form = {
        "council": "kent",
        "eligibility": "substantial",
        "annual_amount": "2400.00",
        "client_contribution": "0",
        "assessed_on": "2025-03-01",
        "review_on": "2026-03-01",
        "outcomes": ["community_and_recreation", "relationships"],
        "payment_route": "kent_card",
    }
    response = client.post(f"/budgets/clients/{sam.pk}/", form)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Correct the budget for Sam Patel" in page and "£2,400.00" in page
    assert 'value="2400.00"' in page  # the correction starts from the current budget

    client.post(f"/budgets/clients/{sam.pk}/", {**form, "annual_amount": "2600.00"})
    assert list(Budget.objects.filter(client=sam).values_list("annual_amount", flat=True)) == [
        Decimal("2600.00"),
        Decimal("2400.00"),
    ]


def test_a_budget_with_a_review_before_its_assessment_is_refused_with_a_message(reviewer_user, client_user):
    form = {
        "council": "kent",
        "eligibility": "low",
        "annual_amount": "100",
        "client_contribution": "0",
        "assessed_on": "2025-03-01",
        "review_on": "2025-01-01",
        "outcomes": ["nutrition"],
        "payment_route": "kent_card",
    }
    response = as_user(reviewer_user).post(f"/budgets/clients/{client_user.pk}/", form)
    assert response.status_code == 200
    assert "The review date cannot be before the assessment date." in response.content.decode()
    assert not Budget.objects.filter(client=client_user).exists()


def test_budgets_are_only_recorded_for_clients(reviewer_user, broker_user):
    assert as_user(reviewer_user).get(f"/budgets/clients/{broker_user.pk}/").status_code == 404


# --- Brokers: the builder without JavaScript -----------------------------------------------------------------------


@pytest.fixture
def fresh_client(broker_user, reviewer_user):
    """A client the broker works with, with a budget and no plan."""
    budget = BudgetFactory(
        recorded_by=reviewer_user, annual_amount=Decimal("1000.00"), outcomes=["community_and_recreation"]
    )
    EngagementFactory(client=budget.client, broker=broker_user)
    return budget.client


def test_a_broker_builds_a_plan_from_a_listing_sees_the_meter_and_the_error_and_fixes_it(broker_user, fresh_client):
    listing = ListingFactory(title="Gentle yoga at the Beaney", category="yoga", cost=Decimal("25.00"))
    broker = as_user(broker_user)
    started = broker.post("/plans/new/", {"client": fresh_client.pk})
    plan = Plan.objects.get(client=fresh_client)
    assert started["Location"] == f"/plans/{plan.pk}/"

    empty = broker.get(started["Location"]).content.decode()
    assert "The plan has nothing in it yet" in empty and "£1,000.00" in empty

    found = broker.get(f"/plans/{plan.pk}/", {"q": "yoga"}).content.decode()
    assert "Gentle yoga at the Beaney" in found and f"?listing={listing.pk}" in found
    chosen = broker.get(f"/plans/{plan.pk}/", {"listing": listing.pk}).content.decode()
    assert 'value="Gentle yoga at the Beaney"' in chosen and 'value="25.00"' in chosen

    added = broker.post(
        f"/plans/{plan.pk}/lines/add/",
        {
            "listing": listing.pk,
            "description": "Gentle yoga at the Beaney",
            "category": "yoga",
            "unit_cost": "25.00",
            "units": "1",
            "frequency": "weekly",
            "outcomes": ["community_and_recreation"],
        },
    )
    assert added.status_code == 302
    page = broker.get(f"/plans/{plan.pk}/").content.decode()
    assert "Over budget by" in page and "£300.00" in page  # 52 x £25 = £1,300 against £1,000
    assert "more than the budget of £1,000.00" in page
    line = plan.lines.get()
    assert line.listing == listing

    broker.post(
        f"/plans/{plan.pk}/lines/{line.pk}/",
        {
            "description": "Gentle yoga at the Beaney",
            "category": "yoga",
            "unit_cost": "25.00",
            "units": "1",
            "frequency": "monthly",
            "outcomes": ["community_and_recreation"],
        },
    )
    fixed = broker.get(f"/plans/{plan.pk}/").content.decode()
    assert "Over budget" not in fixed and "£700.00" in fixed and "£300.00 a year" in fixed


def test_the_check_warnings_sit_beside_the_line_they_concern(plan, broker_user):
    flagged = LineFactory(plan=plan, description="Wine tasting club", category="other", unit_cost=Decimal("5"))
    page = as_user(broker_user).get(f"/plans/{plan.pk}/").content.decode()
    line_block = page.split(f'data-testid="line-{flagged.pk}"')[1].split('class="plans-line"')[0]
    assert 'data-testid="issue-possible_prohibited"' in line_block


def test_an_invalid_line_keeps_what_was_typed_and_saves_nothing(plan, broker_user):
    response = as_user(broker_user).post(
        f"/plans/{plan.pk}/lines/add/",
        {
            "description": "Swimming lessons",
            "category": "other",
            "unit_cost": "-3",
            "units": "1",
            "frequency": "weekly",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and 'value="Swimming lessons"' in page
    assert plan.lines.count() == 1


def test_every_form_post_saves_the_draft_and_says_so(plan, broker_user):
    broker = as_user(broker_user)
    response = broker.post(
        f"/plans/{plan.pk}/details/",
        {"summary": "Getting out more", "outcome_relationships": "See my sister every week"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.summary == "Getting out more"
    assert plan.outcome_descriptions["relationships"] == "See my sister every week"
    assert "Draft saved." in broker.get(response["Location"]).content.decode()


def test_a_broker_cannot_start_a_plan_for_a_client_they_do_not_work_with(broker_user, reviewer_user):
    stranger = BudgetFactory(recorded_by=reviewer_user).client
    response = as_user(broker_user).post("/plans/new/", {"client": stranger.pk})
    assert response.status_code == 200 and not Plan.objects.filter(client=stranger).exists()


# --- Clients ---------------------------------------------------------------------------------------------------------


def test_the_client_reads_the_plan_in_plain_english_agrees_and_sends_it(plan, client_user):
    client = as_user(client_user)
    before = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "is writing your plan" in before and "I agree with this plan" not in before  # nothing half-built
    share(plan)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    for words in (
        "What",
        "How often",
        "Every week: 1 at £10.00 each",
        "£520.00 a year",
        "Left over",
        "£1,480.00",
        "I agree with this plan",
        "Sent to KMPT",
    ):
        assert words in page, words
    digest = Plan.objects.get(pk=plan.pk).shared_digest
    assert f'value="{digest}"' in page  # the agreement names the version read
    assert client.post(f"/plans/{plan.pk}/agree/", {"digest": digest}).status_code == 302
    assert "You agreed on" in client.get(f"/plans/{plan.pk}/").content.decode()
    client.post(f"/plans/{plan.pk}/submit/")
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    status = client.get(f"/plans/{plan.pk}/status/").content.decode()
    assert 'hx-trigger="every 3s"' in status and "Automatic checks" in status


def test_the_client_asks_the_broker_for_a_change_in_their_conversation(plan, client_user, broker_user):
    from brokers.models import Message

    response = as_user(client_user).post(f"/plans/{plan.pk}/ask/", {"message": "Could I try swimming instead?"})
    assert response.status_code == 302
    event = plan_events(plan).get(action="change_asked")
    assert event.by == client_user
    assert Message.objects.filter(sender=client_user, body="Could I try swimming instead?").exists()
    assert broker_user.notifications.get().kind == "change_asked"
    assert "swimming" not in str(event.data) and "swimming" not in broker_user.notifications.get().text


def test_withdrawing_asks_first_then_withdraws(plan, broker_user):
    broker = as_user(broker_user)
    assert "Withdraw the plan?" in broker.get(f"/plans/{plan.pk}/withdraw/").content.decode()
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    broker.post(f"/plans/{plan.pk}/withdraw/")
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.WITHDRAWN
    again = broker.post(f"/plans/{plan.pk}/withdraw/", follow=True)
    assert "This plan can no longer be withdrawn." in again.content.decode()


def test_the_status_partial_answers_nothing_new_while_the_plan_has_not_moved(submitted_plan, client_user):
    client = as_user(client_user)
    first = client.get(f"/plans/{submitted_plan.pk}/status/")
    token = first.content.decode().split("since=")[1].split('"')[0]
    assert client.get(f"/plans/{submitted_plan.pk}/status/", {"since": token}).status_code == 204
    process_submission(submitted_plan.pk, submitted_plan.version)
    moved = client.get(f"/plans/{submitted_plan.pk}/status/", {"since": token})
    assert moved.status_code == 200 and "In review" in moved.content.decode()


def test_a_decided_plan_stops_polling(plan, client_user, reviewer_user):
    plan = in_review(plan, client_user)
    services.plan_decide(plan=plan, by=reviewer_user, outcome="approved", note="Well thought through")
    status = as_user(client_user).get(f"/plans/{plan.pk}/status/").content.decode()
    assert "hx-trigger" not in status and "Well thought through" in status and "First review by" in status


# --- Versions, the difference between them, the PDF ----------------------------------------------------------------


def test_versions_and_a_readable_difference(plan, client_user, broker_user, reviewer_user):
    plan = in_review(plan, client_user)
    services.plan_decide(plan=plan, by=reviewer_user, outcome="changes_requested", reasons=["Add a walking group"])
    line = plan.lines.get()
    services.line_update(line=line, by=broker_user, units=Decimal("2"))
    services.line_add(
        plan=plan,
        by=broker_user,
        description="Walking group",
        category="walking_group",
        unit_cost=Decimal("3.00"),
        units=Decimal("1"),
        frequency="weekly",
        outcomes=[],
    )
    plan = in_review(plan, client_user)
    client = as_user(client_user)
    listing = client.get(f"/plans/{plan.pk}/versions/").content.decode()
    assert "Version 1" in listing and "Version 2" in listing and "Changes requested" in listing
    diff = client.get(f"/plans/{plan.pk}/versions/2/").content.decode()
    assert "What changed since version 1" in diff
    assert "Walking group: £156.00 a year" in diff
    assert "How many each time: <del>1</del> became <ins>2</ins>" in diff
    assert "Cost a year: <del>£520.00</del> became <ins>£1,196.00</ins>" in diff
    assert client.get(f"/plans/{plan.pk}/versions/3/").status_code == 404


def test_the_pdf_page_serves_the_plan_privately(plan, client_user):
    response = as_user(client_user).get(f"/plans/{plan.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"


# --- The reviewer's desk -------------------------------------------------------------------------------------------


def test_the_queue_shows_the_oldest_first_with_filters_and_claims(people, reviewer_user):
    from datetime import timedelta

    from django.utils import timezone

    plans = []
    for days in (1, 12, 3):
        plan = LineFactory(plan__budget__recorded_by=reviewer_user).plan
        agree(plan, plan.client)
        services.plan_submit(plan=plan, by=plan.client)
        Plan.objects.filter(pk=plan.pk).update(submitted_at=timezone.now() - timedelta(days=days))
        plans.append(plan)
    client = as_user(reviewer_user)
    page = client.get("/reviews/").content.decode()
    positions = [page.index(f'data-testid="queue-row-{plan.pk}"') for plan in (plans[1], plans[2], plans[0])]
    assert positions == sorted(positions)
    assert "12 days" in page and "Overdue" in page
    overdue = client.get("/reviews/", {"overdue": "on"}).content.decode()
    assert f"queue-row-{plans[1].pk}" in overdue and f"queue-row-{plans[0].pk}" not in overdue
    client.post(f"/reviews/{plans[0].pk}/claim/", {"next": "/reviews/?mine=on"})
    mine = client.get("/reviews/", {"mine": "on"}).content.decode()
    assert f"queue-row-{plans[0].pk}" in mine and f"queue-row-{plans[1].pk}" not in mine
    unassigned = client.get("/reviews/", {"unassigned": "on"}).content.decode()
    assert f"queue-row-{plans[0].pk}" not in unassigned and f"queue-row-{plans[1].pk}" in unassigned


def test_the_review_page_shows_what_a_reviewer_needs_and_interest_stands_out(
    plan, client_user, broker_user, reviewer_user
):
    from tests.plans.factories import InterestFactory

    listing = ListingFactory(title="Pottery at Jo's studio")
    InterestFactory(broker__user=broker_user, organization=listing.organization)
    services.line_add(
        plan=plan, by=broker_user, listing=listing, units=Decimal("1"), frequency="monthly", outcomes=["relationships"]
    )
    plan = in_review(plan, client_user)
    page = as_user(reviewer_user).get(f"/reviews/{plan.pk}/").content.decode()
    assert 'data-testid="interest-warnings"' in page and "declared link" in page
    for words in (
        "Personal budget and outcomes",
        "The version under review",
        "What happened",
        "Your decision",
        "Pottery at Jo&#x27;s studio",
        "Review started",
        "Sent to KMPT",
    ):
        assert words in page, words


def test_asking_for_changes_or_declining_needs_reasons(plan, client_user, reviewer_user):
    plan = in_review(plan, client_user)
    reviewer = as_user(reviewer_user)
    response = reviewer.post(f"/reviews/{plan.pk}/decide/", {"outcome": "declined", "reasons": "  "})
    assert response.status_code == 200 and "Give at least one reason" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.IN_REVIEW
    decide(reviewer, plan, {"outcome": "changes_requested", "reasons": "Name the venue\nAdd times"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CHANGES_REQUESTED
    assert plan.decisions.get().reasons == ["Name the venue", "Add times"]
    again = reviewer.post(f"/reviews/{plan.pk}/decide/", {"outcome": "approved"}, follow=True)
    assert "not waiting for a decision" in again.content.decode()


def test_deciding_needs_mfa_when_production_requires_it(plan, client_user, reviewer_user, settings):
    plan = in_review(plan, client_user)
    settings.MFA_REQUIRED_FOR_DECISIONS = True
    response = as_user(reviewer_user).post(f"/reviews/{plan.pk}/decide/", {"outcome": "approved"})
    assert response.status_code == 302 and "/2fa/totp/activate" in response["Location"]
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.IN_REVIEW


def test_an_outcome_served_by_a_line_listed_elsewhere_says_so(client, plan, broker_user):
    """One line serving two outcomes appears under the first; the second must not claim "Nothing for this"."""
    from plans.presenters import snapshot_groups

    plan.budget.outcomes = ["community_and_recreation", "relationships"]
    plan.budget.save()
    plan.lines.update(outcomes=["community_and_recreation", "relationships"])
    line = plan.lines.get()
    client.force_login(broker_user)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert f"Also served by “{line.description}”, shown above." in html
    snapshot = {
        "outcomes": [{"code": "relationships"}, {"code": "community_and_recreation"}],
        "lines": [{"description": "Art class", "outcomes": ["relationships", "community_and_recreation"]}],
    }
    assert [group["also_served_by"] for group in snapshot_groups(snapshot)] == [[], ["Art class"]]
