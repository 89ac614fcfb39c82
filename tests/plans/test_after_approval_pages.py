"""The pages after approval: the client's confirmation panel (how their council pays, who to contact, booking, the
first review), spending on every plan page, reviews for the reviewer (form, check your answers, list), the client's
and broker's view before a review, next year's plan from the broker's page, and the PDF with its spending chart."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from plans import services
from plans.models import Plan, PlanReview
from providers.models import Listing, ListingStatus
from spending import services as spending_services
from tests.plans.factories import BudgetFactory, LineFactory, ListingFactory, OrganizationFactory, PlanFactory
from tests.plans.helpers import approve

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def approved(client_user, broker_user, reviewer_user):
    plan = PlanFactory(budget__client=client_user, budget__recorded_by=reviewer_user, broker=broker_user)
    listing = ListingFactory(
        organization=OrganizationFactory(name="Thanet Arts Hub"), title="Open studio art group",
        contact_phone="01843 555 0100", contact_email="studio@thanetarts.example.org", schedule="Mondays 10am",
    )  # fmt: skip
    LineFactory(plan=plan, listing=listing, description="Open studio art group", unit_cost=Decimal("8.50"))
    return approve(plan, reviewer_user)


def review_fields(plan, result="continue"):
    return {
        "held_on": timezone.localdate(),
        "outcomes": [{"code": code, "progress": "achieved", "note": ""} for code in plan.budget.outcomes],
        "result": result,
        "client_view": "It helps.",
    }


def test_the_client_sees_a_confirmation_with_the_kent_card_their_contact_booking_and_first_review(approved):
    page = browser(approved.client).get(f"/plans/{approved.pk}/").content.decode()
    assert 'data-testid="approved-panel"' in page and "Your plan is approved" in page
    assert "Kent Card is a prepaid Visa card" in page
    assert "Direct Payments Team, Kent County Council" in page and 'data-testid="contact-unconfirmed"' in page
    assert "Open studio art group</strong>, Thanet Arts Hub (Mondays 10am)" in page
    assert 'href="tel:018435550100"' in page and "studio@thanetarts.example.org" in page
    first = approved.review_first_on.strftime("%-d %B %Y")
    assert f"KMPT (Kent and Medway NHS and Social Care Partnership Trust) holds your first review by {first}" in page
    assert 'data-testid="spending-summary"' in page  # the spending panel, once approved


def test_a_medway_client_is_told_of_the_self_directed_support_team_and_never_the_kent_card(
    client_user, broker_user, reviewer_user
):
    budget = BudgetFactory(
        client=client_user, recorded_by=reviewer_user, council="medway", payment_route="direct_payment"
    )
    plan = PlanFactory(budget=budget, client=client_user, broker=broker_user)
    LineFactory(plan=plan)
    plan = approve(plan, reviewer_user)
    page = browser(client_user).get(f"/plans/{plan.pk}/").content.decode()
    assert "Medway Council&#x27;s Self Directed Support Team arranges your direct payment" in page
    assert "01634 334466" in page and "Kent Card" not in page
    assert 'data-testid="contact-unconfirmed"' not in page


def test_the_client_sees_their_councils_contact_before_approval_and_on_the_dashboard(plan, client_user):
    page = browser(client_user).get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-testid="money-contact"' in page and "03069 990 123" in page
    home = browser(client_user).get("/dashboard/").content.decode()
    assert 'data-testid="dashboard-council-contact"' in home and "Direct Payments Team" in home


def test_a_review_through_the_pages_form_check_your_answers_then_recorded(approved, reviewer_user):
    reviewer = browser(reviewer_user)
    services.outcome_views_record(plan=approved, by=approved.client, views={"relationships": "I made a friend."})
    desk = reviewer.get(f"/reviews/{approved.pk}/").content.decode()
    assert 'data-testid="record-review"' in desk and "I made a friend." in desk
    assert 'data-testid="spending-summary"' in desk
    form_page = reviewer.get(f"/plans/{approved.pk}/reviews/new/").content.decode()
    assert 'data-testid="views-relationships"' in form_page and "I made a friend." in form_page

    answers = {"held_on": timezone.localdate().isoformat(), "result": "revise", "client_view": "Good", "summary": ""}
    incomplete = reviewer.post(f"/plans/{approved.pk}/reviews/new/", {**answers, "progress_relationships": "partly"})
    assert incomplete.status_code == 200
    assert 'href="#id_progress_community_and_recreation_0"' in incomplete.content.decode()  # the error summary
    assert ">\nGood</textarea>" in incomplete.content.decode() or ">Good</textarea>" in incomplete.content.decode()
    assert not PlanReview.objects.exists()

    complete = {**answers, **{f"progress_{code}": "partly" for code in approved.budget.outcomes}}
    complete["note_relationships"] = "Goes every week"
    response = reviewer.post(f"/plans/{approved.pk}/reviews/new/", complete)
    assert response.status_code == 302 and response["Location"].endswith("/reviews/new/check/")
    check = reviewer.get(response["Location"]).content.decode()
    assert "Check your answers before recording the review" in check and "Goes every week" in check
    assert "Change the plan: the broker works out the changes" in check
    assert not PlanReview.objects.exists()  # nothing is recorded before the answers are checked
    # Changing an answer goes back to the form with what was typed.
    again = reviewer.get(f"/plans/{approved.pk}/reviews/new/").content.decode()
    assert "Goes every week" in again

    recorded = reviewer.post(f"/plans/{approved.pk}/reviews/new/check/")
    assert recorded.status_code == 302 and recorded["Location"] == f"/plans/{approved.pk}/reviews/"
    review = PlanReview.objects.get()
    assert review.result == "revise" and review.by == reviewer_user
    listing = reviewer.get(recorded["Location"]).content.decode()
    assert "1 review, newest first" in listing and "Goes every week" in listing
    # The session's draft is gone: a new review starts empty.
    assert "Goes every week" not in reviewer.get(f"/plans/{approved.pk}/reviews/new/").content.decode()


def test_only_reviewers_record_reviews_through_the_pages(approved, client_user, broker_user):
    for user in (client_user, broker_user):
        assert browser(user).get(f"/plans/{approved.pk}/reviews/new/").status_code == 403
        assert browser(user).post(f"/plans/{approved.pk}/reviews/new/check/").status_code == 403


def test_a_plan_not_approved_cannot_be_reviewed_through_the_pages(submitted_plan, reviewer_user):
    response = browser(reviewer_user).get(f"/plans/{submitted_plan.pk}/reviews/new/")
    assert response.status_code == 302 and response["Location"] == f"/reviews/{submitted_plan.pk}/"


def test_the_client_and_broker_read_the_review_in_plain_words_on_their_pages(approved, reviewer_user):
    services.review_record(plan=approved, by=reviewer_user, **review_fields(approved))
    for user in (approved.client, approved.broker):
        page = browser(user).get(f"/plans/{approved.pk}/").content.decode()
        assert 'data-testid="reviews-panel"' in page and "Carry on with the plan as it is." in page
        assert "It helps." in page


def test_the_client_gives_their_view_before_the_review(approved):
    client = browser(approved.client)
    page = client.get(f"/plans/{approved.pk}/").content.decode()
    assert f'href="/plans/{approved.pk}/my-view/"' in page
    assert client.get(f"/plans/{approved.pk}/my-view/").status_code == 200
    response = client.post(f"/plans/{approved.pk}/my-view/", {"view_relationships": "I see my sister more."})
    assert response.status_code == 302
    assert approved.outcome_views.get().text == "I see my sister more."
    assert "You have written about 1 outcome" in client.get(f"/plans/{approved.pk}/").content.decode()


def test_an_ended_plan_says_so_and_has_no_confirmation(approved, reviewer_user):
    services.review_record(plan=approved, by=reviewer_user, **review_fields(approved, result="end"))
    page = browser(approved.client).get(f"/plans/{approved.pk}/").content.decode()
    assert 'data-testid="plan-ended"' in page and 'data-testid="approved-panel"' not in page
    assert 'data-testid="money-contact"' in page


def test_the_broker_starts_next_years_plan_from_the_approved_plan_page(approved):
    broker = browser(approved.broker)
    page = broker.get(f"/plans/{approved.pk}/").content.decode()
    assert "Start next year's plan" in page and 'data-testid="spending-summary"' in page
    Listing.objects.filter(title="Open studio art group").update(status=ListingStatus.ARCHIVED)
    response = broker.post(f"/plans/{approved.pk}/renew/")
    renewal = Plan.objects.get(renews=approved)
    assert response.status_code == 302 and response["Location"] == f"/plans/{renewal.pk}/"
    builder = broker.get(response["Location"]).content.decode()
    assert 'data-testid="renewal-note"' in builder and "Not copied: “Open studio art group”" in builder
    assert f'href="/plans/{approved.pk}/"' in builder  # the thread: back to the plan it renews
    earlier = broker.get(f"/plans/{approved.pk}/").content.decode()
    assert f'href="/plans/{renewal.pk}/"' in earlier and "carry on with it" in earlier
    client_page = browser(approved.client).get(f"/plans/{approved.pk}/").content.decode()
    assert f'href="/plans/{renewal.pk}/"' in client_page


def test_the_budget_form_says_which_council_offers_which_route(reviewer_user, client_user):
    page = browser(reviewer_user).get(f"/budgets/clients/{client_user.pk}/").content.decode()
    assert "Medway Council offers a direct payment, a managed account." in page


def test_the_pdf_of_an_approved_plan_shows_its_spending_and_reviews_and_stays_tagged(approved, reviewer_user):
    from pypdf import PdfReader

    from tests.spending.conftest import read

    services.review_record(plan=approved, by=reviewer_user, **review_fields(approved))
    spending_services.statement_upload(
        plan=approved, by=approved.client, file_name="kent.csv", content=read("kent_card.csv")
    )
    pdf = browser(approved.client).get(f"/plans/{approved.pk}/pdf/").content
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Spending" in text and "The chart's numbers" in text and "Actually left" in text
    assert f"Review on {timezone.localdate().strftime('%-d %B %Y')}" in text
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"


def test_the_stored_decided_pdf_is_kept_while_an_approved_plan_is_served_as_it_is_now(approved, reviewer_user):
    from plans.models import PlanVersion
    from plans.tasks import render_plan_pdf

    render_plan_pdf(approved.pk, approved.version)
    kept = PlanVersion.objects.get(plan=approved, number=approved.version)
    services.review_record(plan=approved, by=reviewer_user, **review_fields(approved))
    served = browser(approved.client).get(f"/plans/{approved.pk}/pdf/").content
    assert served != bytes(kept.decided_pdf)
    kept.refresh_from_db()
    assert kept.decided_pdf_rendered_at is not None  # the decision's copy stays as it was
