"""Everyone is told what they need to know, once: a notification and an email per transition, reminders once per
occasion (time moved with a fixed `today`, never by sleeping), and the notification centre."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.models import Role
from config.celery import app
from plans import services
from plans.models import Notification, Plan, Reminder
from plans.notifications import reminders_send, working_days_since
from plans.tasks import process_submission
from tests.factories import UserFactory
from tests.plans.helpers import agree

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    """Run what a transition leaves for after commit (workflow, emails) at once, through Celery's eager mode."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True

    def run(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    yield run
    app.conf.task_always_eager = eager


def emails_to(user):
    return [message for message in mail.outbox if user.email in message.to]


def test_the_whole_workflow_tells_each_person_once_per_step(
    run_after_commit, plan, client_user, broker_user, reviewer_user
):
    run_after_commit(services.plan_share, plan=plan, by=broker_user)
    assert [m.subject for m in mail.outbox] == ["Your support plan is ready for you to read"]
    assert emails_to(client_user) == mail.outbox  # the client hears of what was shared, not of the edits before

    mail.outbox.clear()
    plan.refresh_from_db()
    run_after_commit(services.plan_agree, plan=plan, by=client_user, digest=plan.shared_digest)
    assert [m.subject for m in mail.outbox] == ["A client agreed to their support plan"]
    assert emails_to(broker_user) == mail.outbox

    mail.outbox.clear()
    run_after_commit(services.plan_submit, plan=plan, by=client_user)  # the workflow runs eagerly after commit
    assert Plan.objects.get(pk=plan.pk).status == "in_review"
    assert Counter(m.to[0] for m in mail.outbox) == {client_user.email: 1, broker_user.email: 1, reviewer_user.email: 1}
    assert [m.subject for m in emails_to(reviewer_user)] == ["A support plan is waiting for your review"]
    assert f"/reviews/{plan.pk}/" in emails_to(reviewer_user)[0].body
    assert f"/plans/{plan.pk}/" in emails_to(client_user)[0].body

    mail.outbox.clear()
    run_after_commit(
        services.plan_decide, plan=plan, by=reviewer_user, outcome="changes_requested", reasons=["Name the venue"]
    )
    assert Counter(m.to[0] for m in mail.outbox) == {client_user.email: 1, broker_user.email: 1}

    mail.outbox.clear()
    line = plan.lines.get()
    run_after_commit(services.line_update, line=line, by=broker_user, description="Art class at the Beaney")
    run_after_commit(services.line_update, line=line, by=broker_user, units=Decimal("2"))
    assert mail.outbox == []  # the broker's work in progress is not news to the client
    run_after_commit(services.plan_share, plan=plan, by=broker_user)
    assert [m.subject for m in mail.outbox] == ["Your support plan is ready for you to read"]
    assert emails_to(client_user) == mail.outbox

    kinds = Counter(Notification.objects.filter(plan=plan).values_list("recipient__role", "kind"))
    assert kinds == {
        ("broker", "agreed"): 1,
        ("broker", "plan_submitted"): 1,
        ("client", "review_started"): 1,
        ("broker", "review_started"): 1,
        ("reviewer", "review_assigned"): 1,
        ("client", "changes_requested"): 1,
        ("broker", "changes_requested"): 1,
        ("client", "shared"): 2,
    }


def test_no_email_subject_carries_personal_details(run_after_commit, plan, client_user, broker_user, reviewer_user):
    run_after_commit(agree, plan=plan, client=client_user)
    run_after_commit(services.plan_submit, plan=plan, by=broker_user)
    run_after_commit(services.plan_decide, plan=plan, by=reviewer_user, outcome="approved", note="Lovely")
    assert len(mail.outbox) == 7
    for message in mail.outbox:
        for detail in (client_user.name, client_user.email, broker_user.name, "Lovely", "Weekly art class"):
            assert detail not in message.subject
            assert detail not in message.body
        assert len(message.to) == 1  # nobody sees another person's address
        assert message.body.count("http://") == 1


def test_processing_a_submission_twice_notifies_once(submitted_plan, reviewer_user):
    process_submission(submitted_plan.pk, submitted_plan.version)
    process_submission(submitted_plan.pk, submitted_plan.version)
    assert Notification.objects.filter(plan=submitted_plan, kind="review_assigned").count() == 1


def test_failed_checks_tell_client_and_broker(submitted_plan, client_user, broker_user):
    from brokers.models import BrokerProfile

    BrokerProfile.objects.filter(user=broker_user).delete()  # a delisted broker's plan cannot go to KMPT
    process_submission(submitted_plan.pk, submitted_plan.version)
    notified = Notification.objects.filter(plan=submitted_plan, kind="checks_failed")
    assert sorted(notified.values_list("recipient__email", flat=True)) == sorted([client_user.email, broker_user.email])


def test_a_withdrawal_tells_the_other_party_and_the_assigned_reviewer(submitted_plan, broker_user, reviewer_user):
    services.plan_claim(plan=submitted_plan, by=reviewer_user)
    services.plan_withdraw(plan=submitted_plan, by=broker_user)
    told = set(Notification.objects.filter(kind="withdrawn").values_list("recipient__role", flat=True))
    assert told == {"client", "reviewer"}


def test_taking_over_a_review_tells_the_reviewer_who_had_it(submitted_plan, reviewer_user):
    process_submission(submitted_plan.pk, submitted_plan.version)
    colleague = UserFactory(role=Role.REVIEWER)
    services.plan_claim(plan=submitted_plan, by=colleague)
    assert Notification.objects.get(kind="review_taken_over").recipient == reviewer_user
    assert not Notification.objects.filter(recipient=colleague, kind="review_taken_over").exists()


# --- Reminders -------------------------------------------------------------------------------------------------------

MONDAY = datetime.date(2025, 6, 2)


def test_working_days_skip_weekends():
    assert working_days_since(MONDAY, MONDAY + datetime.timedelta(days=7)) == 5
    assert working_days_since(datetime.date(2025, 6, 6), datetime.date(2025, 6, 9)) == 1  # Friday to Monday


@pytest.fixture
def waiting_since_monday(submitted_plan):
    process_submission(submitted_plan.pk, submitted_plan.version)
    submitted = timezone.make_aware(datetime.datetime.combine(MONDAY, datetime.time(10)))
    Plan.objects.filter(pk=submitted_plan.pk).update(submitted_at=submitted)
    return Plan.objects.get(pk=submitted_plan.pk)


def test_the_assigned_reviewer_is_reminded_once_after_five_working_days(waiting_since_monday, reviewer_user):
    colleague = UserFactory(role=Role.REVIEWER)
    friday = MONDAY + datetime.timedelta(days=4)
    assert reminders_send(today=friday) == 0  # four working days
    next_monday = MONDAY + datetime.timedelta(days=7)
    assert reminders_send(today=next_monday) == 1
    assert reminders_send(today=next_monday) == 0  # beat fired twice
    assert reminders_send(today=next_monday + datetime.timedelta(days=1)) == 0
    reminded = Notification.objects.filter(kind="review_waiting")
    assert list(reminded.values_list("recipient", flat=True)) == [reviewer_user.pk]
    assert not reminded.filter(recipient=colleague).exists()


def test_every_reviewer_is_told_once_after_ten_working_days(waiting_since_monday, reviewer_user):
    colleague = UserFactory(role=Role.REVIEWER)
    two_weeks_on = MONDAY + datetime.timedelta(days=14)
    assert reminders_send(today=two_weeks_on) == 2  # the five-day one (never sent) and the ten-day one
    assert reminders_send(today=two_weeks_on) == 0
    ten_day = Notification.objects.filter(kind="review_waiting", text__contains="10 working days")
    assert sorted(ten_day.values_list("recipient", flat=True)) == sorted([reviewer_user.pk, colleague.pk])
    assert Reminder.objects.filter(plan=waiting_since_monday).count() == 2


def test_a_resubmission_is_a_new_occasion(waiting_since_monday, reviewer_user, broker_user, client_user):
    reminders_send(today=MONDAY + datetime.timedelta(days=7))
    services.plan_decide(plan=waiting_since_monday, by=reviewer_user, outcome="changes_requested", reasons=["More"])
    services.line_update(line=waiting_since_monday.lines.get(), by=broker_user, units=Decimal("2"))
    agree(waiting_since_monday, client_user)
    services.plan_submit(plan=waiting_since_monday, by=client_user)
    process_submission(waiting_since_monday.pk, 2)
    Plan.objects.filter(pk=waiting_since_monday.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime.combine(MONDAY, datetime.time(10)))
    )
    assert reminders_send(today=MONDAY + datetime.timedelta(days=7)) == 1


def test_client_and_broker_hear_of_a_plan_review_two_weeks_ahead_once(submitted_plan, reviewer_user, client_user):
    process_submission(submitted_plan.pk, submitted_plan.version)
    review_on = datetime.date(2025, 9, 1)
    Plan.objects.filter(pk=submitted_plan.pk).update(
        status="approved", review_first_on=review_on, review_next_on=datetime.date(2026, 6, 1)
    )
    assert reminders_send(today=review_on - datetime.timedelta(days=15)) == 0
    assert reminders_send(today=review_on - datetime.timedelta(days=14)) == 1
    assert reminders_send(today=review_on - datetime.timedelta(days=10)) == 0
    due = Notification.objects.filter(kind="plan_review_due")
    assert set(due.values_list("recipient__role", flat=True)) == {"client", "broker"}
    assert "1 September 2025" in due.get(recipient=client_user).text


def test_reminder_emails_leave_after_commit(run_after_commit, waiting_since_monday, reviewer_user):
    mail.outbox.clear()
    run_after_commit(reminders_send, today=MONDAY + datetime.timedelta(days=7))
    assert [m.to for m in mail.outbox] == [[reviewer_user.email]]
    assert mail.outbox[0].subject == "A support plan is waiting for your review"


# --- The notification centre ---------------------------------------------------------------------------------------


def test_the_centre_shows_unread_counts_and_the_page_marks_them_read(submitted_plan, client_user, reviewer_user):
    client_user.notifications.update(read_at=timezone.now())  # what came before (the plan was shared)
    process_submission(submitted_plan.pk, submitted_plan.version)
    request = RequestFactory().get("/")
    request.user = client_user
    centre = Template("{% load plans_tags %}{% notification_centre %}").render(Context({"request": request}))
    assert "1 new" in centre and "passed the checks" in centre

    client = Client()
    client.force_login(client_user)
    notice = client_user.notifications.get(kind="review_started")
    response = client.post(f"/notifications/{notice.pk}/read/")
    assert response.status_code == 302 and response["Location"] == f"/plans/{submitted_plan.pk}/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    centre = Template("{% load plans_tags %}{% notification_centre %}").render(Context({"request": request}))
    assert "new" not in centre.split("</h2>")[0]


def test_nobody_reads_someone_elses_notifications(submitted_plan, client_user, broker_user):
    process_submission(submitted_plan.pk, submitted_plan.version)
    notice = client_user.notifications.get(kind="review_started")
    client = Client()
    client.force_login(broker_user)
    assert client.post(f"/notifications/{notice.pk}/read/").status_code == 404
    page = client.get("/notifications/").content.decode()
    assert "is with a KMPT reviewer" in page and "Your plan passed the checks" not in page
    client.post("/notifications/read-all/")
    notice.refresh_from_db()
    assert notice.read_at is None
    assert not broker_user.notifications.filter(read_at__isnull=True).exists()


def test_the_dashboard_panels_need_only_the_request(submitted_plan, client_user, broker_user, reviewer_user):
    process_submission(submitted_plan.pk, submitted_plan.version)
    panels = "{% load plans_tags %}{% client_plans_panel %}{% broker_plans_panel %}{% reviewer_queue_panel %}"
    for user, expected in (
        (client_user, "Your support plan"),
        (broker_user, "1 plan"),
        (reviewer_user, "1 plan waiting: 1 assigned to you"),
    ):
        request = RequestFactory().get("/")
        request.user = user
        html = Template(panels).render(Context({"request": request}))
        assert expected in html, user.role
        assert html.count("<section") == 1


def test_recording_a_budget_tells_the_client_and_their_broker(
    run_after_commit, client_user, broker_user, reviewer_user
):
    from datetime import date

    from tests.plans.factories import EngagementFactory

    EngagementFactory(client=client_user, broker=broker_user)
    mail.outbox.clear()
    run_after_commit(
        services.budget_record,
        by=reviewer_user, client=client_user, council="kent", eligibility="substantial",
        annual_amount=Decimal("1800.00"), assessed_on=date(2026, 11, 1), review_on=date(2027, 11, 1),
        outcomes=["relationships"], payment_route="kent_card",
    )  # fmt: skip
    assert sorted(m.to[0] for m in mail.outbox) == sorted([client_user.email, broker_user.email])
    assert all("1,800" not in m.subject and "116 123" in m.body for m in mail.outbox)
    assert client_user.notifications.get().kind == "budget_recorded"


def test_every_email_links_to_the_sites_own_address(run_after_commit, plan, broker_user, settings):
    settings.SITE_URL = "https://waymark.kent.example"
    mail.outbox.clear()
    run_after_commit(services.plan_share, plan=plan, by=broker_user)
    assert mail.outbox and all("https://waymark.kent.example/" in m.body for m in mail.outbox)
    assert not any("localhost" in m.body for m in mail.outbox)


def test_a_broker_whose_engagement_ended_is_not_reminded_of_the_plan_review(submitted_plan, client_user, broker_user):
    from brokers.models import Engagement
    from brokers.services import engagement_end

    process_submission(submitted_plan.pk, submitted_plan.version)
    review_on = datetime.date(2025, 9, 1)
    Plan.objects.filter(pk=submitted_plan.pk).update(
        status="approved", review_first_on=review_on, review_next_on=datetime.date(2026, 6, 1)
    )
    engagement_end(engagement=Engagement.objects.get(client=client_user, broker=broker_user), by=broker_user)
    assert reminders_send(today=review_on - datetime.timedelta(days=14)) == 1
    due = Notification.objects.filter(kind="plan_review_due")
    assert list(due.values_list("recipient", flat=True)) == [client_user.pk]


def test_a_broker_whose_engagement_ended_hears_nothing_of_a_decision(submitted_plan, client_user, broker_user):
    from brokers.models import Engagement
    from brokers.services import engagement_end

    process_submission(submitted_plan.pk, submitted_plan.version)
    plan = Plan.objects.get(pk=submitted_plan.pk)
    engagement_end(engagement=Engagement.objects.get(client=client_user, broker=broker_user), by=client_user)
    services.plan_claim(plan=plan, by=plan.reviewer)
    services.plan_decide(plan=Plan.objects.get(pk=plan.pk), by=plan.reviewer, outcome="approved", note="Fine")
    assert set(Notification.objects.filter(plan=plan, kind="approved").values_list("recipient", flat=True)) == {
        client_user.pk
    }
