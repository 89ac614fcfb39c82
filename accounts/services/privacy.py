"""The person's data rights: a copy of everything held about them, and erasure that keeps what KMPT must keep.

Each app says what it holds (accounts.registry); export asks every app; erasure asks every app to remove what it may
and anonymise what it must keep, then scrubs the person's name and email from every text column left anywhere in
the database (history tables and the audit trail included), so nothing refers to them afterwards but a pseudonym.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

import pgtrigger
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts import registry
from accounts.mfa import second_factor_ensure
from accounts.models import DataExport, ErasureRequest, ErasureStatus, OutgoingEmail, Representative, User
from accounts.services._mail import send, site_link
from accounts.services.representatives import AccountsError
from accounts.services.users import CRISIS_LINES
from audit.services import event_record, service
from config.errors import Conflict, InvalidTransition, NotAllowed

LARGE_EXPORT_RECORDS = 2000  # above this many records the copy is built by a task, with progress

KEPT_BY_ACCOUNTS = [
    "Your account is kept under a pseudonym, signed out and closed, so that the records KMPT must keep still say who "
    "they were about without naming you.",
]


def _person_export(person: User) -> dict[str, Any]:
    return {
        "account": {
            "id": person.pk, "email": person.email, "name": person.name, "role": person.role,
            "joined": person.date_joined.isoformat(),
            "last_login": person.last_login.isoformat() if person.last_login else None,
        },
        "representatives": [
            {"name": rep.name, "email": rep.email, "relationship": rep.relationship, "scope": rep.scope,
             "status": rep.status, "created_at": rep.created_at.isoformat()}
            for rep in Representative.objects.filter(client=person)
        ],
    }  # fmt: skip


def export_build(person: User) -> dict[str, Any]:
    """Every record held about the person, as plain JSON."""
    content: dict[str, Any] = _person_export(person)
    for holding in registry.holdings():
        content[holding.key] = holding.export(person)
    content["exported_at"] = timezone.now().isoformat()
    return content


def export_size(person: User) -> int:
    from audit.models import AccessLog, Event

    return Event.objects.filter(person=person).count() + AccessLog.objects.filter(person=person).count()


@service
def export_request(*, by: User) -> DataExport:
    """A person asks for their copy: built now when small (status done), by a task when large (processing)."""
    export = DataExport.objects.create(person=by)
    event_record(action="export_requested", record_type="account", record_id=by.pk, by=by, person=by)
    if export_size(by) <= LARGE_EXPORT_RECORDS:
        export_finish(export_id=export.pk)
        export.refresh_from_db()
    else:
        from accounts.tasks import build_export

        transaction.on_commit(lambda: build_export.delay(export.pk), robust=True)
    return export


RECENT_EXPORT_MINUTES = 10


def export_recent(person: User) -> DataExport | None:
    """The copy finished in the last few minutes, for a download link followed again (each copy is a record and a
    rendering: a fresh one is made on asking, not on every click)."""
    since = timezone.now() - timedelta(minutes=RECENT_EXPORT_MINUTES)
    return (
        DataExport.objects.filter(person=person, status="done", finished_at__gte=since).order_by("-finished_at").first()
    )


def export_finish(*, export_id: int) -> bool:
    export = DataExport.objects.select_related("person").filter(pk=export_id, status="processing").first()
    if export is None:
        return False
    content = export_build(export.person)
    return bool(
        DataExport.objects.filter(pk=export.pk, status="processing").update(
            content=content, status="done", finished_at=timezone.now()
        )
    )


@service
def erasure_request(*, by: User, reason: str = "") -> ErasureRequest:
    """A person asks for their data to be erased (one open request at a time)."""
    reason = (reason or "").strip()
    if len(reason) > 5000:
        raise AccountsError("Keep the reason to 5,000 characters.", code="invalid", extra={"reason": ["Too long."]})
    try:
        with transaction.atomic():
            request = ErasureRequest.objects.create(person=by, reason=reason)
    except IntegrityError:
        raise Conflict("You have already asked for your data to be erased.", code="already_requested") from None
    event_record(action="erasure_requested", record_type="erasure_request", record_id=request.pk, by=by, person=by)
    return request


def _require_admin(by: User) -> None:
    if not by.is_staff:
        raise NotAllowed("Only an administrator decides erasure requests.")


def _locked_open(erasure: ErasureRequest) -> ErasureRequest:
    locked = ErasureRequest.objects.select_for_update().select_related("person").get(pk=erasure.pk)
    if locked.status != ErasureStatus.REQUESTED:
        raise InvalidTransition(f"This request is already {locked.get_status_display().lower()}.")
    return locked


@service
def erasure_refuse(*, erasure: ErasureRequest, by: User, reason: str) -> ErasureRequest:
    """An admin refuses, saying why (for example a legal duty to keep the records as they are)."""
    _require_admin(by)
    reason = (reason or "").strip()
    if not reason:
        raise AccountsError("Say why the request is refused.", code="reason_required", extra={"reason": ["Say why."]})
    locked = _locked_open(erasure)
    locked.status, locked.decided_at, locked.decided_by, locked.decision_reason = (
        ErasureStatus.REFUSED, timezone.now(), by, reason,
    )  # fmt: skip
    locked.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    event_record(
        action="erasure_refused", record_type="erasure_request", record_id=locked.pk, by=by, person=locked.person,
        from_state=ErasureStatus.REQUESTED, to_state=locked.status, reason=reason,
    )  # fmt: skip
    send(
        to=locked.person.email,
        subject="Your request to erase your data",
        text=(
            "We have looked at your request to erase the information Waymark holds about you, and we cannot do it "
            f"now. The reason is:\n\n{reason}\n\nYour account stays open as it was. You can see this on "
            f"{site_link('/account/erasure/')} and ask again at any time. If you are unhappy with this decision you "
            "can complain to the Information Commissioner's Office (ico.org.uk, 0303 123 1113)."
        ),
    )
    return locked


def _pseudonym() -> tuple[str, str]:
    tag = secrets.token_hex(4).upper()
    return f"Former Waymark user {tag}", f"erased-{tag.lower()}@erased.invalid"


@service
def erasure_complete(*, erasure: ErasureRequest, by: User) -> ErasureRequest:
    """An admin completes the request: the person is anonymised everywhere, signed out for good, and what KMPT must
    keep (budgets, frozen plan versions, decisions, the audit trail) stays under a pseudonym."""
    _require_admin(by)
    second_factor_ensure(by)
    locked = _locked_open(erasure)
    person = locked.person
    if person.pk == by.pk:
        raise NotAllowed("Another administrator completes your own request.")
    name, email = person.name, person.email
    pseudonym, pseudo_email = _pseudonym()
    kept = list(KEPT_BY_ACCOUNTS)
    for holding in registry.holdings():
        if holding.erase is not None:
            kept.extend(holding.erase(person, pseudonym))
    # Nobody acts for them or through them any more: the records kept for KMPT are KMPT's, not a helper's to read.
    for helped in (Representative.objects.filter(person=person), Representative.objects.filter(client=person)):
        helped.exclude(status="revoked").update(status="revoked", revoked_at=timezone.now(), revoked_by=by)
    _emails_to_erase(email)
    EmailAddress.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()
    person.name, person.email, person.is_active = pseudonym, pseudo_email, False
    person.set_unusable_password()  # every session and token ends: their stored password hash no longer matches
    person.save()
    _sessions_end(person)
    scrub_everywhere({text: replacement for text, replacement in ((name, pseudonym), (email, pseudo_email)) if text})
    _tell_erased(email)
    locked.status, locked.decided_at, locked.decided_by, locked.kept = ErasureStatus.COMPLETED, timezone.now(), by, kept
    locked.reason = ""
    locked.save(update_fields=["status", "decided_at", "decided_by", "kept", "reason"])
    event_record(
        action="erasure_completed", record_type="erasure_request", record_id=locked.pk, by=by, person=person,
        from_state=ErasureStatus.REQUESTED, to_state=locked.status,
    )  # fmt: skip
    return locked


ERASED_EMAIL = "[This email was removed when the person's data was erased]"


def _emails_to_erase(email: str) -> None:
    """Emails to the person: what is waiting never goes, what went is kept as a count only. These are the places
    their first name or other words about them can be without their full name ("Hello Quentin,")."""
    to_them = OutgoingEmail.objects.filter(to__icontains=email)
    to_them.filter(sent_at__isnull=True).delete()
    to_them.update(subject=ERASED_EMAIL, body=ERASED_EMAIL, html="")


def _tell_erased(email: str) -> None:
    """The last email to the person: straight to the mail task, never kept in the outbox, so that their address is
    not stored anywhere once it has gone."""
    from accounts.tasks import send_email

    body = (
        "Hello,\n\nWe have erased the information Waymark held about you, as you asked. Your account is closed and "
        "you cannot sign in any more.\n\nKMPT must keep its record of your personal budgets, the support plans sent "
        "to it and its decisions. These are kept under a made-up name, not yours.\n\n"
        f"{CRISIS_LINES}\n\nWaymark"
    )
    message = {"subject": "Your data has been erased", "body": body, "from_email": settings.DEFAULT_FROM_EMAIL}
    transaction.on_commit(lambda: send_email.delay(**message, to=[email]), robust=True)


def _sessions_end(person: User) -> None:
    """Delete the person's sessions (browser and API tokens), which also hold how they signed in."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk):
            store(session.session_key).delete()


TEXT_TYPES = ("text", "character varying", "jsonb", "json")


def scrub_everywhere(replacements: dict[str, str]) -> int:
    """Replace each text (a name, an address) wherever it is written, in every text column of every table: the
    audit trail and database history too (their append-only triggers are set aside for this one change only).
    Answers how many values changed."""
    if not replacements:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(%s)",
            [list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
    changed = 0
    protected = ("audit.Event:append_only", "audit.AccessLog:access_append_only", "plans.PlanVersion:frozen_version")
    with pgtrigger.ignore(*protected), connection.cursor() as cursor:
        for table, column, kind in columns:
            changed += _scrub_column(cursor, table, column, kind, replacements)
    return changed


def whole(text: str) -> str:
    """A PostgreSQL pattern for `text` standing on its own: never inside a longer word or address, so erasing "Ann"
    leaves "annual" alone and erasing jo@example.org leaves anjo@example.org and jo@example.org.uk alone; any case."""
    if "@" in text:  # an address: no character of an address may come just before it, nor a word or domain just after
        return rf"(?<![[:alnum:]_.%+-]){re.escape(text)}(?![[:alnum:]_-]|\.[[:alnum:]])"
    # a name: "Jo Hale's" is theirs, "Jo Haley" and "Jo Hale-Smith" are somebody else's
    return rf"(?<![[:alnum:]_-]){re.escape(text)}(?![[:alnum:]_-])"


def _scrub_column(cursor: Any, table: str, column: str, kind: str, replacements: dict[str, str]) -> int:
    target = f'"{column}"::text' if kind in ("jsonb", "json") else f'"{column}"'
    changed = 0
    for text, replacement in replacements.items():
        pattern = whole(text)
        value = f"regexp_replace({target}, %s, %s, 'gi')"
        assigned = f"({value})::{kind}" if kind in ("jsonb", "json") else value
        cursor.execute(
            f'UPDATE "{table}" SET "{column}" = {assigned} WHERE {target} ~* %s',  # noqa: S608 (names from the catalogue)
            [pattern, replacement.replace("\\", "\\\\"), pattern],
        )
        changed += cursor.rowcount
    return changed
