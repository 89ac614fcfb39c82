"""What each person should do next, worked out from their state, most urgent first (the dashboards' first card).

Reads only, through each app's selectors: no rule is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role


@dataclass(frozen=True)
class Step:
    heading: str
    text: str
    href: str
    urgent: bool = False  # something only this person can do now, not news


def _plan_steps(user: Any) -> list[Step]:
    from plans import permissions
    from plans.models import OPEN_STATUSES, PlanStatus
    from plans.selectors import plans_for_list

    steps = []
    for plan in plans_for_list(user).filter(client=user, status__in=[*OPEN_STATUSES, PlanStatus.APPROVED])[:3]:
        href = reverse("plans:plan", args=[plan.pk])
        broker = plan.broker.name or "Your broker"
        actions = permissions.plan_actions_for(user, plan)
        if "agree" in actions and plan.shared_at and plan.agreed_digest != plan.shared_digest:
            steps.append(Step("Read your plan and agree to it", f"{broker} shared your plan with you.", href, True))
        elif "submit" in actions and plan.shared_at and plan.agreed_digest == plan.shared_digest:
            steps.append(
                Step("Send your plan to KMPT", "You agreed to it. It goes to KMPT for a decision.", href, True)
            )
        elif plan.status == PlanStatus.CHANGES_REQUESTED:
            steps.append(Step("Changes needed", f"KMPT asked for changes. {broker} is updating your plan.", href))
        elif plan.status in (PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW):
            from plans.selectors import OVERDUE_AFTER_WORKING_DAYS as USUAL  # the plan page's figure too

            text = f"A reviewer usually decides within {USUAL} working days."
            steps.append(Step("KMPT is looking at your plan", text, href))
        elif plan.status == PlanStatus.APPROVED and (flagged := _flagged_payments(user, plan)):
            text = f"{flagged} payment{'s need' if flagged != 1 else ' needs'} a look."
            steps.append(Step("Check your spending", text, reverse("spending:spending", args=[plan.pk]), True))
        elif plan.status == PlanStatus.APPROVED:
            steps.append(Step("Your plan is approved", "See what happens now, and follow your spending.", href))
        elif plan.status == PlanStatus.DRAFT:
            steps.append(Step("Your broker is writing your plan", f"{broker} will share it with you to read.", href))
    return steps


def _flagged_payments(user: Any, plan: Any) -> int:
    """Payments on the plan with an open flag (a place a budget cannot pay, a payment not in the plan...)."""
    from spending.selectors import transactions_visible_to

    return transactions_visible_to(user).filter(plan=plan).exclude(flags=[]).count()


def _client_steps(user: Any) -> list[Step]:
    from brokers.models import EngagementStatus
    from brokers.selectors import engagements_visible_to, messages_unread_count
    from plans.selectors import budget_current

    steps = _plan_steps(user)
    unread = messages_unread_count(user)
    if unread:
        steps.insert(
            0, Step("Read your messages", f"You have {unread} new message{'s' * (unread != 1)}.", "/engagements/", True)
        )
    engagements = engagements_visible_to(user).filter(client=user)
    if not engagements.filter(status__in=[EngagementStatus.ACTIVE, EngagementStatus.REQUESTED]).exists():
        steps.append(
            Step(
                "Find a support broker",
                "Choose a broker who has signed the Quality Charter. They help you plan how to spend your budget.",
                "/brokers/",
                True,
            )
        )
    elif requested := engagements.filter(status=EngagementStatus.REQUESTED).select_related("broker").first():
        steps.append(
            Step("Waiting for a broker to reply", f"{requested.broker.name} has your request.", "/engagements/")
        )
    if budget_current(user) is None:
        steps.append(
            Step(
                "KMPT records your personal budget",
                "Your key worker records it after your assessment. We will email you when it is done.",
                reverse("account_settings"),
            )
        )
    return steps


def _broker_steps(user: Any) -> list[Step]:
    from brokers.models import EngagementStatus
    from brokers.onboarding import WAITING, broker_next_step, onboarding_tasks
    from brokers.selectors import broker_is_listed, broker_profile_for, broker_profile_missing, engagements_visible_to
    from charter.selectors import signature_current_of
    from plans.models import OPEN_STATUSES, PlanStatus
    from plans.selectors import clients_with_budget, plans_for_list

    # Requests and getting listed in the words of the broker's own task list (brokers.onboarding), so the dashboard,
    # the profile page and the verification email name the same step.
    steps = []
    requests = engagements_visible_to(user).filter(broker=user, status=EngagementStatus.REQUESTED).count()
    if requests:
        step = broker_next_step(requests_waiting=requests, tasks=[], listed=True)
        steps.append(Step(step.heading, step.text, step.href, True))
    listed = broker_is_listed(user)
    if not listed:
        tasks = onboarding_tasks(broker_profile_missing(broker_profile_for(user)), signature_current_of(user))
        if not all(task.done for task in tasks):
            step = broker_next_step(requests_waiting=0, tasks=tasks, listed=False)
            steps.append(Step(step.heading, step.text, step.href, urgent=step.heading != WAITING))
    for plan in plans_for_list(user).filter(status=PlanStatus.CHANGES_REQUESTED)[:3]:
        steps.append(
            Step(
                f"Update {plan.client.name}'s plan",
                "KMPT asked for changes.",
                reverse("plans:plan", args=[plan.pk]),
                True,
            )
        )
    for plan in plans_for_list(user).filter(broker=user, status=PlanStatus.APPROVED)[:3]:
        if flagged := _flagged_payments(user, plan):
            text = f"{flagged} payment{'s need' if flagged != 1 else ' needs'} a look."
            steps.append(
                Step(f"Check {plan.client.name}'s spending", text, reverse("spending:spending", args=[plan.pk]), True)
            )
    active = engagements_visible_to(user).filter(broker=user, status=EngagementStatus.ACTIVE).values("client_id")
    with_plan = plans_for_list(user).filter(status__in=OPEN_STATUSES).values_list("client_id", flat=True)
    waiting = set(clients_with_budget(active)) - set(with_plan)
    if waiting:
        steps.append(
            Step(
                "Start a plan",
                f"{len(waiting)} of your clients {'has' if len(waiting) == 1 else 'have'} a budget and no plan yet.",
                reverse("plans:plan-start"),
                True,
            )
        )
    # Activities are for people's plans: worth suggesting once the broker is listed or has someone to plan with.
    if active.exists() or listed:
        steps.append(
            Step(
                "Find activities for people's plans",
                "Search local art classes, groups, gyms and courses.",
                "/listings/",
            )
        )
    return steps or [
        Step("Check your profile", "It is what people read before they ask for your help.", "/brokers/me/")
    ]


def _reviewer_steps(user: Any) -> list[Step]:
    from plans.selectors import overdue_cutoff, review_queue

    queue = review_queue(user)
    mine = queue.filter(reviewer=user)
    overdue = mine.filter(submitted_at__date__lte=overdue_cutoff(timezone.localdate())).count()
    steps = []
    if overdue:
        steps.append(
            Step(
                "Decide overdue plans",
                f"{overdue} of your plans have waited 5 working days or more.",
                "/reviews/?mine=on&overdue=on",
                True,
            )
        )
    if waiting := mine.count():
        steps.append(
            Step(
                "Review your plans", f"{waiting} plan{'s' * (waiting != 1)} assigned to you.", "/reviews/?mine=on", True
            )
        )
    if unassigned := queue.filter(reviewer__isnull=True).count():
        steps.append(
            Step(
                "Take on a review",
                f"{unassigned} plan{'s' * (unassigned != 1)} not assigned yet.",
                "/reviews/?unassigned=on",
            )
        )
    steps.append(Step("Record a personal budget", "Find a client by name or email.", reverse("plans:budgets")))
    return steps


def _provider_steps(user: Any) -> list[Step]:
    from datetime import timedelta

    from providers.selectors import STALE_AFTER_DAYS, listings_visible_to, organizations_of

    organizations = organizations_of(user)
    if not organizations.exists():
        return [Step("Add your organisation", "Then add the activities you run.", "/provider/", True)]
    steps = []
    if organizations.filter(verified_at__isnull=True).exists():
        steps.append(Step("Waiting for verification", "An administrator checks your organisation first.", "/provider/"))
    listings = listings_visible_to(user).filter(organization__in=organizations)
    cutoff = timezone.localdate() - timedelta(days=STALE_AFTER_DAYS)
    if stale := listings.filter(status="published", fresh_from__lte=cutoff).count():
        steps.append(
            Step(
                "Confirm your listings", f"{stale} listing{'s' * (stale != 1)} may be out of date.", "/provider/", True
            )
        )
    if drafts := listings.filter(status="draft").count():
        if drafts == 1:  # straight to it, by name
            draft = listings.filter(status="draft").only("pk", "title").get()
            href = reverse("providers:listing-edit", args=[draft.pk])
            steps.append(Step("Finish and publish", f"Your draft “{draft.title}” is not public yet.", href))
        else:
            steps.append(Step("Finish and publish", f"{drafts} draft listings are not public yet.", "/provider/"))
    return steps or [Step("Keep your listings accurate", "Confirm them when nothing has changed.", "/provider/")]


def _admin_steps(waiting: list[tuple[str, str]]) -> list[Step]:
    if waiting:
        return [Step(f"Check {waiting[0][0]}", "The oldest waits first.", waiting[0][1], True)]
    return [Step("Nothing is waiting for you", "New requests appear here.", reverse("dashboard"))]


def helps_others_only(user: Any) -> bool:
    """Someone here to act for others (a carer, say), with no broker, plan or budget of their own."""
    from accounts.selectors import clients_represented_by
    from brokers.selectors import engagements_visible_to
    from plans.selectors import budget_current, plans_for_list

    if user.is_staff or user.role != Role.CLIENT or not clients_represented_by(user):
        return False
    own_engagement = engagements_visible_to(user).filter(client=user).exists()
    own_plan = plans_for_list(user).filter(client=user).exists()
    return not own_engagement and not own_plan and budget_current(user) is None


def _helper_step(user: Any, *, urgent: bool) -> Step:
    from accounts.models import User
    from accounts.selectors import clients_represented_by

    names = sorted(User.objects.filter(pk__in=clients_represented_by(user)).values_list("name", flat=True))
    text = f"{' and '.join(name for name in names if name) or 'The people you help'}: their plans and budget, as asked."
    return Step("People you help", text, reverse("people-i-help"), urgent)


# A client's own first steps that make no sense to someone who came only to help others.
_OWN_CLIENT_STEPS = {"Find a support broker", "KMPT records your personal budget"}


def next_steps(user: Any, *, admin_waiting: list[tuple[str, str]] | None = None) -> list[Step]:
    """This person's next steps, most urgent first."""
    from accounts.selectors import clients_represented_by

    if user.is_staff:
        steps = _admin_steps(admin_waiting or [])
    else:
        steps = {
            Role.CLIENT: _client_steps,
            Role.BROKER: _broker_steps,
            Role.REVIEWER: _reviewer_steps,
            Role.PROVIDER: _provider_steps,
        }.get(user.role, lambda person: [])(user)
    if clients_represented_by(user):
        # First for someone here only to help; after their own urgent steps for a client who also helps someone.
        helper_only = helps_others_only(user)
        if helper_only:
            steps = [step for step in steps if step.heading not in _OWN_CLIENT_STEPS]
        steps.insert(0, _helper_step(user, urgent=helper_only))
    return sorted(steps, key=lambda step: not step.urgent)
