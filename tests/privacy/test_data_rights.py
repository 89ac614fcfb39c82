"""The person's data is theirs (issue 18): who may see it, who did, a copy of everything, and erasure that keeps the
record KMPT must keep."""

import pytest
from django.db import connection
from django.test import Client
from django.utils.html import escape

from accounts.models import ErasureRequest
from audit.models import AccessLog, Event
from brokers.models import Engagement, EngagementStatus, Message
from plans import services
from plans.models import Budget, Decision, Plan, PlanVersion
from tests.factories import PASSWORD, UserFactory
from tests.mfa import signed_in_with_mfa
from tests.plans.helpers import agree

pytestmark = pytest.mark.django_db


# --- Who may see it: a broker only while engaged ------------------------------------------------------------------


def test_a_broker_whose_engagement_ended_gets_404_on_every_record_of_the_client(api, submitted_plan, broker_user):
    plan = submitted_plan
    urls = [
        f"/api/v1/plans/{plan.pk}", f"/api/v1/plans/{plan.pk}/check", f"/api/v1/plans/{plan.pk}/lines",
        f"/api/v1/plans/{plan.pk}/versions", f"/api/v1/plans/{plan.pk}/versions/1", f"/api/v1/plans/{plan.pk}/events",
        f"/api/v1/plans/{plan.pk}/pdf",
    ]  # fmt: skip
    for url in urls:
        assert api(broker_user).get(url).status_code == 200, url
    engagement = Engagement.objects.get(client=plan.client, broker=broker_user)
    Engagement.objects.filter(pk=engagement.pk).update(status=EngagementStatus.ENDED)
    for url in urls:
        assert api(broker_user).get(url).status_code == 404, url
    assert api(broker_user).get("/api/v1/budgets").json()["count"] == 0
    assert api(broker_user).get("/api/v1/plans").json()["count"] == 0
    page = Client()
    page.force_login(broker_user)
    for url in (f"/plans/{plan.pk}/", f"/plans/{plan.pk}/versions/", f"/plans/{plan.pk}/pdf/"):
        assert page.get(url).status_code == 404, url
    # The conversation stays readable to both.
    assert api(broker_user).get(f"/api/v1/engagements/{engagement.pk}/messages").status_code == 200


def test_the_who_can_see_page_names_each_person_and_why(client_user, plan, broker_user):
    page = Client()
    page.force_login(client_user)
    html = page.get("/account/who-can-see/").content.decode()
    assert escape(broker_user.name) in html and "KMPT reviewers" in html and "while you work together" in html


# --- Who did see it -------------------------------------------------------------------------------------------------


def test_each_read_by_someone_else_is_logged_and_none_of_the_persons_own(
    api, submitted_plan, broker_user, reviewer_user
):
    client = submitted_plan.client
    api(client).get(f"/api/v1/plans/{submitted_plan.pk}")
    api(client).get("/api/v1/budgets")
    assert not AccessLog.objects.exists()
    api(broker_user).get(f"/api/v1/plans/{submitted_plan.pk}")
    api(broker_user).get("/api/v1/budgets")
    api(reviewer_user).get(f"/api/v1/plans/{submitted_plan.pk}/versions/1")
    api(reviewer_user).get(f"/api/v1/plans/{submitted_plan.pk}/pdf")
    page = Client()
    page.force_login(reviewer_user)
    page.get(f"/reviews/{submitted_plan.pk}/")
    rows = list(AccessLog.objects.order_by("id").values_list("who_id", "record"))
    assert (broker_user.pk, "plan") in rows and (broker_user.pk, "budget") in rows
    assert (reviewer_user.pk, "plan_version") in rows and (reviewer_user.pk, "pdf") in rows
    assert rows.count((reviewer_user.pk, "plan")) >= 1  # the review page
    log = api(client).get("/api/v1/me/access-log").json()
    assert log["count"] == len(rows)
    first = log["results"][0]
    assert set(first) == {"at", "who", "on_behalf_of", "record", "record_id"}
    assert first["who"]["id"] == reviewer_user.pk  # newest first
    mine = Client()
    mine.force_login(client)
    html = mine.get("/account/access-log/").content.decode()
    assert escape(broker_user.name) in html and escape(reviewer_user.name) in html  # names such as O'Brien


def test_a_page_read_is_logged_in_one_insert(client, submitted_plan, broker_user, django_assert_max_num_queries):
    from django.test.utils import CaptureQueriesContext

    client.force_login(broker_user)
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/plans/{submitted_plan.pk}/")
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_accesslog"')]
    assert len(inserts) == 1


# --- A copy of everything -------------------------------------------------------------------------------------------


def test_the_export_holds_every_kind_of_record(api, submitted_plan, broker_user):
    client = submitted_plan.client
    engagement = Engagement.objects.get(client=client, broker=broker_user)
    Message.objects.create(engagement=engagement, sender=client, body="Hello Jo")
    api(broker_user).get(f"/api/v1/plans/{submitted_plan.pk}")
    response = api(client).get("/api/v1/me/export")
    assert response.status_code == 200
    data = response.json()
    for key in ("account", "budgets", "plans", "engagements", "feedback", "notifications", "access_log", "concerns",
                "statements", "representatives"):  # fmt: skip
        assert key in data, key
    assert data["account"]["email"] == client.email
    plan = data["plans"][0]
    assert {"versions", "events", "decisions"} <= set(plan) and plan["versions"][0]["number"] == 1
    assert data["engagements"][0]["messages"][0]["body"] == "Hello Jo"
    assert data["access_log"][0]["who"]["id"] == broker_user.pk


def test_a_large_export_is_built_by_a_task_with_progress(api, client_user, settings, monkeypatch):
    from accounts.services import privacy

    monkeypatch.setattr(privacy, "LARGE_EXPORT_RECORDS", -1)
    first = api(client_user).get("/api/v1/me/export")
    assert first.status_code == 202 and first.json()["status"] == "processing"
    url = first.json()["url"]
    assert api(client_user).get(url).status_code == 202
    assert api(UserFactory()).get(url).status_code == 404  # only its person
    from accounts.models import DataExport
    from accounts.tasks import build_export

    build_export(DataExport.objects.get().pk)
    assert api(client_user).get(url).status_code == 200
    assert api(client_user).get(url).json()["account"]["id"] == client_user.pk


def test_the_copy_can_be_read_on_a_page_and_downloaded(client_user):
    page = Client()
    page.force_login(client_user)
    assert "Make my copy" in page.get("/account/my-data/").content.decode()
    assert "export-ready" in page.post("/account/my-data/", follow=True).content.decode()
    assert page.get("/account/my-data/?format=json")["Content-Type"] == "application/json"
    pdf = page.get("/account/my-data/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


# --- Erasure --------------------------------------------------------------------------------------------------------


def _everywhere(text: str) -> list[tuple[str, str]]:
    """Every (table, column) of text anywhere in the database that still holds `text`."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'json')"
        )
        for table, column, kind in cursor.fetchall():
            target = f'"{column}"::text' if kind in ("jsonb", "json") else f'"{column}"'
            cursor.execute(f'SELECT 1 FROM "{table}" WHERE {target} ILIKE %s LIMIT 1', [f"%{text}%"])
            if cursor.fetchone():
                found.append((table, column))
    return found


def test_erasure_leaves_no_trace_of_the_name_or_email_and_keeps_kmpts_record(
    api, plan, client_user, broker_user, reviewer_user, admin_user
):
    from plans.tasks import process_submission

    client_user.name = "Quentin Zebedee-Marsh"
    client_user.save()
    engagement = Engagement.objects.get(client=client_user, broker=broker_user)
    Message.objects.create(engagement=engagement, sender=client_user, body="It's Quentin Zebedee-Marsh here")
    Message.objects.create(engagement=engagement, sender=broker_user, body="Hello Quentin Zebedee-Marsh")
    agree(plan, client_user)
    services.plan_submit(plan=plan, by=client_user)
    process_submission(plan.pk, plan.version)
    services.plan_decide(plan=Plan.objects.get(pk=plan.pk), by=reviewer_user, outcome="approved", note="Good")
    email = client_user.email
    assert _everywhere("Quentin Zebedee-Marsh") and _everywhere(email)
    counts = (Budget.objects.count(), PlanVersion.objects.count(), Decision.objects.count(), Event.objects.count())

    asked = api(client_user).post("/api/v1/me/erasure", {"reason": "I have moved away"}, format="json")
    assert asked.status_code == 201 and asked.json()["status"] == "requested"
    again = api(client_user).post("/api/v1/me/erasure", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_requested"
    assert api(admin_user).get("/api/v1/erasure-requests").json()["count"] == 1
    assert api(reviewer_user).get("/api/v1/erasure-requests").status_code == 403
    with signed_in_with_mfa(admin_user):
        done = services_complete(asked.json()["id"], admin_user)
    assert done.status == "completed" and any("KMPT" in line for line in done.kept)

    assert _everywhere("Quentin Zebedee-Marsh") == []
    assert _everywhere(email) == []
    after = (Budget.objects.count(), PlanVersion.objects.count(), Decision.objects.count())
    assert after == counts[:3] and Event.objects.count() > counts[3]  # kept, and the erasure itself recorded
    assert Plan.objects.get(pk=plan.pk).status == "approved"
    assert not Message.objects.filter(body__icontains="It's Quentin").exists()
    login = api().post("/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD}, format="json")
    assert login.status_code in (400, 401)
    assert not Client().login(email=email, password=PASSWORD)


def services_complete(request_id, admin):
    from accounts import services as account_services

    return account_services.erasure_complete(erasure=ErasureRequest.objects.get(pk=request_id), by=admin)


def test_completing_an_erasure_needs_the_second_factor_and_answers_what_was_kept(api, client_user, settings):
    settings.MFA_REQUIRED_FOR_DECISIONS = True
    admin = UserFactory(role="admin", is_staff=True)
    asked = api(client_user).post("/api/v1/me/erasure", {}, format="json").json()
    refused = api(admin).post(f"/api/v1/erasure-requests/{asked['id']}/complete")
    assert refused.status_code == 403 and refused.json()["code"] == "mfa_required"
    settings.MFA_REQUIRED_FOR_DECISIONS = False
    done = api(admin).post(f"/api/v1/erasure-requests/{asked['id']}/complete")
    assert done.status_code == 200 and done.json()["status"] == "completed" and done.json()["kept"]


def test_an_admin_refuses_with_a_reason(api, client_user, admin_user):
    asked = api(client_user).post("/api/v1/me/erasure", {}, format="json").json()
    no_reason = api(admin_user).post(f"/api/v1/erasure-requests/{asked['id']}/refuse", {}, format="json")
    assert no_reason.status_code == 400
    refused = api(admin_user).post(
        f"/api/v1/erasure-requests/{asked['id']}/refuse", {"reason": "A court case needs the records"}, format="json"
    )
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert api(admin_user).post(f"/api/v1/erasure-requests/{asked['id']}/complete").status_code == 409


def test_erasure_pages_for_the_person_and_the_admin(client_user, admin_user):
    person = Client()
    person.force_login(client_user)
    assert "budgets, the plans sent to KMPT" in person.get("/account/erasure/").content.decode()
    person.post("/account/erasure/", {"reason": "Please"})
    assert "erasure-open" in person.get("/account/erasure/").content.decode()
    staff = Client()
    staff.force_login(admin_user)
    queue = staff.get("/privacy/erasure-requests/").content.decode()
    assert client_user.name in queue
    request = ErasureRequest.objects.get()
    staff.post(f"/privacy/erasure-requests/{request.pk}/", {"decision": "complete"})
    request.refresh_from_db()
    assert request.status == "completed"
    assert "erasure-kept" in staff.get(f"/privacy/erasure-requests/{request.pk}/").content.decode()


# --- Retention and the notice ---------------------------------------------------------------------------------------


def test_retention_removes_what_is_past_its_period_once(client_user, admin_user):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import DataExport
    from accounts.tasks import apply_retention

    DataExport.objects.create(person=client_user, status="done", content={})
    DataExport.objects.filter().update(created_at=timezone.now() - timedelta(days=8))
    DataExport.objects.create(person=client_user, status="done", content={})
    staff = Client()
    staff.force_login(admin_user)
    assert "Copies of people" in staff.get("/privacy/retention/").content.decode()
    first = apply_retention()
    assert first["data_exports"] == 1 and DataExport.objects.count() == 1
    assert apply_retention()["data_exports"] == 0


def test_resolved_out_of_date_reports_go_a_year_after_resolution_and_open_ones_stay(client_user, admin_user):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tasks import apply_retention
    from providers.models import StaleReport
    from tests.providers.factories import ListingFactory

    listing = ListingFactory()
    long_ago = timezone.now() - timedelta(days=400)
    old = StaleReport.objects.create(listing=listing, reported_by=client_user, note="Closed", resolved_at=long_ago)
    recent = StaleReport.objects.create(listing=listing, reported_by=client_user, resolved_at=timezone.now())
    still_open = StaleReport.objects.create(listing=listing, reported_by=client_user)
    StaleReport.objects.filter(pk=still_open.pk).update(created_at=long_ago)
    staff = Client()
    staff.force_login(admin_user)
    assert "Resolved reports that a listing looked out of date" in staff.get("/privacy/retention/").content.decode()
    assert apply_retention()["stale_reports"] == 1
    assert set(StaleReport.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk} and old.pk


def test_the_privacy_notice_is_linked_from_every_page_and_sign_up():
    page = Client()
    assert 'href="/privacy/"' in page.get("/").content.decode()
    assert 'href="/privacy/"' in page.get("/accounts/signup/").content.decode()
    notice = page.get("/privacy/").content.decode()
    for words in ("lawful basis", "How long we keep it", "Your rights", "data protection officer"):
        assert words.lower() in notice.lower(), words


# --- Erasure touches only the person (gaps found by review: each of these failed before the fix) -----------------


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def erased(api, plan, client_user, broker_user, reviewer_user, admin_user, django_capture_on_commit_callbacks):
    """Jo Hale (jo@example.org) with an approved plan, a stored PDF, a carer, a view before review and an email,
    beside people whose names and addresses look like hers; then her erasure is completed."""
    from django.core import mail

    from accounts.models import OutgoingEmail
    from accounts.services import users as account_users
    from config.celery import app
    from plans.models import OutcomeView
    from plans.services.documents import plan_pdf_render
    from plans.tasks import process_submission
    from tests.privacy.test_representatives import helper

    client_user.name, client_user.email = "Jo Hale", "jo@example.org"
    client_user.save()
    lookalikes = [
        UserFactory(name="Jo Haley", email="anjo@example.org"),
        UserFactory(name="Jo Hale-Smith", email="jo@example.org.uk"),
    ]
    engagement = Engagement.objects.get(client=client_user, broker=broker_user)
    theirs = Message.objects.create(
        engagement=engagement, sender=broker_user, body="Jo Haley and Jo Hale-Smith run the annual walk; Jo Hale's too"
    )
    carer, _ = helper(api, client_user, ["view"])
    agree(plan, client_user)
    services.plan_submit(plan=plan, by=client_user)
    process_submission(plan.pk, plan.version)
    services.plan_decide(plan=Plan.objects.get(pk=plan.pk), by=reviewer_user, outcome="approved", note="Good")
    plan_pdf_render(plan_id=plan.pk, version=1)
    assert "Jo Hale" in _pdf_text(bytes(PlanVersion.objects.get(plan=plan).decided_pdf))
    OutcomeView.objects.create(plan=plan, outcome="relationships", by=client_user, text="Jo here: the walks help")
    OutcomeView.objects.filter(by=client_user).update(text="Jo here: the walks help a lot")
    account_users.email_send(
        message=mail.EmailMessage(
            subject="Hi", body="Hello Jo, your plan", from_email="w@example.org", to=[client_user.email]
        )
    )
    assert OutgoingEmail.objects.filter(body__contains="Hello Jo,").exists()

    asked = api(client_user).post("/api/v1/me/erasure", {}, format="json").json()
    mail.outbox.clear()
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with signed_in_with_mfa(admin_user), django_capture_on_commit_callbacks(execute=True):
            services_complete(asked["id"], admin_user)
    finally:
        app.conf.task_always_eager = eager
    return {"plan": plan, "lookalikes": lookalikes, "message": theirs, "carer": carer, "person": client_user}


def test_erasure_leaves_other_peoples_lookalike_names_and_addresses_alone(erased):
    for person in erased["lookalikes"]:
        before = (person.name, person.email)
        person.refresh_from_db()
        assert (person.name, person.email) == before
    body = Message.objects.get(pk=erased["message"].pk).body
    assert body.startswith("Jo Haley and Jo Hale-Smith run the annual walk; ") and "Jo Hale's" not in body
    assert _everywhere('jo@example.org"') == [] and not any(
        table == "accounts_user" for table, _ in _everywhere("Jo Hale'")
    )


def test_erasure_drops_the_stored_pdfs_and_renders_them_again_under_the_pseudonym(erased, api, reviewer_user):
    version = PlanVersion.objects.get(plan=erased["plan"])
    assert version.pdf is None and version.decided_pdf is None
    served = api(reviewer_user).get(f"/api/v1/plans/{erased['plan'].pk}/pdf")
    text = _pdf_text(served.content)
    assert "Jo Hale" not in text and "Former Waymark user" in text


def test_erasure_removes_their_words_before_review_their_emails_and_ends_their_helpers_access(erased, api):
    from django.core import mail

    from accounts.models import OutgoingEmail, Representative
    from plans.models import OutcomeView

    assert _everywhere("the walks help") == []  # the view and its history
    assert OutcomeView.objects.filter(plan=erased["plan"]).exists()  # the review still shows a view was given
    assert not OutgoingEmail.objects.filter(body__contains="Hello Jo,").exists()
    assert set(Representative.objects.filter(client=erased["person"]).values_list("status", flat=True)) == {"revoked"}
    assert api(erased["carer"]).get(f"/api/v1/plans/{erased['plan'].pk}").status_code == 404
    [told] = [m for m in mail.outbox if m.to == ["jo@example.org"]]
    assert "erased" in told.body and "KMPT must keep" in told.body
    assert not OutgoingEmail.objects.filter(to__icontains='jo@example.org"').exists()  # never kept in the outbox


def test_a_refused_erasure_is_emailed_with_its_reason_and_shown_on_the_page(api, client_user, admin_user):
    from accounts.models import OutgoingEmail

    asked = api(client_user).post("/api/v1/me/erasure", {}, format="json").json()
    api(admin_user).post(
        f"/api/v1/erasure-requests/{asked['id']}/refuse", {"reason": "A court case needs the records"}, format="json"
    )
    [email] = OutgoingEmail.objects.filter(to__icontains=client_user.email, subject__icontains="erase")
    assert "A court case needs the records" in email.body and "/account/erasure/" in email.body
    person = Client()
    person.force_login(client_user)
    page = person.get("/account/erasure/").content.decode()
    assert 'data-testid="erasure-refused"' in page and "A court case needs the records" in page
    assert "<form" in page  # they may ask again
