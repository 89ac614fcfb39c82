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
from accounts.selectors import acting_words, relationship_to
from accounts.services import email_send
from accounts.services.users import CRISIS_LINES
from audit.models import Event
from config.errors import NotAllowed
from plans import permissions
from plans.models import (
    OPEN_REVIEW_STATUSES,
    Notification,
    NotificationKind,
    Plan,
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


def email_body(text: str, link: str) -> str:
    """Every email: what happened, where to read more (an address built from SITE_URL), and the crisis lines."""
    return f"Hello,\n\n{text}\n\n{absolute(link)}\n\n{CRISIS_LINES}\n\nWaymark"


def _may_hear(plan: Plan | None, recipient: User) -> bool:
    """A broker whose engagement with the client ended lost access to the plan, and hears nothing more of it."""
    return plan is None or recipient.pk != plan.broker_id or permissions.may_see_plan(recipient, plan)


def _deliver(plan: Plan | None, messages: list[Message], *, event: Event | None = None) -> list[Notification]:
    """Record each message in the recipient's centre and email it (after commit), to those who may still hear."""
    rows = []
    for message in (message for message in messages if _may_hear(plan, message.recipient)):
        link = plan_link(plan, for_reviewer=message.for_reviewer) if plan is not None else ""
        rows.append(
            Notification(
                recipient=message.recipient, plan=plan, event=event, kind=message.kind, text=message.text, link=link
            )
        )
        if not message.emailed:
            continue
        body = email_body(message.email, link or "/notifications/")
        email_send(
            message=EmailMessage(
                subject=message.subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[message.recipient.email]
            )
        )
    return Notification.objects.bulk_create(rows)


def _name(plan: Plan) -> str:
    return plan.client.name or "your client"


@dataclass(frozen=True)
class Representative:
    """Who acted for the client: named in the app ("Sam Taylor (carer)"), only by relationship in emails."""

    words: str
    relationship: str


def _acted_for_client(plan: Plan, event: Event) -> Representative | None:
    """The representative behind this event, when one acted for the client (the event's `on_behalf_of`)."""
    if event.on_behalf_of_id is None or event.by is None:
        return None
    relationship = relationship_to(event.by.pk, plan.client_id)
    return Representative(acting_words(event.by.name or "Someone who helps", relationship), relationship)


def _parties(
    plan: Plan, *, except_user: User | None, kind: str, client_text: str, broker_text: str, subject: str, email: str
) -> list[Message]:
    """The client and the plan's broker (`_deliver` leaves out a broker whose engagement ended)."""
    messages = []
    if plan.client != except_user:
        messages.append(Message(plan.client, kind, client_text, subject, email))
    if plan.broker != except_user:
        messages.append(Message(plan.broker, kind, broker_text, subject, email))
    return messages


def _decision_messages(plan: Plan, event: Event) -> list[Message]:
    words = {
        PlanStatus.APPROVED: ("approved", "KMPT has approved the support plan.", "KMPT approved a support plan"),
        PlanStatus.CHANGES_REQUESTED: (
            "changes asked for",
            "KMPT has asked for changes to the support plan.",
            "KMPT asked for changes to a support plan",
        ),
        PlanStatus.DECLINED: ("declined", "KMPT has declined the support plan.", "KMPT declined a support plan"),
    }
    short, email, subject = words[PlanStatus(event.to_state)]
    return _parties(
        plan,
        except_user=None,
        kind=event.action,
        client_text=f"KMPT's decision on your plan: {short}. Read what the reviewer said.",
        broker_text=f"KMPT's decision on the plan for {_name(plan)}: {short}.",
        subject=subject,
        email=f"{email} Sign in to read the decision and what happens next.",
    )


def _transition_messages(plan: Plan, event: Event) -> list[Message]:
    """Who needs to know about this event, and what to tell them. Edits and agreements are not all transitions."""
    actor, rep = event.by, _acted_for_client(plan, event)
    if event.action == "submitted":
        # In the centre only: the checks answer within seconds, and that step is emailed.
        submitted = _parties(
            plan,
            except_user=actor,
            kind=NotificationKind.PLAN_SUBMITTED,
            client_text=f"{rep.words} sent your plan to KMPT for you. Automatic checks run first."
            if rep
            else "Your plan was sent to KMPT. Automatic checks run first.",
            broker_text=f"{rep.words} sent the plan for {_name(plan)} to KMPT."
            if rep
            else f"The plan for {_name(plan)} was sent to KMPT.",
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
            client_text=f"{rep.words} withdrew your plan for you." if rep else "Your plan was withdrawn.",
            broker_text=f"{rep.words} withdrew the plan for {_name(plan)}."
            if rep
            else f"The plan for {_name(plan)} was withdrawn.",
            subject="A support plan was withdrawn",
            email="A support plan was withdrawn. Nothing more will happen to it.",
        )
        if plan.reviewer is not None and event.from_state in OPEN_REVIEW_STATUSES:
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
        return _agreed_messages(plan, rep)
    if event.action == "change_asked":
        # What the client wrote stays in their conversation with the broker, never in an email.
        return [
            Message(
                plan.broker,
                NotificationKind.CHANGE_ASKED,
                f"{rep.words} asked for a change to the plan for {_name(plan)}."
                if rep
                else f"{_name(plan)} asked for a change to their plan.",
                "Your client asked for a change to their plan",
                f"Your client's {rep.relationship} asked for a change to their support plan. Sign in to read it."
                if rep
                else "Your client asked for a change to their support plan. Sign in to read their message.",
            )
        ]
    if event.action == "review_held":
        return _review_messages(plan, event)
    if event.action == "shared":
        # The client hears of the plan when a version is shared with them, never of the broker's work in progress.
        return [
            Message(
                plan.client,
                NotificationKind.SHARED,
                "Your broker shared your plan with you. Read it, and agree to it if it is right for you.",
                "Your support plan is ready for you to read",
                "Your broker has shared your support plan with you. Read it and, if it is right for you, agree to it. "
                "If something is not right, you can ask for a change.",
            )
        ]
    return []


def _agreed_messages(plan: Plan, rep: Representative | None) -> list[Message]:
    """The broker hears that the plan can go to KMPT; when a representative agreed, the client hears who did."""
    if rep is None:
        return [
            Message(
                plan.broker,
                NotificationKind.AGREED,
                f"{_name(plan)} agreed to the plan. It can be sent to KMPT.",
                "A client agreed to their support plan",
                "Your client agreed to their support plan. It can now be sent to KMPT.",
            )
        ]
    return [
        Message(
            plan.client,
            NotificationKind.AGREED,
            f"{rep.words} agreed to your plan for you. It can now be sent to KMPT.",
            "Your support plan was agreed for you",
            f"Your {rep.relationship} agreed to your support plan for you. Sign in to see the plan. If this is not "
            "right, ask your broker for a change.",
        ),
        Message(
            plan.broker,
            NotificationKind.AGREED,
            f"{rep.words} agreed for {_name(plan)}. The plan can be sent to KMPT.",
            "A support plan was agreed for your client",
            f"Your client's {rep.relationship} agreed to their support plan for them. It can now be sent to KMPT.",
        ),
    ]


REVIEW_RESULT_WORDS = {
    "continue": "carry on with the plan",
    "revise": "change the plan, with your broker",
    "end": "the plan ends",
}


def _review_messages(plan: Plan, event: Event) -> list[Message]:
    """The client and broker hear of a review in plain words; the email says only that there is one to read."""
    held = date.fromisoformat(event.data["held_on"]).strftime("%-d %B %Y")
    result = REVIEW_RESULT_WORDS.get(event.data.get("result", ""), "")
    following = event.data.get("next_review_on")
    next_words = f" The next review is by {date.fromisoformat(following).strftime('%-d %B %Y')}." if following else ""
    return _parties(
        plan,
        except_user=None,
        kind=NotificationKind.PLAN_REVIEWED,
        client_text=f"KMPT reviewed your plan on {held}. What happens now: {result}.{next_words} Read the review.",
        broker_text=f"KMPT reviewed the plan for {_name(plan)} on {held}: {result}.{next_words}",
        subject="A support plan was reviewed",
        email="KMPT has reviewed a support plan. Sign in to read how it is going and what happens now.",
    )


def _assigned(plan: Plan) -> Message:
    return Message(
        plan.reviewer,  # type: ignore[arg-type]
        NotificationKind.REVIEW_ASSIGNED,
        f"The plan for {_name(plan)} is assigned to you for review.",
        "A support plan is waiting for your review",
        "A support plan has been assigned to you. Sign in to review it.",
        for_reviewer=True,
    )


PEOPLE_OF_A_PLAN = ("client", "broker", "reviewer")


def plan_event_notify(event: Event, plan: Plan | None = None) -> list[Notification]:
    """The services' hook for every audit event of a plan: tell the people concerned, once, in the same
    transaction. The service's own plan (the one the event was recorded from) is used when its people are loaded;
    otherwise it is read again with them (one query, not one per person)."""
    loaded = plan is not None and all(getattr(Plan, name).is_cached(plan) for name in PEOPLE_OF_A_PLAN)
    if not loaded or plan is None or plan.pk != event.record_id:
        plan = Plan.objects.select_related(*PEOPLE_OF_A_PLAN).get(pk=event.record_id)
    messages = _transition_messages(plan, event)
    if not messages:
        return []
    return _deliver(plan, messages, event=event)


def notify(
    *,
    recipient: User,
    plan: Plan | None,
    kind: str,
    text: str,
    email_subject: str,
    email_body: str,
    for_reviewer: bool = False,
    emailed: bool = True,
) -> Notification | None:
    """Tell one person one thing about a plan (for other apps: spending flags, reviews...): their notification
    centre now, an email after commit. The email never names the client; `text` (in the app) may. None when the
    person may no longer hear of the plan (a broker whose engagement ended)."""
    message = Message(recipient, kind, text, email_subject, email_body, for_reviewer=for_reviewer, emailed=emailed)
    delivered = _deliver(plan, [message])
    return delivered[0] if delivered else None


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


def upcoming_reviews(plan: Plan) -> list[date]:
    """The review dates still to come: the first review until a review has been held, then the next one (none once
    a review ended the plan, or once next year's plan replaced it)."""
    if plan.superseded_at is not None:
        return []
    held = plan.reviews.exists()
    return sorted(day for day in (None if held else plan.review_first_on, plan.review_next_on) if day is not None)


def _plan_review_reminders(today: date) -> int:
    sent = 0
    horizon = today + PLAN_REVIEW_NOTICE
    due = Plan.objects.filter(status=PlanStatus.APPROVED, superseded_at__isnull=True).select_related("client", "broker")
    first_due = due.filter(review_first_on__range=(today, horizon), reviews__isnull=True)
    due = first_due | due.filter(review_next_on__range=(today, horizon))
    for plan in due.distinct():
        for review_on in upcoming_reviews(plan):
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
