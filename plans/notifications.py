"""Telling people what they need to know about plans, once: notification centre rows and emails after commit.

`plan_event_notify` is the hook the plan services call for every audit event, inside the transition's transaction,
so a notification exists exactly when its transition committed (one per person per event, a database constraint);
emails go out through `accounts.services.email_send`, which sends them on Celery after commit. Reminders are sent by
beat (`reminders_send`), once per occasion, recorded in `Reminder`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import email_send
from config.api import InvalidTransition, NotAllowed
from plans import permissions
from plans.models import (
    EDITABLE_STATUSES,
    OPEN_REVIEW_STATUSES,
    Notification,
    NotificationKind,
    Plan,
    PlanEvent,
    PlanStatus,
    Reminder,
)

REVIEW_REMINDER_DAYS = 5  # the assigned reviewer is reminded
REVIEW_ESCALATION_DAYS = 10  # every reviewer is told
PLAN_REVIEW_NOTICE = timedelta(weeks=2)


@dataclass(frozen=True)
class Message:
    """One thing to tell one person: the in-app text may name the client; the email never does."""

    recipient: User
    kind: str
    text: str
    subject: str
    email: str
    for_reviewer: bool = False
    emailed: bool = True


def plan_link(plan: Plan, *, for_reviewer: bool = False) -> str:
    return reverse("plans:review", args=[plan.pk]) if for_reviewer else reverse("plans:plan", args=[plan.pk])


def absolute(link: str) -> str:
    return settings.SITE_URL.rstrip("/") + link


def _deliver(plan: Plan | None, messages: list[Message], *, event: PlanEvent | None = None) -> list[Notification]:
    """Record each message in the recipient's centre and email it (after commit)."""
    rows = []
    for message in messages:
        link = plan_link(plan, for_reviewer=message.for_reviewer) if plan is not None else ""
        rows.append(
            Notification(
                recipient=message.recipient, plan=plan, event=event, kind=message.kind, text=message.text, link=link
            )
        )
        if not message.emailed:
            continue
        body = f"Hello,\n\n{message.email}\n\n{absolute(link or '/notifications/')}\n\nWaymark"
        email_send(
            message=EmailMessage(
                subject=message.subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[message.recipient.email]
            )
        )
    return Notification.objects.bulk_create(rows)


def _name(plan: Plan) -> str:
    return plan.client.name or "your client"


def _parties(
    plan: Plan, *, except_user: User | None, kind: str, client_text: str, broker_text: str, subject: str, email: str
) -> list[Message]:
    messages = []
    if plan.client != except_user:
        messages.append(Message(plan.client, kind, client_text, subject, email))
    if plan.broker != except_user:
        messages.append(Message(plan.broker, kind, broker_text, subject, email))
    return messages


def _decision_messages(plan: Plan, event: PlanEvent) -> list[Message]:
    words = {
        PlanStatus.APPROVED: ("approved", "KMPT has approved the support plan."),
        PlanStatus.CHANGES_REQUESTED: ("changes asked for", "KMPT has asked for changes to the support plan."),
        PlanStatus.DECLINED: ("declined", "KMPT has declined the support plan."),
    }
    short, email = words[PlanStatus(event.to_status)]
    return _parties(
        plan,
        except_user=None,
        kind=event.action,
        client_text=f"KMPT's decision on your plan: {short}. Read what the reviewer said.",
        broker_text=f"KMPT's decision on the plan for {_name(plan)}: {short}.",
        subject="KMPT has decided on a support plan",
        email=f"{email} Sign in to read the decision and what happens next.",
    )


def _transition_messages(plan: Plan, event: PlanEvent) -> list[Message]:
    """Who needs to know about this event, and what to tell them. Edits and agreements are not all transitions."""
    actor = event.by
    if event.action == "submitted":
        # In the centre only: the checks answer within seconds, and that step is emailed.
        submitted = _parties(
            plan,
            except_user=actor,
            kind=NotificationKind.PLAN_SUBMITTED,
            client_text="Your plan was sent to KMPT. Automatic checks run first.",
            broker_text=f"The plan for {_name(plan)} was sent to KMPT.",
            subject="A support plan was sent to KMPT",
            email="A support plan was sent to KMPT. We will tell you when a reviewer has it.",
        )
        return [replace(message, emailed=False) for message in submitted]
    if event.action == "checks_failed":
        return _parties(
            plan,
            except_user=None,
            kind=NotificationKind.CHECKS_FAILED,
            client_text="The automatic checks found something to change in your plan. Your broker can fix it.",
            broker_text=f"The automatic checks found something to change in the plan for {_name(plan)}.",
            subject="A support plan needs changes",
            email="The automatic checks found something to change in a support plan. Sign in to see what.",
        )
    if event.action == "review_started":
        messages = _parties(
            plan,
            except_user=None,
            kind=NotificationKind.REVIEW_STARTED,
            client_text="Your plan passed the checks. A KMPT reviewer will look at it.",
            broker_text=f"The plan for {_name(plan)} passed the checks and is with a KMPT reviewer.",
            subject="A support plan is with KMPT",
            email="A support plan passed the automatic checks and a KMPT reviewer will look at it.",
        )
        if plan.reviewer is not None:
            messages.append(_assigned(plan))
        return messages
    if event.action == "claimed":
        previous = event.data.get("previous_reviewer")
        if previous and previous != getattr(actor, "pk", None):
            former = User.objects.filter(pk=previous).first()
            if former is not None:
                return [
                    Message(
                        former,
                        NotificationKind.REVIEW_TAKEN_OVER,
                        f"Another reviewer took over the plan for {_name(plan)}.",
                        "A review was taken over",
                        "Another reviewer took over a support plan that was assigned to you.",
                        for_reviewer=True,
                    )
                ]
        return []
    if event.action in ("approved", "changes_requested", "declined"):
        return _decision_messages(plan, event)
    if event.action == "withdrawn":
        messages = _parties(
            plan,
            except_user=actor,
            kind=NotificationKind.WITHDRAWN,
            client_text="Your plan was withdrawn.",
            broker_text=f"The plan for {_name(plan)} was withdrawn.",
            subject="A support plan was withdrawn",
            email="A support plan was withdrawn. Nothing more will happen to it.",
        )
        if plan.reviewer is not None and event.from_status in OPEN_REVIEW_STATUSES:
            messages.append(
                Message(
                    plan.reviewer,
                    NotificationKind.WITHDRAWN,
                    f"The plan for {_name(plan)} was withdrawn.",
                    "A support plan was withdrawn",
                    "A support plan assigned to you was withdrawn. It has left the review queue.",
                    for_reviewer=True,
                )
            )
        return messages
    if event.action == "agreed":
        return [
            Message(
                plan.broker,
                NotificationKind.AGREED,
                f"{_name(plan)} agreed to the plan. It can be sent to KMPT.",
                "A client agreed to their support plan",
                "Your client agreed to their support plan. It can now be sent to KMPT.",
            )
        ]
    if event.from_status == PlanStatus.CHANGES_REQUESTED and event.to_status == PlanStatus.DRAFT:
        return [
            Message(
                plan.client,
                NotificationKind.REOPENED,
                "Your broker is changing your plan. You will be asked to agree to the new version.",
                "Your support plan is being changed",
                "Your broker started changing your support plan. You will be asked to agree to the new version.",
            )
        ]
    return []


def _assigned(plan: Plan) -> Message:
    return Message(
        plan.reviewer,  # type: ignore[arg-type]
        NotificationKind.REVIEW_ASSIGNED,
        f"The plan for {_name(plan)} is assigned to you for review.",
        "A support plan is waiting for your review",
        "A support plan has been assigned to you. Sign in to review it.",
        for_reviewer=True,
    )


def plan_event_notify(event: PlanEvent) -> list[Notification]:
    """The services' hook for every audit event: tell the people concerned, once, in the same transaction."""
    plan = Plan.objects.select_related("client", "broker", "reviewer").get(pk=event.plan_id)
    messages = _transition_messages(plan, event)
    if not messages:
        return []
    return _deliver(plan, messages, event=event)


@transaction.atomic
def plan_change_ask(*, plan: Plan, by: User, message: str) -> PlanEvent:
    """The client asks their broker to change something in the plan: an audit event and a note to the broker."""
    locked = Plan.objects.select_for_update(of=("self",)).select_related("client", "broker").get(pk=plan.pk)
    if not permissions.may_agree_plan(by, locked):
        raise NotAllowed("Only the client asks for changes to their plan.")
    if locked.status not in EDITABLE_STATUSES:
        raise InvalidTransition("The plan cannot be changed now.")
    event = PlanEvent.objects.create(
        plan=locked,
        action="change_asked",
        by=by,
        from_status=locked.status,
        to_status=locked.status,
        version=locked.version,
        data={},  # what the client wrote stays between the client and the broker
    )
    note = Message(
        locked.broker,
        NotificationKind.CHANGE_ASKED,
        f"{_name(locked)} asked for a change to their plan: “{message.strip()}”",
        "Your client asked for a change to their plan",
        "Your client asked for a change to their support plan. Sign in to read their message.",
    )
    _deliver(locked, [note], event=event)
    return event


# --- The notification centre --------------------------------------------------------------------------------------


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("plan")


def notifications_unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_read(*, notification: Notification, by: User) -> None:
    if notification.recipient_id != by.pk:
        raise NotAllowed("This is someone else's notification.")
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def notifications_read_all(*, by: User) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())


# --- Reminders (beat) ---------------------------------------------------------------------------------------------


def working_days_since(day: date, today: date) -> int:
    """Weekdays after `day` up to and including `today` (the queue's overdue rule counts the same way)."""
    count, current = 0, day
    while current < today:
        current += timedelta(days=1)
        if current.weekday() < 5:
            count += 1
    return count


def _remind_once(plan: Plan, kind: str, occasion: str, messages: list[Message]) -> bool:
    """Send this occasion's reminder unless it has been sent; a concurrent twin loses on the unique constraint."""
    if not messages:
        return False
    try:
        with transaction.atomic():
            Reminder.objects.create(plan=plan, kind=kind, occasion=occasion)
            _deliver(plan, messages)
    except IntegrityError:
        return False
    return True


def _review_waiting_reminders(today: date) -> int:
    sent = 0
    waiting = Plan.objects.filter(status__in=OPEN_REVIEW_STATUSES, submitted_at__isnull=False).select_related(
        "client", "broker", "reviewer"
    )
    reviewers = list(User.objects.filter(role=Role.REVIEWER, is_active=True))
    for plan in waiting:
        days = working_days_since(timezone.localdate(plan.submitted_at), today)
        occasion = f"version-{plan.version}"
        if days >= REVIEW_REMINDER_DAYS and plan.reviewer is not None:
            message = Message(
                plan.reviewer,
                NotificationKind.REVIEW_WAITING,
                f"The plan for {_name(plan)} has waited {REVIEW_REMINDER_DAYS} working days for your review.",
                "A support plan is waiting for your review",
                f"A support plan assigned to you has waited {REVIEW_REMINDER_DAYS} working days for review.",
                for_reviewer=True,
            )
            sent += _remind_once(plan, "review_5_days", occasion, [message])
        if days >= REVIEW_ESCALATION_DAYS:
            messages = [
                Message(
                    reviewer,
                    NotificationKind.REVIEW_WAITING,
                    f"The plan for {_name(plan)} has waited {REVIEW_ESCALATION_DAYS} working days for review.",
                    "A support plan has waited two weeks for review",
                    f"A support plan has waited {REVIEW_ESCALATION_DAYS} working days for review. "
                    "Please check whether someone can take it on.",
                    for_reviewer=True,
                )
                for reviewer in reviewers
            ]
            sent += _remind_once(plan, "review_10_days", occasion, messages)
    return sent


def _plan_review_reminders(today: date) -> int:
    sent = 0
    horizon = today + PLAN_REVIEW_NOTICE
    due = Plan.objects.filter(status=PlanStatus.APPROVED).select_related("client", "broker")
    due = due.filter(review_first_on__range=(today, horizon)) | due.filter(review_next_on__range=(today, horizon))
    for plan in due.distinct():
        for review_on in sorted(day for day in (plan.review_first_on, plan.review_next_on) if day is not None):
            if not today <= review_on <= horizon:
                continue
            when = review_on.strftime("%-d %B %Y")
            messages = _parties(
                plan,
                except_user=None,
                kind=NotificationKind.PLAN_REVIEW_DUE,
                client_text=f"Your support plan's review is due on {when}.",
                broker_text=f"The review of the plan for {_name(plan)} is due on {when}.",
                subject="A support plan review is coming up",
                email=f"A support plan's review is due on {when}. Sign in to get ready for it.",
            )
            sent += _remind_once(plan, "plan_review_due", review_on.isoformat(), messages)
    return sent


def reminders_send(*, today: date | None = None) -> int:
    """Beat: reviews waiting 5 and 10 working days, plan reviews two weeks away. Each occasion is sent once."""
    today = today or timezone.localdate()
    return _review_waiting_reminders(today) + _plan_review_reminders(today)
