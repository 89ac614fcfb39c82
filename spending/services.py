"""Every write to statements, payments and flags: permission, state, one transaction, an event, side effects after
commit.

An upload is read at once (so a bad file is refused there and then); a small one is imported in the same request,
a large one is kept and imported by a task in chunks, each chunk committed with the task's cursor so a crash
resumes where it stopped and counts nothing twice. After every import or hand match the plan's payments are
matched again and its flags worked out again; flags newly raised are told to the client and broker in plain words.
A flag still open after `FLAG_PERSISTS_AFTER` is told to the plan's reviewer, once.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db import connection
from django.db import transaction as db_transaction
from django.utils import timezone

from accounts.models import User
from audit.services import event_record, service
from config.errors import InvalidTransition, NotAllowed, ServiceError
from plans.models import Plan, PlanLine
from plans.notifications import notify
from spending import permissions, selectors
from spending.matching import PROHIBITED_MERCHANTS, PaymentFacts, flags_for, match_payments
from spending.models import Flag, FlagCode, MatchSource, Statement, StatementStatus, Transaction
from spending.parsing import MAX_BYTES, Parsed, Row, UnreadableStatement, parse_statement

logger = logging.getLogger(__name__)

LARGE_ROWS = 2_000  # more rows than this (or a file over LARGE_BYTES) is imported by a task
LARGE_BYTES = 256 * 1024
CHUNK_ROWS = 2_000
FLAG_PERSISTS_AFTER = datetime.timedelta(days=14)
LOCK_NAMESPACE = 2_049  # pg_advisory_xact_lock(namespace, plan id): one import or rematch of a plan at a time


class SpendingError(ServiceError):
    """A statement or spending rule said no (400)."""


def _lock_plan_spending(plan_id: int) -> None:
    """Imports and rematches of one plan run one at a time (in this transaction), whichever process runs them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, plan_id])


def _ensure_started(plan: Plan) -> None:
    if not permissions.spending_started(plan):
        raise InvalidTransition("Statements and spending start once KMPT has approved the plan.")


# --- Uploading and importing ------------------------------------------------------------------------------------


def statement_read(*, content: bytes, file_name: str) -> Parsed:
    """Read a statement file, or refuse it with a plain reason on the `file` field (400)."""
    try:
        return parse_statement(content, file_name=file_name)
    except UnreadableStatement as error:
        raise SpendingError(error.reason, code="unreadable_file", extra={"file": [error.reason]}) from None


def is_large(parsed: Parsed, content: bytes) -> bool:
    return parsed.total > LARGE_ROWS or len(content) > LARGE_BYTES


@service
def statement_upload(*, plan: Plan, by: User, file_name: str, content: bytes) -> Statement:
    """Take a CSV or OFX statement for an approved plan: import it now, or (a large one) leave it to a task."""
    if not permissions.may_upload_statement(by, plan):
        raise NotAllowed("Only the client, their broker or a KMPT reviewer can add statements.")
    if len(content) > MAX_BYTES:
        reason = f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."
        raise SpendingError(reason, code="file_too_large", extra={"file": [reason]})
    parsed = statement_read(content=content, file_name=file_name)
    _ensure_started(plan)
    large = is_large(parsed, content)
    statement = Statement.objects.create(
        plan=plan,
        uploaded_by=by,
        file_name=(file_name or "statement")[:255],
        kind=parsed.kind,
        rows=parsed.total,
        rejected=[rejected.as_dict() for rejected in parsed.rejected],
        content=content if large else None,
    )
    event_record(
        action="statement_uploaded",
        record_type="statement",
        record_id=statement.pk,
        by=by,
        person=plan.client,
        to_state=StatementStatus.PROCESSING,
        data={"plan": plan.pk, "file_name": statement.file_name, "rows": parsed.total, "kind": parsed.kind},
    )
    if large:
        from spending.tasks import import_statement

        db_transaction.on_commit(lambda: import_statement.delay(statement.pk))
        return statement
    _lock_plan_spending(plan.pk)
    _import_chunk(statement, parsed.rows, presets=_presets(plan, parsed.rows))
    return _finish(statement, by=by)


def statement_import_run(*, statement_id: int) -> bool:
    """The task's work: import what is left of a kept statement, chunk by chunk, then finish it. Running it again
    (or twice at once) changes nothing more."""
    statement = Statement.objects.filter(pk=statement_id).first()
    if statement is None or statement.status == StatementStatus.DONE or statement.content is None:
        return False
    rows = parse_statement(bytes(statement.content), file_name=statement.file_name).rows
    presets = _presets(Plan.objects.get(pk=statement.plan_id), rows)
    while _import_next_chunk(statement_id=statement_id, rows=rows, presets=presets):
        pass
    return _finish_kept(statement_id=statement_id)


@service
def _import_next_chunk(*, statement_id: int, rows: list[Row], presets: dict[str, int | None] | None = None) -> bool:
    """One chunk, committed with the cursor: True while there is more to do."""
    plan_id = Statement.objects.values_list("plan_id", flat=True).get(pk=statement_id)
    _lock_plan_spending(plan_id)
    statement = Statement.objects.select_for_update().defer("content").get(pk=statement_id)
    if statement.status == StatementStatus.DONE or statement.processed >= len(rows):
        return False
    _import_chunk(statement, rows[statement.processed : statement.processed + CHUNK_ROWS], presets=presets or {})
    return statement.processed < len(rows)


@service
def _finish_kept(*, statement_id: int) -> bool:
    plan_id = Statement.objects.values_list("plan_id", flat=True).get(pk=statement_id)
    _lock_plan_spending(plan_id)
    statement = Statement.objects.select_for_update().defer("content").get(pk=statement_id)
    if statement.status == StatementStatus.DONE:
        return False
    _finish(statement, by=None)
    return True


def _presets(plan: Plan, rows: list[Row]) -> dict[str, int | None]:
    """The line each of the file's payments new to the plan will match, worked out once over the whole plan, so
    that rows go in already matched: updating a row afterwards (with its history trigger) costs many times what
    inserting it does. The rematch after the import still has the last word."""
    lines = [selectors.line_facts(line) for line in selectors.plan_lines(plan)]
    known = set(Transaction.objects.filter(plan=plan).values_list("dedupe_key", flat=True))
    new: dict[str, PaymentFacts] = {}
    for index, row in enumerate(rows):
        if row.dedupe_key not in known and row.dedupe_key not in new:
            new[row.dedupe_key] = PaymentFacts(
                id=-index - 1,
                date=row.date,
                amount=row.amount,
                payee=row.payee,
                description=row.description,
                merchant_category_code=row.merchant_category_code,
            )
    matches = match_payments([*selectors.payment_facts(plan), *new.values()], lines)
    return {key: matches.get(facts.id) for key, facts in new.items()}


def _import_chunk(statement: Statement, rows: list[Row], *, presets: dict[str, int | None]) -> None:
    """Add the chunk's payments the plan does not have yet; count the rest as duplicates. The caller holds the
    plan's lock, so the check and the insert cannot race another import."""
    keys = {row.dedupe_key: row for row in rows}  # a payment twice in one file is added once
    existing = set(
        Transaction.objects.filter(plan_id=statement.plan_id, dedupe_key__in=list(keys)).values_list(
            "dedupe_key", flat=True
        )
    )
    new = [
        Transaction(
            plan_id=statement.plan_id,
            statement=statement,
            date=row.date,
            description=row.description,
            payee=row.payee,
            amount=row.amount,
            merchant_category_code=row.merchant_category_code,
            reference=row.reference,
            fitid=row.fitid,
            dedupe_key=key,
            line_id=presets.get(key),
            match_source=MatchSource.AUTOMATIC if presets.get(key) else MatchSource.NONE,
        )
        for key, row in keys.items()
        if key not in existing
    ]
    _insert(new)
    statement.processed += len(rows)
    statement.imported += len(new)
    statement.duplicates += len(rows) - len(new)
    statement.save(update_fields=["processed", "imported", "duplicates", "updated_at"])


def _insert(transactions: list[Transaction]) -> None:
    """COPY rather than INSERT: a 10,000-row statement goes in about fifteen times faster. Values are prepared by
    each field as the ORM would; constraints hold as for any insert. (Transaction has no insert trigger; its update
    and delete history triggers are untouched.)"""
    if not transactions:
        return
    fields = [field for field in Transaction._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(Transaction._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for payment in transactions:
            copy.write_row([field.get_db_prep_save(field.pre_save(payment, True), connection) for field in fields])


def _finish(statement: Statement, *, by: User | None) -> Statement:
    """Match and flag the whole plan again, tell people about new flags, and close the statement."""
    _lock_plan_spending(statement.plan_id)
    plan = Plan.objects.select_related("client", "broker", "budget").get(pk=statement.plan_id)
    raised = plan_rematch(plan)
    imported = Transaction.objects.filter(statement=statement)
    statement.matched = imported.filter(line__isnull=False).count()
    statement.flagged = imported.exclude(flags=[]).count()
    statement.status = StatementStatus.DONE
    statement.finished_at = timezone.now()
    statement.content = None
    statement.save()
    event_record(
        action="statement_imported",
        record_type="statement",
        record_id=statement.pk,
        by=by,
        person=plan.client,
        from_state=StatementStatus.PROCESSING,
        to_state=StatementStatus.DONE,
        data={
            "plan": plan.pk,
            **{name: getattr(statement, name) for name in ("rows", "imported", "duplicates", "matched", "flagged")},
            "rejected": len(statement.rejected),
        },
    )
    _tell_parties(plan, raised, except_user=None)
    return statement


# --- Matching and flags -----------------------------------------------------------------------------------------


def plan_rematch(plan: Plan, *, today: datetime.date | None = None) -> list[Flag]:
    """Match every payment not matched by hand, then work the flags out again. Returns the flags newly raised
    (or raised again). The caller holds the plan's lock, inside a service's transaction."""
    lines = [selectors.line_facts(line) for line in selectors.plan_lines(plan)]
    payments = selectors.payment_facts(plan)
    matches = match_payments(payments, lines)
    _save_matches(payments, matches)
    period = selectors.plan_period(plan)
    final = [payment if payment.by_hand else replace(payment, line_id=matches.get(payment.id)) for payment in payments]
    wanted = flags_for(final, lines, start=period.start, end=period.end, today=today or timezone.localdate())
    return _save_flags(plan, wanted)


def _save_matches(payments: list[PaymentFacts], matches: dict[int, int | None]) -> None:
    """Write only what changed, one UPDATE per line (a plan has a handful of lines, a year thousands of rows)."""
    changed: dict[int | None, list[int]] = defaultdict(list)
    for payment in payments:
        if not payment.by_hand and matches.get(payment.id) != payment.line_id:
            changed[matches.get(payment.id)].append(payment.id)
    for line_id, ids in changed.items():
        source = MatchSource.AUTOMATIC if line_id is not None else MatchSource.NONE
        Transaction.objects.filter(pk__in=ids).update(line_id=line_id, match_source=source)


def _save_flags(plan: Plan, wanted: dict[int, frozenset[str]]) -> list[Flag]:
    now = timezone.now()
    rows = {(flag.transaction_id, flag.code): flag for flag in Flag.objects.filter(transaction__plan=plan)}
    raised: list[Flag] = []
    reopen: list[int] = []
    for transaction_id, codes in wanted.items():
        for code in codes:
            flag = rows.get((transaction_id, code))
            if flag is None:
                raised.append(Flag(transaction_id=transaction_id, code=code, raised_at=now))
            elif flag.resolved_at is not None:
                reopen.append(flag.pk)
                raised.append(flag)
    resolve = [
        flag.pk
        for (transaction_id, code), flag in rows.items()
        if flag.resolved_at is None and code not in wanted.get(transaction_id, frozenset())
    ]
    Flag.objects.bulk_create([flag for flag in raised if flag.pk is None], batch_size=1000)
    Flag.objects.filter(pk__in=reopen).update(resolved_at=None, raised_at=now)
    Flag.objects.filter(pk__in=resolve).update(resolved_at=now)
    _save_flag_codes(plan, wanted)
    return raised


def _save_flag_codes(plan: Plan, wanted: dict[int, frozenset[str]]) -> None:
    current = dict(Transaction.objects.filter(plan=plan).values_list("id", "flags"))
    by_codes: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for transaction_id, codes in wanted.items():
        ordered = tuple(code for code in FlagCode.values if code in codes)
        if tuple(current.get(transaction_id) or ()) != ordered:
            by_codes[ordered].append(transaction_id)
    for ordered_codes, ids in by_codes.items():
        Transaction.objects.filter(pk__in=ids).update(flags=list(ordered_codes))


@service
def transaction_match(*, transaction: Transaction, by: User, line: PlanLine | None) -> Transaction:
    """The client or their broker says which line a payment pays for (or none); automatic matching then leaves
    it alone."""
    plan = Plan.objects.select_related("client", "broker").get(pk=transaction.plan_id)
    if not permissions.may_match_by_hand(by, plan):
        raise NotAllowed("Only the client or their broker can match a payment to the plan.")
    if line is not None and line.plan_id != plan.pk:
        reason = "Choose a line of this plan, or none."
        raise SpendingError(reason, code="invalid_line", extra={"line": [reason]})
    _ensure_started(plan)
    _lock_plan_spending(plan.pk)
    previous = Transaction.objects.filter(pk=transaction.pk).values_list("line_id", flat=True).get()
    Transaction.objects.filter(pk=transaction.pk).update(line=line, match_source=MatchSource.BY_HAND)
    event_record(
        action="transaction_matched",
        record_type="statement",
        record_id=transaction.statement_id,
        by=by,
        person=plan.client,
        data={"plan": plan.pk, "transaction": transaction.pk, "line": getattr(line, "pk", None), "previous": previous},
    )
    raised = plan_rematch(plan)
    _tell_parties(plan, raised, except_user=by)
    return Transaction.objects.select_related("line").get(pk=transaction.pk)


# --- Telling people ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagWords:
    short: str
    sentence: str


def flag_words(code: str, merchant_category_code: str = "") -> FlagWords:
    """A flag in plain words, for the pages and notifications."""
    if code == FlagCode.PROHIBITED_MERCHANT:
        kind = PROHIBITED_MERCHANTS.get(merchant_category_code, "something a personal budget cannot pay for")
        return FlagWords(
            f"Looks like {kind}",
            f"This was paid to a place the card company lists as {kind}. A personal budget cannot pay for "
            f"{kind}. If it was a mistake, talk to your broker about paying it back.",
        )
    if code == FlagCode.UNPLANNED:
        return FlagWords(
            "Not in the plan",
            "This payment does not match anything in the plan. If it is for something in the plan, match it.",
        )
    return FlagWords(
        "Spent faster than planned",
        "More has gone on this part of the plan than the plan expected by now. Check it is right.",
    )


def _summary(flags: list[Flag]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for flag in flags:
        counts[flag.code] += 1
    parts = []
    if counts[FlagCode.PROHIBITED_MERCHANT]:
        parts.append(f"{counts[FlagCode.PROHIBITED_MERCHANT]} to a place a personal budget cannot pay")
    if counts[FlagCode.UNPLANNED]:
        parts.append(f"{counts[FlagCode.UNPLANNED]} not in the plan")
    if counts[FlagCode.OVER_LINE]:
        parts.append(f"{counts[FlagCode.OVER_LINE]} on a part of the plan spent faster than planned")
    return "; ".join(parts)


def _tell_parties(plan: Plan, raised: list[Flag], *, except_user: User | None) -> None:
    """The client and the broker hear first, in plain words; KMPT only if a flag stays open (flags_escalate)."""
    if not raised:
        return
    payments = len({flag.transaction_id for flag in raised})
    noun = "payment" if payments == 1 else "payments"
    what = _summary(raised)
    recipients = [
        (plan.client, f"{payments} {noun} on your card or account need a look: {what}. See your spending page."),
        (plan.broker, f"{payments} {noun} for {plan.client.name or 'your client'} need a look: {what}."),
    ]
    for recipient, text in recipients:
        if recipient == except_user or (
            recipient == plan.broker and not permissions.may_match_by_hand(recipient, plan)
        ):
            continue  # a broker whose engagement ended hears nothing more about the client
        notify(
            recipient=recipient,
            plan=plan,
            kind="spending_flag",
            text=text,
            email_subject="Payments to look at",
            email_body=f"{payments} {noun} on a personal budget need a look. Sign in to see which and why. "
            "Nobody else has been told yet.",
        )


def flags_escalate(*, now: datetime.datetime | None = None) -> int:
    """Beat: flags still open `FLAG_PERSISTS_AFTER` after they were raised are told to the plan's reviewer, once
    each (a conditional update marks them, so two beats never tell twice). Returns how many were told."""
    now = now or timezone.now()
    plan_ids = set(
        Flag.objects.filter(
            resolved_at__isnull=True, escalated_at__isnull=True, raised_at__lte=now - FLAG_PERSISTS_AFTER
        ).values_list("transaction__plan_id", flat=True)
    )
    return sum(_escalate_plan(plan_id=plan_id, now=now) for plan_id in sorted(plan_ids))


@service
def _escalate_plan(*, plan_id: int, now: datetime.datetime) -> int:
    _lock_plan_spending(plan_id)
    plan = Plan.objects.select_related("client", "broker", "reviewer").get(pk=plan_id)
    plan_rematch(plan, today=timezone.localdate(now))  # a line the plan has caught up with is no longer flagged
    due = list(
        Flag.objects.select_for_update(skip_locked=True).filter(
            transaction__plan_id=plan_id,
            resolved_at__isnull=True,
            escalated_at__isnull=True,
            raised_at__lte=now - FLAG_PERSISTS_AFTER,
        )
    )
    reviewer = plan.reviewer or _approving_reviewer(plan)
    if not due or reviewer is None:
        return 0
    Flag.objects.filter(pk__in=[flag.pk for flag in due], escalated_at__isnull=True).update(escalated_at=now)
    for flag in due:
        event_record(
            action="flag_escalated",
            record_type="flag",
            record_id=flag.pk,
            person=plan.client,
            data={"plan": plan.pk, "transaction": flag.transaction_id, "code": flag.code, "to": reviewer.pk},
        )
    days = FLAG_PERSISTS_AFTER.days
    notify(
        recipient=reviewer,
        plan=plan,
        kind="spending_flag_persisting",
        text=f"Payments on the plan for {plan.client.name or 'a client'} have needed a look for {days} days: "
        f"{_summary(due)}. The client and broker were told when they were found.",
        email_subject="Payments on a plan still need a look",
        email_body=f"Some payments on a support plan you review have needed a look for {days} days. Sign in to see "
        "the plan's spending.",
        for_reviewer=True,
    )
    return len(due)


def _approving_reviewer(plan: Plan) -> User | None:
    decision = plan.decisions.filter(outcome="approved").select_related("by").order_by("-decided_at").first()
    return decision.by if decision is not None else None


def statements_sweep(*, older_than: datetime.timedelta = datetime.timedelta(minutes=5)) -> int:
    """Beat: statements still being imported with no progress for a while (their message lost, a worker gone)
    are sent to the task again; the task resumes from its cursor."""
    from spending.tasks import import_statement

    stuck = Statement.objects.filter(
        status=StatementStatus.PROCESSING, content__isnull=False, updated_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)
    count = 0
    for statement_id in stuck:
        import_statement.delay(statement_id)
        count += 1
    return count
