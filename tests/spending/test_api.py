"""The spending endpoints for every role; the spending figures; matching by hand; telling people about flags."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import Event
from plans.models import Notification
from spending import services
from spending.matching import planned_to
from spending.models import Flag, Statement, Transaction
from spending.selectors import line_facts, plan_period
from tests.spending.conftest import read

pytestmark = pytest.mark.django_db

READERS = {"client": 200, "broker": 200, "reviewer": 200}
NOBODY = {"other_client": 404, "other_broker": 404, "provider": 404, "admin": 404, "anonymous": 401}


def upload(api, user, plan, content=None, name="kent_card.csv"):
    content = read("kent_card.csv") if content is None else content
    return api(user).post(
        f"/api/v1/plans/{plan.pk}/statements", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


@pytest.fixture
def imported(api, client_user, plan):
    """The Kent Card statement imported by the client."""
    response = upload(api, client_user, plan)
    assert response.status_code == 201
    return Statement.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize(("who", "expected"), {**READERS, **NOBODY}.items())
def test_who_may_read_a_plan_s_statements_transactions_and_spending(api, people, plan, imported, who, expected):
    payment = Transaction.objects.filter(plan=plan).first()
    for path in (
        "statements",
        f"statements/{imported.pk}",
        "transactions",
        f"transactions/{payment.pk}",
        "spending",
        "spending/",  # with a trailing slash too, never a redirect
    ):
        response = api(people[who]).get(f"/api/v1/plans/{plan.pk}/{path}")
        assert response.status_code == expected, (who, path, response.content)


@pytest.mark.parametrize(("who", "expected"), {"client": 201, "broker": 201, "reviewer": 201, **NOBODY}.items())
def test_who_may_upload_a_statement(api, people, plan, who, expected):
    assert upload(api, people[who], plan).status_code == expected


@pytest.mark.parametrize(("who", "expected"), {"client": 200, "broker": 200, "reviewer": 403, **NOBODY}.items())
def test_who_may_match_a_payment_by_hand(api, people, plan, imported, lines, who, expected):
    payment = Transaction.objects.get(plan=plan, description="TESCO STORES 2231 CANTERBURY")
    response = api(people[who]).patch(
        f"/api/v1/plans/{plan.pk}/transactions/{payment.pk}", {"line": lines["Thanet Arts Hub"].pk}, format="json"
    )
    assert response.status_code == expected


def test_a_reviewer_refused_a_hand_match_gets_403_before_any_check_of_the_input(api, reviewer_user, plan, imported):
    payment = Transaction.objects.filter(plan=plan).first()
    response = api(reviewer_user).patch(
        f"/api/v1/plans/{plan.pk}/transactions/{payment.pk}", {"line": "nonsense"}, format="json"
    )
    assert response.status_code == 403


def test_a_statement_or_payment_of_another_plan_is_404(api, client_user, plan, imported, ended_broker):
    other_plan = ended_broker["plan"]
    payment = Transaction.objects.filter(plan=plan).first()
    other_client = ended_broker["client"]
    assert api(other_client).get(f"/api/v1/plans/{other_plan.pk}/statements/{imported.pk}").status_code == 404
    assert api(other_client).get(f"/api/v1/plans/{other_plan.pk}/transactions/{payment.pk}").status_code == 404


def test_a_broker_whose_engagement_ended_cannot_upload(api, ended_broker):
    response = upload(api, ended_broker["broker"], ended_broker["plan"])
    assert response.status_code in (403, 404)
    assert not Statement.objects.exists()


def test_a_broker_whose_engagement_ended_sees_no_spending(api, ended_broker, client_user):
    plan, broker = ended_broker["plan"], ended_broker["broker"]
    assert upload(api, ended_broker["client"], plan).status_code == 201
    for path in ("statements", "transactions", "spending"):
        assert api(broker).get(f"/api/v1/plans/{plan.pk}/{path}").status_code == 404
    assert upload(api, broker, plan).status_code == 404


def test_transactions_are_paginated_with_the_contract_s_fields(api, client_user, plan, imported, lines):
    body = api(client_user).get(f"/api/v1/plans/{plan.pk}/transactions?page_size=5").json()
    assert body["count"] == 12
    assert len(body["results"]) == 5
    assert body["next"] is not None and body["previous"] is None
    newest = body["results"][0]
    assert set(newest) >= {"id", "date", "description", "payee", "amount", "merchant_category_code", "line", "flags"}
    assert newest == {
        **newest,
        "date": "2026-02-06",
        "description": "WINE RACK WHITSTABLE",
        "payee": "Wine Rack",
        "amount": "12.99",
        "merchant_category_code": "5921",
        "line": None,
        "flags": ["prohibited_merchant", "unplanned"],
    }
    flagged = api(client_user).get(f"/api/v1/plans/{plan.pk}/transactions?flagged=true").json()
    assert flagged["count"] == 3
    unmatched = api(client_user).get(f"/api/v1/plans/{plan.pk}/transactions?unmatched=true").json()
    assert unmatched["count"] == 3


def test_the_transaction_list_takes_a_fixed_number_of_queries(
    api, client_user, plan, imported, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = api(client_user).get(f"/api/v1/plans/{plan.pk}/transactions?page_size=100")
    assert len(response.json()["results"]) == 12


def test_statements_list_and_detail_answer_the_same_object(api, client_user, plan, imported):
    listed = api(client_user).get(f"/api/v1/plans/{plan.pk}/statements").json()
    detail = api(client_user).get(f"/api/v1/plans/{plan.pk}/statements/{imported.pk}").json()
    assert listed["count"] == 1
    assert listed["results"][0] == detail
    assert {key: detail[key] for key in ("id", "rows", "imported", "duplicates", "matched", "flagged", "status")} == {
        "id": imported.pk,
        "rows": 14,
        "imported": 12,
        "duplicates": 0,
        "matched": 9,
        "flagged": 3,
        "status": "done",
    }


def test_spending_adds_up_per_line_and_overall(api, client_user, plan, imported, lines):
    body = api(client_user).get(f"/api/v1/plans/{plan.pk}/spending").json()
    period = plan_period(plan)
    assert (body["from"], body["to"]) == ("2026-01-05", "2027-01-04")
    assert body["budget"] == "2000.00"
    # Money out less money in: art 5 x 8.50, yoga 3 x 6 - 6 refund, Tesco 14.37, bet 10, wine 12.99.
    assert body["spent"] == "91.86"
    assert body["remaining"] == "1908.14"
    assert body["unmatched_total"] == "37.36"
    assert body["flags"] == {"prohibited_merchant": 2, "unplanned": 3, "over_line": 0}
    today = min(timezone.localdate(), period.end)
    by_line = {item["line"]: item for item in body["lines"]}
    art, yoga, gym = lines["Thanet Arts Hub"], lines["Kent Wellbeing Collective"], lines["Medway Community Sport Trust"]
    assert (by_line[art.pk]["spent"], by_line[yoga.pk]["spent"], by_line[gym.pk]["spent"]) == ("42.50", "12.00", "0.00")
    for line in (art, yoga, gym):
        assert by_line[line.pk]["planned_to_date"] == f"{planned_to(line_facts(line), period.start, today):.2f}"
    assert Decimal(body["planned_to_date"]) == sum(Decimal(item["planned_to_date"]) for item in body["lines"])


def test_payments_outside_the_plan_s_year_are_kept_but_not_counted(api, client_user, plan):
    content = b"date,description,amount\n2025-12-30,THANET ARTS HUB,-8.50\n2026-01-06,THANET ARTS HUB,-8.50\n"
    assert upload(api, client_user, plan, content).json()["imported"] == 2
    assert api(client_user).get(f"/api/v1/plans/{plan.pk}/spending").json()["spent"] == "8.50"


def test_matching_by_hand_moves_the_money_to_the_line_and_closes_the_unplanned_flag(
    api, broker_user, plan, imported, lines
):
    tesco = Transaction.objects.get(plan=plan, description="TESCO STORES 2231 CANTERBURY")
    art = lines["Thanet Arts Hub"]
    response = api(broker_user).patch(
        f"/api/v1/plans/{plan.pk}/transactions/{tesco.pk}/", {"line": art.pk}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["line"], response.json()["flags"]) == (art.pk, [])
    assert Flag.objects.get(transaction=tesco, code="unplanned").resolved_at is not None
    spending = api(broker_user).get(f"/api/v1/plans/{plan.pk}/spending").json()
    assert {item["line"]: item["spent"] for item in spending["lines"]}[art.pk] == "56.87"
    event = Event.objects.get(action="transaction_matched")
    assert (event.by, event.record_type, event.data["transaction"], event.data["line"]) == (
        broker_user,
        "statement",
        tesco.pk,
        art.pk,
    )

    # A later import leaves the hand match alone.
    upload(api, broker_user, plan)
    tesco.refresh_from_db()
    assert (tesco.line, tesco.match_source) == (art, "by_hand")

    # "None of these" is a hand match too: the payment stays out of the plan, and is not in it.
    api(broker_user).patch(f"/api/v1/plans/{plan.pk}/transactions/{tesco.pk}", {"line": None}, format="json")
    tesco.refresh_from_db()
    assert (tesco.line, tesco.match_source, tesco.flags) == (None, "by_hand", ["unplanned"])


@pytest.mark.parametrize("line", ["nonsense", 999999, ""])
def test_a_hand_match_to_something_that_is_not_a_line_of_the_plan_is_400(api, client_user, plan, imported, line):
    payment = Transaction.objects.filter(plan=plan).first()
    response = api(client_user).patch(
        f"/api/v1/plans/{plan.pk}/transactions/{payment.pk}", {"line": line}, format="json"
    )
    assert response.status_code == 400
    assert "line" in response.json()


def test_a_line_of_another_plan_is_refused(api, client_user, plan, imported, ended_broker):
    payment = Transaction.objects.filter(plan=plan).first()
    foreign = ended_broker["plan"].lines.first()
    response = api(client_user).patch(
        f"/api/v1/plans/{plan.pk}/transactions/{payment.pk}", {"line": foreign.pk}, format="json"
    )
    assert response.status_code == 400


@pytest.fixture
def eager_tasks():
    """Emails (sent by a task after commit) go at once, through Celery's eager mode."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def test_flags_are_told_to_the_client_and_broker_in_plain_words_and_not_to_kmpt(
    api, client_user, broker_user, reviewer_user, plan, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(api, client_user, plan)
    client_note = Notification.objects.get(recipient=client_user, kind="spending_flag")
    broker_note = Notification.objects.get(recipient=broker_user, kind="spending_flag")
    assert client_note.text == (
        "3 payments on your card or account need a look: 2 to a place a personal budget cannot pay; 3 not in the "
        "plan. See your spending page."
    )
    assert broker_note.text.startswith(f"3 payments for {client_user.name} need a look: 2 to a place")
    assert not Notification.objects.filter(recipient=reviewer_user).exists()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([client_user.email, broker_user.email])
    assert all(client_user.name not in message.body for message in mail.outbox)  # emails never name the client

    # The same statement again raises nothing new: nobody is told twice.
    with django_capture_on_commit_callbacks(execute=True):
        upload(api, client_user, plan)
    assert Notification.objects.filter(kind="spending_flag").count() == 2


def test_flags_still_open_after_two_weeks_are_told_to_the_reviewer_once(
    api, client_user, reviewer_user, plan, imported
):
    assert services.flags_escalate() == 0  # fresh flags: KMPT hears nothing (no surprise audits)
    later = timezone.now() + datetime.timedelta(days=15)
    # The client fixed one of them in the meantime: only the two still open reach KMPT.
    tesco = Transaction.objects.get(plan=plan, description="TESCO STORES 2231 CANTERBURY")
    services.transaction_match(transaction=tesco, by=client_user, line=plan.lines.first())

    assert services.flags_escalate(now=later) == 4  # the bet and the wine: prohibited and unplanned each
    note = Notification.objects.get(recipient=reviewer_user, kind="spending_flag_persisting")
    assert "needed a look for 14 days" in note.text
    assert Event.objects.filter(action="flag_escalated").count() == 4
    assert services.flags_escalate(now=later + datetime.timedelta(days=1)) == 0  # once per flag
    assert Notification.objects.filter(recipient=reviewer_user).count() == 1


def test_the_escalation_task_is_on_the_beat_schedule():
    from config.celery import app
    from spending import tasks

    assert app.conf.beat_schedule["spending-escalate-persistent-flags"]["task"] == tasks.escalate_persistent_flags.name
    assert app.conf.beat_schedule["spending-sweep-statements"]["task"] == tasks.sweep_statements.name


def test_the_scoped_selectors_follow_the_plan_s_visibility(people, plan, imported):
    from spending.selectors import statements_visible_to, transactions_visible_to

    for who in ("client", "broker", "reviewer"):
        assert list(statements_visible_to(people[who])) == [imported]
        assert transactions_visible_to(people[who]).count() == 12
    for who in ("other_client", "other_broker", "provider", "admin"):
        assert not statements_visible_to(people[who]).exists()
        assert not transactions_visible_to(people[who]).exists()
