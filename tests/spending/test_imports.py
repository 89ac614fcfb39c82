"""Uploading statements through the API: the right rows, idempotent imports, bad rows reported, bad files refused
(never a 500), large files finished by a task with visible progress, and the audit trail."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from audit.models import Event
from spending import services
from spending.models import Statement, Transaction, TransactionHistory
from spending.tasks import import_statement
from tests.spending.conftest import read

pytestmark = pytest.mark.django_db


def upload(api, user, plan, content, name="statement.csv"):
    return api(user).post(
        f"/api/v1/plans/{plan.pk}/statements", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def test_a_kent_card_csv_is_imported_matched_and_flagged(api, client_user, plan, lines):
    response = upload(api, client_user, plan, read("kent_card.csv"), "kent_card.csv")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert {key: body[key] for key in ("rows", "imported", "duplicates", "matched", "flagged", "status")} == {
        "rows": 14,
        "imported": 12,
        "duplicates": 0,
        "matched": 9,  # 5 art, 3 yoga and the yoga refund
        "flagged": 3,  # Tesco (not in the plan); the bet and the wine (prohibited, and not in the plan)
        "status": "done",
    }
    assert body["rejected"] == [
        {"row": 13, "reason": "The date “31/02/2026” is not a date. Use YYYY-MM-DD or DD/MM/YYYY."},
        {"row": 14, "reason": "The amount “twelve pounds” is not an amount of money."},
    ]
    payments = {(t.date.isoformat(), t.description): t for t in Transaction.objects.filter(plan=plan)}
    art = payments[("2026-01-06", "CARD PAYMENT THANET ARTS HUB MARGATE")]
    assert art.line == lines["Thanet Arts Hub"]
    assert art.amount == Decimal("8.50")
    assert art.match_source == "automatic"
    refund = payments[("2026-01-23", "REFUND KENT WELLBEING COLL")]
    assert (refund.amount, refund.line) == (Decimal("-6.00"), lines["Kent Wellbeing Collective"])
    assert payments[("2026-01-31", "SKYBET*GAMING LEEDS")].flags == ["prohibited_merchant", "unplanned"]
    assert payments[("2026-02-06", "WINE RACK WHITSTABLE")].flags == ["prohibited_merchant", "unplanned"]
    assert payments[("2026-01-16", "TESCO STORES 2231 CANTERBURY")].flags == ["unplanned"]
    assert sum(1 for t in payments.values() if t.flags) == 3


def test_importing_the_same_file_again_adds_nothing(api, client_user, plan):
    upload(api, client_user, plan, read("kent_card.csv"))
    again = upload(api, client_user, plan, read("kent_card.csv")).json()

    assert (again["rows"], again["imported"], again["duplicates"], len(again["rejected"])) == (14, 0, 12, 2)
    assert Transaction.objects.filter(plan=plan).count() == 12


def test_an_overlapping_statement_adds_only_the_new_payments(api, client_user, plan):
    january = (
        b"Date,Description,Amount,Reference\n06/01/2026,THANET ARTS HUB,-8.50,A1\n13/01/2026,THANET ARTS HUB,-8.50,A2\n"
    )
    later = (
        b"date,description,amount,reference\n2026-01-13,Thanet Arts Hub,-8.50,a2\n"  # the same payment, written
        b"2026-01-20,THANET ARTS HUB,-8.50,A3\n"  # differently
    )
    assert upload(api, client_user, plan, january).json()["imported"] == 2
    answer = upload(api, client_user, plan, later).json()
    assert (answer["imported"], answer["duplicates"]) == (1, 1)
    assert Transaction.objects.filter(plan=plan).count() == 3


def test_the_same_payment_twice_in_one_file_is_added_once(api, client_user, plan):
    content = (
        b"date,description,amount,reference\n2026-01-06,Thanet Arts Hub,-8.50,R1\n2026-01-06,Thanet Arts Hub,-8.50,R1\n"
    )
    answer = upload(api, client_user, plan, content).json()
    assert (answer["rows"], answer["imported"], answer["duplicates"]) == (2, 1, 1)


def test_a_bank_csv_with_uk_dates_and_paid_in_and_out(api, broker_user, plan, lines):
    answer = upload(api, broker_user, plan, read("bank_paid_in_out.csv"), "nationwide.csv").json()

    assert (answer["rows"], answer["imported"], answer["rejected"]) == (
        9,
        8,
        [{"row": 5, "reason": "It has no amount in money out or money in."}],
    )
    gym = lines["Medway Community Sport Trust"]
    assert sorted(Transaction.objects.filter(line=gym).values_list("amount", flat=True)) == [
        Decimal("-22.00"),
        Decimal("22.00"),
    ]
    atm = Transaction.objects.get(plan=plan, description="LINK ATM CHATHAM HIGH ST")
    assert atm.flags == ["unplanned"]  # no merchant code in a bank CSV: it is simply not in the plan


def test_an_ofx_statement_keys_on_fitid(api, reviewer_user, plan, lines):
    answer = upload(api, reviewer_user, plan, read("statement.ofx"), "march.ofx").json()
    assert (answer["rows"], answer["imported"], [r["row"] for r in answer["rejected"]]) == (6, 4, [2, 6])
    bet = Transaction.objects.get(plan=plan, fitid="20260313-0001")
    assert (bet.merchant_category_code, bet.flags) == ("7995", ["prohibited_merchant", "unplanned"])
    assert Transaction.objects.get(fitid="20260302-0001").line == lines["Medway Community Sport Trust"]

    # The bank sends the month again with the broken row fixed and one more payment: only those two are new.
    fixed = (
        read("statement.ofx")
        .replace(b"2026XX05", b"20260305")
        .replace(
            b"</BANKTRANLIST>",
            b"<STMTTRN><TRNTYPE>POS<DTPOSTED>20260323<TRNAMT>-6.00<FITID>20260323-0001<NAME>KENT WELLBEING COLLECT"
            b"</STMTTRN></BANKTRANLIST>",
        )
    )
    again = upload(api, reviewer_user, plan, fixed, "march-again.ofx").json()
    assert (again["imported"], again["duplicates"], len(again["rejected"])) == (2, 4, 1)


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"\x00\x01\x02\x03binary", "photo.jpg", "looks like a spreadsheet, PDF or picture"),
        (b"%PDF-1.4 statement", "statement.pdf", "looks like a spreadsheet, PDF or picture"),
        (b"Hello, this is a letter\nnot a statement\n", "letter.csv", "header row"),
        (b"OFXHEADER:100\nnonsense", "bad.ofx", "This is not an OFX statement we can read"),
        (b"date,description,amount\n\x81\x8d,x,1\n", "odd.csv", "encoding"),
    ],
)
def test_a_bad_file_is_a_400_with_a_plain_reason_never_a_500(api, client_user, plan, content, name, reason):
    response = upload(api, client_user, plan, content, name)
    assert response.status_code == 400
    body = response.json()
    assert reason in body["detail"]
    assert body["code"] == "unreadable_file"
    assert body["file"] == [body["detail"]]
    assert not Statement.objects.exists()


def test_no_file_is_a_400_on_the_file_field(api, client_user, plan):
    response = api(client_user).post(f"/api/v1/plans/{plan.pk}/statements", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["file"] == ["Choose a statement file to upload."]
    json_body = api(client_user).post(f"/api/v1/plans/{plan.pk}/statements", {"file": "x"}, format="json")
    assert json_body.status_code == 415


def test_a_file_over_the_limit_is_a_clear_400(api, client_user, plan, settings):
    big = b"date,description,amount\n" + b"2026-01-06,Thanet Arts Hub,-8.50\n" * 170_000
    response = upload(api, client_user, plan, big)
    assert response.status_code == 400
    assert response.json()["file"] == ["The file is larger than 5 MB."]


def test_statements_belong_to_approved_plans_only(api, client_user, plan_draft):
    response = upload(api, client_user, plan_draft, read("kent_card.csv"))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    for path in ("statements", "transactions", "spending"):
        assert api(client_user).get(f"/api/v1/plans/{plan_draft.pk}/{path}").status_code == 409


def test_a_bad_file_on_a_plan_not_yet_approved_is_still_a_400(api, client_user, plan_draft):
    """400 (the input) wins over 409 (the state)."""
    assert upload(api, client_user, plan_draft, b"", "empty.csv").status_code == 400


def large_statement(rows: int) -> bytes:
    start = datetime.date(2026, 1, 5)
    out = ["Date,Description,Money Out,Money In,Reference"]
    for number in range(rows):
        day = start + datetime.timedelta(days=number * 300 // rows)
        out.append(f"{day:%d/%m/%Y},CARD PAYMENT THANET ARTS HUB,8.50,,LG{number:05d}")
    out.append("not a date,BROKEN ROW,1.00,,LG-X")
    return ("\n".join(out) + "\n").encode()


def test_a_large_file_answers_202_and_a_task_finishes_it_with_progress(
    api, client_user, plan, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "CHUNK_ROWS", 1000)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(api, client_user, plan, large_statement(2_500))
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["rows"], body["imported"], body["processed"]) == ("processing", 2_501, 0, 0)
    assert body["rejected"] == [{"row": 2_501, "reason": "The date “not” is not a date. Use YYYY-MM-DD or DD/MM/YYYY."}]
    assert len(callbacks) == 1  # the task is queued after commit

    statement_id = body["id"]
    # The task stops after its first chunk (a worker lost): progress shows, and the next run resumes there.
    services._import_next_chunk(statement_id=statement_id, rows=services.parse_statement(large_statement(2_500)).rows)
    progress = api(client_user).get(f"/api/v1/plans/{plan.pk}/statements/{statement_id}").json()
    assert (progress["status"], progress["processed"], progress["imported"]) == ("processing", 1000, 1000)

    assert import_statement(statement_id) is True
    done = api(client_user).get(f"/api/v1/plans/{plan.pk}/statements/{statement_id}").json()
    assert (done["status"], done["processed"], done["imported"], done["duplicates"]) == ("done", 2_500, 2_500, 0)
    assert done["matched"] == 2_500
    assert Transaction.objects.filter(plan=plan).count() == 2_500
    assert Statement.objects.get(pk=statement_id).content is None  # the file is not kept once imported

    assert import_statement(statement_id) is False  # a second run changes nothing
    assert Transaction.objects.filter(plan=plan).count() == 2_500


def test_a_stalled_import_is_sent_to_the_task_again(client_user, plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        statement = services.statement_upload(
            plan=plan, by=client_user, file_name="big.csv", content=large_statement(2_100)
        )
    Statement.objects.filter(pk=statement.pk).update(updated_at=statement.updated_at - datetime.timedelta(hours=1))
    assert services.statements_sweep() == 1
    assert services.statements_sweep(older_than=datetime.timedelta(days=1)) == 0


@pytest.mark.worker
def test_a_large_file_is_imported_by_a_real_worker(api, celery_worker_real, client_user, broker_user, reviewer_user):
    """End to end on a real Celery worker: the upload commits, the worker imports, the statement says done."""
    import time

    from tests.plans.factories import PlanFactory
    from tests.spending.conftest import approve, lines_for

    plan = PlanFactory(budget__client=client_user, budget__recorded_by=reviewer_user, broker=broker_user)
    lines_for(plan)
    plan = approve(plan, reviewer_user)
    response = upload(api, client_user, plan, large_statement(2_200))
    assert response.status_code == 202
    url = f"/api/v1/plans/{plan.pk}/statements/{response.json()['id']}"
    deadline = time.monotonic() + 60
    while api(client_user).get(url).json()["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.3)
    assert api(client_user).get(url).json()["imported"] == 2_200


def test_uploads_and_imports_are_in_the_audit_trail(api, client_user, plan):
    statement_id = upload(api, client_user, plan, read("kent_card.csv")).json()["id"]
    events = Event.objects.filter(record_type="statement", record_id=statement_id).order_by("id")
    assert [(e.action, e.from_state, e.to_state, e.via) for e in events] == [
        ("statement_uploaded", "", "processing", "api"),
        ("statement_imported", "processing", "done", "api"),
    ]
    assert events[0].by == client_user
    assert events[0].person == plan.client
    assert events[1].data["imported"] == 12


@pytest.mark.django_db(transaction=True)
def test_a_change_made_outside_the_services_leaves_a_history_row_without_a_service(api, client_user, plan, lines):
    """Committed for real: inside one test transaction, the service's history context would still be set."""
    from audit.selectors import history_outside_services

    upload(api, client_user, plan, read("kent_card.csv"))
    payment = Transaction.objects.get(plan=plan, description="TESCO STORES 2231 CANTERBURY")
    api(client_user).patch(
        f"/api/v1/plans/{plan.pk}/transactions/{payment.pk}", {"line": lines["Thanet Arts Hub"].pk}, format="json"
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE spending_transaction SET amount = 1.00 WHERE id = %s", [payment.pk])

    history = TransactionHistory.objects.filter(pgh_obj_id=payment.pk).order_by("pgh_id")
    assert [(row.amount, row.match_source) for row in history] == [
        (Decimal("14.37"), "by_hand"),
        (Decimal("1.00"), "by_hand"),
    ]
    outside = history_outside_services(history)
    assert [row.amount for row in outside] == [Decimal("1.00")]
    assert history.first().pgh_context.metadata["service"] == "transaction_match"
