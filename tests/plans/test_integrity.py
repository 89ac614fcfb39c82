"""Issue 15's findings for plans and budgets, each through the real path: the admin, the API, the services.

Every change to a budget or plan goes through a service that checks it and writes an event; the admin cannot rewrite
history; the client agrees only to what they were shown; a raw SQL edit still leaves a trace in the plan's trail."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import Event
from plans import record, selectors, services
from plans.errors import PlanError
from plans.models import Budget, Plan, PlanLine, PlanStatus, PlanVersion
from tests.plans.factories import BudgetFactory
from tests.plans.helpers import agree, plan_events, share

pytestmark = pytest.mark.django_db


def approved(plan, reviewer):
    from plans.tasks import process_submission

    agree(plan)
    services.plan_submit(plan=plan, by=plan.client)
    process_submission(plan.pk, plan.version)
    return services.plan_decide(plan=Plan.objects.get(pk=plan.pk), by=reviewer, outcome="approved", note="Fine")


# --- Finding 3: the admin's plan page rewrote an approved plan and left no event -----------------------------------


def test_the_admin_cannot_change_an_approved_plan_or_its_lines(plan, reviewer_user, admin_user):
    plan = approved(plan, reviewer_user)
    line = plan.lines.get()
    client = Client()
    client.force_login(admin_user)
    assert client.get(f"/admin/plans/plan/{plan.pk}/change/").status_code == 200  # it can be read
    form = {
        "client": plan.client_id, "broker": plan.broker_id, "budget": plan.budget_id, "status": "approved",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-0-id": line.pk, "lines-0-plan": plan.pk,
        "lines-0-description": "Casino trips", "lines-0-category": "gambling", "lines-0-unit_cost": "4999.00",
        "lines-0-units": "1", "lines-0-frequency": "weekly",
    }  # fmt: skip
    response = client.post(f"/admin/plans/plan/{plan.pk}/change/", form)
    assert response.status_code == 403
    line.refresh_from_db()
    assert (line.description, line.category) != ("Casino trips", "gambling")
    assert client.post(f"/admin/plans/plan/{plan.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/plans/budget/add/").status_code == 403
    assert client.post(f"/admin/plans/planline/{line.pk}/change/", {}).status_code in (403, 404)
    assert Plan.objects.filter(pk=plan.pk, status=PlanStatus.APPROVED).exists()


@pytest.mark.parametrize("model", ["budget", "planversion", "decision", "notification"])
def test_workflow_records_are_read_only_in_the_admin(client, admin_user, submitted_plan, model):
    client.force_login(admin_user)
    assert client.get(f"/admin/plans/{model}/add/").status_code == 403


def test_the_admin_event_list_cannot_add_change_or_delete(client, admin_user, plan, broker_user):
    services.plan_update(plan=plan, by=broker_user, summary="A first change")
    event = plan_events(plan).first()
    client.force_login(admin_user)
    assert client.get("/admin/audit/event/").status_code == 200
    assert client.post(f"/admin/audit/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_the_event_table_refuses_updates_and_deletes_even_in_sql(plan, broker_user):
    services.plan_update(plan=plan, by=broker_user, summary="A first change")
    event = plan_events(plan).first()
    from django.db import InternalError, ProgrammingError, transaction

    for sql in ("UPDATE audit_event SET action = 'x' WHERE id = %s", "DELETE FROM audit_event WHERE id = %s"):
        with pytest.raises((InternalError, ProgrammingError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert Event.objects.get(pk=event.pk).action == "updated"


# --- Database-level history: even raw SQL leaves a row ---------------------------------------------------------------


def test_a_raw_sql_edit_shows_in_the_plans_trail_as_outside_the_services(api, plan, client_user, broker_user):
    services.plan_update(plan=plan, by=broker_user, summary="Through the service")
    line = plan.lines.get()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE plans_planline SET unit_cost = 4999 WHERE id = %s", [line.pk])
        cursor.execute("UPDATE plans_plan SET status = 'withdrawn' WHERE id = %s", [plan.pk])
    events = api(client_user).get(f"/api/v1/plans/{plan.pk}/events").json()["results"]
    outside = [event for event in events if event["via"] == "system" and event["by"] is None]
    # (the factory's own inserts went round the services too, and show as such)
    updates = [event for event in outside if event["action"] == "changed_outside_the_service_update"]
    assert len(updates) == 2 and any(event["to"] == "withdrawn" for event in updates)
    assert all("directly in the database" in event["reason"] for event in outside)
    recorded = [event for event in events if event not in outside]
    assert recorded and all(set(event) >= {"at", "by", "on_behalf_of", "action", "from", "to", "reason", "via"}
                            for event in recorded)  # fmt: skip


def test_service_changes_are_attributed_in_the_database_history(plan, broker_user):
    from plans.models import PlanLineHistory

    services.line_update(line=plan.lines.get(), by=broker_user, units=Decimal("2"))
    row = PlanLineHistory.objects.filter(pgh_obj_id=plan.lines.get().pk).order_by("-pgh_id").first()
    assert row.pgh_context.metadata["service"] == "line_update"
    assert row.pgh_context.metadata["user"] == broker_user.pk


def test_events_say_through_what_the_change_came(api, plan, broker_user, client_user):
    api(broker_user).patch(f"/api/v1/plans/{plan.pk}", {"summary": "More walks"}, format="json")
    page = Client()
    page.force_login(broker_user)
    page.post(f"/plans/{plan.pk}/details/", {"summary": "Even more walks"})
    vias = [event.via for event in plan_events(plan).filter(action="updated")]
    assert vias == ["api", "page"]


# --- Finding 4: agreement bound to what was shared --------------------------------------------------------------------


def test_a_fee_added_after_the_client_opened_the_page_voids_the_agreement(api, plan, client_user, broker_user):
    shared = api(broker_user).post(f"/api/v1/plans/{plan.pk}/share").json()["shared"]
    page = Client()
    page.force_login(client_user)
    assert shared["digest"] in page.get(f"/plans/{plan.pk}/").content.decode()
    # Meanwhile the broker adds a £700 fee.
    api(broker_user).post(
        f"/api/v1/plans/{plan.pk}/lines",
        {"description": "Broker fee", "category": "brokerage_fee", "unit_cost": "700.00", "frequency": "once"},
        format="json",
    )
    assert api(client_user).get(f"/api/v1/plans/{plan.pk}").json()["shared"] is None
    refused = api(client_user).post(f"/api/v1/plans/{plan.pk}/agree", {"digest": shared["digest"]}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "not_shared"
    reshared = api(broker_user).post(f"/api/v1/plans/{plan.pk}/share").json()["shared"]
    assert reshared["digest"] != shared["digest"]
    stale = api(client_user).post(f"/api/v1/plans/{plan.pk}/agree", {"digest": shared["digest"]}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "changed_since_shared"
    assert Plan.objects.get(pk=plan.pk).client_agreed_at is None


def test_the_client_never_sees_the_broker_typing(plan, client_user, broker_user):
    services.line_add(
        plan=plan, by=broker_user, description="Half-typed yoga", category="yoga", unit_cost=Decimal("7"),
        frequency="weekly",
    )  # fmt: skip
    page = Client()
    page.force_login(client_user)
    assert "Half-typed yoga" not in page.get(f"/plans/{plan.pk}/").content.decode()
    share(plan)
    assert "Half-typed yoga" in page.get(f"/plans/{plan.pk}/").content.decode()
    services.line_add(
        plan=plan, by=broker_user, description="Secret extra", category="gym", unit_cost=Decimal("9"),
        frequency="weekly",
    )  # fmt: skip
    assert "Secret extra" not in page.get(f"/plans/{plan.pk}/").content.decode()


def test_submit_needs_the_agreement_of_the_current_shared_digest(plan, client_user, broker_user):
    agree(plan, client_user)
    services.plan_update(plan=plan, by=broker_user, summary="Changed after agreeing")
    with pytest.raises(PlanError) as refused:
        services.plan_submit(plan=plan, by=client_user)
    assert refused.value.code == "not_agreed"


def test_sharing_needs_a_plan_that_passes_the_check(api, plan, broker_user):
    PlanLine.objects.filter(plan=plan).delete()
    refused = api(broker_user).post(f"/api/v1/plans/{plan.pk}/share")
    assert refused.status_code == 400 and refused.json()["code"] == "check_failed"
    assert {issue["code"] for issue in refused.json()["issues"]} >= {"no_lines"}


# --- budget_superseded ------------------------------------------------------------------------------------------------


def test_a_corrected_budget_supersedes_the_plans_until_the_broker_moves_it(api, plan, reviewer_user, broker_user):
    old = plan.budget
    newer = BudgetFactory(client=plan.client, recorded_by=reviewer_user, outcomes=old.outcomes)
    check = api(broker_user).get(f"/api/v1/plans/{plan.pk}/check").json()
    assert check["ok"] is False and "budget_superseded" in {issue["code"] for issue in check["issues"]}
    assert api(broker_user).post(f"/api/v1/plans/{plan.pk}/share").json()["code"] == "check_failed"
    wrong = api(broker_user).patch(f"/api/v1/plans/{plan.pk}", {"budget": old.pk}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "budget_not_current"
    moved = api(broker_user).patch(f"/api/v1/plans/{plan.pk}", {"budget": newer.pk}, format="json")
    assert moved.status_code == 200 and moved.json()["budget"] == newer.pk
    assert "budget_superseded" not in {
        i["code"] for i in api(broker_user).get(f"/api/v1/plans/{plan.pk}/check").json()["issues"]
    }


def test_the_workflow_sends_back_a_plan_whose_budget_was_corrected_after_submission(submitted_plan, reviewer_user):
    from plans.tasks import process_submission

    BudgetFactory(client=submitted_plan.client, recorded_by=reviewer_user, outcomes=submitted_plan.budget.outcomes)
    process_submission(submitted_plan.pk, submitted_plan.version)
    plan = Plan.objects.get(pk=submitted_plan.pk)
    assert plan.status == PlanStatus.CHANGES_REQUESTED
    assert any("newer personal budget" in reason for reason in plan.decisions.get().reasons)


# --- Finding 5: rules in the services, events for budgets ------------------------------------------------------------


def test_budget_record_refuses_a_contribution_larger_than_the_budget(reviewer_user, client_user):
    from datetime import date

    with pytest.raises(PlanError) as refused:
        services.budget_record(
            by=reviewer_user, client=client_user, council="kent", eligibility="substantial",
            annual_amount=Decimal("100.00"), client_contribution=Decimal("150.00"), assessed_on=date(2026, 1, 1),
            review_on=date(2027, 1, 1), outcomes=["relationships"], payment_route="kent_card",
        )  # fmt: skip
    assert refused.value.code == "contribution_over_budget"
    assert not Budget.objects.filter(client=client_user).exists()


def test_the_database_refuses_a_contribution_larger_than_the_budget(reviewer_user, client_user):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        BudgetFactory(client=client_user, recorded_by=reviewer_user, annual_amount=100, client_contribution=150)


def test_recording_a_budget_writes_an_event(reviewer_user, client_user):
    budget = BudgetFactory.build(client=client_user)
    fields = {name: getattr(budget, name) for name in (
        "council", "eligibility", "annual_amount", "client_contribution", "assessed_on", "review_on", "outcomes",
        "payment_route",
    )}  # fmt: skip
    first = services.budget_record(by=reviewer_user, client=client_user, **fields)
    second = services.budget_record(by=reviewer_user, client=client_user, **fields)
    events = Event.objects.filter(record_type="budget", person=client_user).order_by("id")
    assert [(e.action, e.record_id, e.by_id) for e in events] == [
        ("budget_recorded", first.pk, reviewer_user.pk),
        ("budget_corrected", second.pk, reviewer_user.pk),
    ]


# --- Huge amounts never reach a 500 -------------------------------------------------------------------------------


def test_huge_amounts_are_refused_in_the_service_and_the_database(api, plan, broker_user, client_user):
    body = {
        "description": "x",
        "category": "gym",
        "unit_cost": "99999999.99",
        "units": "999999.99",
        "frequency": "weekly",
    }
    response = api(broker_user).post(f"/api/v1/plans/{plan.pk}/lines", body, format="json")
    assert response.status_code == 400
    body.update(unit_cost="9999.99", units="5000")
    response = api(broker_user).post(f"/api/v1/plans/{plan.pk}/lines", body, format="json")
    assert response.status_code == 400 and "units" in response.json()
    for url in (f"/api/v1/plans/{plan.pk}", f"/api/v1/plans/{plan.pk}/check", f"/api/v1/plans/{plan.pk}/pdf"):
        assert api(client_user).get(url).status_code == 200
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        PlanLine.objects.filter(plan=plan).update(unit_cost=Decimal("99999999.99"))


# --- The frozen record ------------------------------------------------------------------------------------------------


def test_a_submission_freezes_the_record_that_was_shared_and_agreed(plan, client_user):
    agree(plan, client_user)
    shared = Plan.objects.get(pk=plan.pk).shared_record
    services.plan_submit(plan=plan, by=client_user)
    frozen = PlanVersion.objects.get(plan=plan, number=1).snapshot
    assert frozen["schema"] == record.SCHEMA and frozen["digest"] == shared["digest"]
    assert frozen["lines"] == shared["lines"] and frozen["client_agreed_at"]


def test_the_decided_pdf_is_rendered_once_and_kept(plan, reviewer_user, api, client_user):
    from plans.tasks import render_plan_pdf

    plan = approved(plan, reviewer_user)
    render_plan_pdf(plan.pk, plan.version)
    version = PlanVersion.objects.get(plan=plan, number=plan.version)
    assert version.decided_pdf is not None and version.decided_pdf_rendered_at is not None
    served = api(client_user).get(f"/api/v1/plans/{plan.pk}/pdf").content
    assert served == bytes(version.decided_pdf)
    rendered_at = version.decided_pdf_rendered_at
    render_plan_pdf(plan.pk, plan.version)
    version.refresh_from_db()
    assert version.decided_pdf_rendered_at == rendered_at


# --- Property: what was approved is exactly what was frozen ----------------------------------------------------------

STEPS = st.lists(
    st.sampled_from(["add", "change", "remove", "summary", "share", "agree", "submit", "process", "approve", "ask"]),
    min_size=1,
    max_size=12,
)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(steps=STEPS)
def test_no_sequence_of_service_calls_approves_content_other_than_the_last_frozen_version(
    plan, client_user, broker_user, reviewer_user, steps
):
    from plans.tasks import process_submission

    def attempt(step: str) -> None:
        current = Plan.objects.get(pk=plan.pk)
        lines = list(current.lines.all())
        calls = {
            "add": lambda: services.line_add(
                plan=current,
                by=broker_user,
                description="Walk",
                category="walking_group",
                unit_cost=Decimal("2"),
                frequency="weekly",
                outcomes=list(current.budget.outcomes),
            ),
            "change": lambda: lines and services.line_update(line=lines[0], by=broker_user, units=Decimal("2")),
            "remove": lambda: len(lines) > 1 and services.line_remove(line=lines[-1], by=broker_user),
            "summary": lambda: services.plan_update(plan=current, by=broker_user, summary=f"v{current.version}"),
            "share": lambda: services.plan_share(plan=current, by=broker_user),
            "agree": lambda: services.plan_agree(plan=current, by=client_user, digest=current.shared_digest),
            "submit": lambda: services.plan_submit(plan=current, by=client_user),
            "process": lambda: process_submission(current.pk, current.version),
            "approve": lambda: services.plan_decide(plan=current, by=reviewer_user, outcome="approved"),
            "ask": lambda: services.plan_decide(
                plan=current, by=reviewer_user, outcome="changes_requested", reasons=["More"]
            ),
        }
        try:
            calls[step]()
        except (PlanError, services.PlanError, Exception) as refused:  # refusals are part of the sequence
            from config.errors import ServiceError

            if not isinstance(refused, ServiceError):
                raise

    for step in steps:
        attempt(step)
        current = selectors.plans_with_details().get(pk=plan.pk)
        if current.status == PlanStatus.APPROVED:
            frozen = PlanVersion.objects.filter(plan=current).order_by("-number").first()
            assert frozen is not None and frozen.number == current.version
            assert record.plan_digest(current) == frozen.snapshot["digest"]
            assert frozen.snapshot["digest"] == current.agreed_digest


def test_rendering_a_pdf_has_its_own_tighter_limit(api, plan, client_user, settings):
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"person": None, "address": None, "email": None, "render": "1/hour"},
    }
    client = api(client_user)
    assert client.get(f"/api/v1/plans/{plan.pk}/pdf").status_code == 200
    assert client.get(f"/api/v1/plans/{plan.pk}").status_code == 200  # other reads are not this scope
    refused = client.get(f"/api/v1/plans/{plan.pk}/pdf")
    assert refused.status_code == 429 and "Retry-After" in refused


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/plans?status=%00",
        "/api/v1/plans?status=nope",
        "/api/v1/budgets?client=%C2%B2",
        "/api/v1/budgets?client=abc",
        "/api/v1/reviews?mine=%00",
        "/api/v1/reviews?overdue=maybe",
    ],
)
def test_malformed_query_parameters_answer_400_naming_them(api, reviewer_user, url):
    response = api(reviewer_user).get(url)
    assert response.status_code == 400
    assert url.split("?")[1].split("=")[0] in response.json()


def test_well_formed_filters_still_work(api, submitted_plan, reviewer_user, client_user):
    assert api(client_user).get("/api/v1/plans?status=submitted").json()["count"] == 1
    assert api(client_user).get("/api/v1/plans?status=draft").json()["count"] == 0
    assert api(reviewer_user).get(f"/api/v1/budgets?client={client_user.pk}").json()["count"] == 1
    assert api(reviewer_user).get("/api/v1/reviews?mine=true").json()["count"] == 0
    assert api(reviewer_user).get("/api/v1/reviews?unassigned=true").json()["count"] == 1
    assert api(reviewer_user).get("/api/v1/reviews?mine=false").json()["count"] == 1


def test_making_another_accounts_address_primary_is_refused_and_changes_nothing(client_user):
    from allauth.account.models import EmailAddress

    from tests.factories import UserFactory

    other = UserFactory()
    page = Client(raise_request_exception=False)
    page.force_login(client_user)
    response = page.post("/accounts/email/", {"email": other.email, "action_primary": ""})
    assert response.status_code in (200, 302)
    assert EmailAddress.objects.get(email=other.email).user == other
    assert EmailAddress.objects.get(user=client_user, primary=True).email == client_user.email


def test_a_submitted_version_cannot_be_rewritten_even_by_raw_sql(submitted_plan):
    """The frozen record is guarded in the database: its snapshot is kept out of the row history, so an edit there
    would otherwise leave no trace. Rendering its PDF and the sweeper's bookkeeping still write."""
    from django.db import ProgrammingError, transaction

    version = PlanVersion.objects.get(plan=submitted_plan)
    for sql in (
        "UPDATE plans_planversion SET snapshot = jsonb_set(snapshot, '{summary}', '\"rewritten\"') WHERE id = %s",
        "UPDATE plans_planversion SET number = number + 1 WHERE id = %s",
    ):
        refused = pytest.raises(ProgrammingError, match="Cannot update")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [version.pk])
    PlanVersion.objects.filter(pk=version.pk).update(pdf=b"%PDF-1.7", render_resends=1)
    assert PlanVersion.objects.get(pk=version.pk).snapshot == version.snapshot
