"""A broker's way to being listed, as a task list, and the next thing to do, both worked out from their state.

Pure functions over what the selectors read (the profile's missing codes, the signature of the current charter, the
requests waiting), so the dashboard, the profile page and the verification email say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from charter.models import Signature, SignatureStatus

MISSING_LABELS = {
    "display_name": "Add the name shown to people",
    "bio": "Write something about you",
    "areas": "Choose at least one area you work in",
    "hourly_rate": "Give your hourly rate",
    "charter_signature": "Sign the Quality Charter",
    "charter_verification": "Wait for an administrator to verify your charter signature",
    "charter_suspended": "Your charter signature is suspended: contact the Waymark team",
}
PROFILE_CODES = ("display_name", "bio", "areas", "hourly_rate")

# The task list's statuses (NHS.UK task list component): text, and the tag colour where it is not plain text.
COMPLETED, INCOMPLETE, NOT_STARTED, CANNOT_START, WAITING, SUSPENDED = (
    "Completed",
    "Incomplete",
    "Not started",
    "Cannot start yet",
    "Waiting for an administrator",
    "Suspended",
)
TAGS = {
    INCOMPLETE: "nhsuk-tag--blue",
    NOT_STARTED: "nhsuk-tag--blue",
    WAITING: "nhsuk-tag--yellow",
    SUSPENDED: "nhsuk-tag--red",
}


def still_to_do(codes: list[str]) -> str:
    """ "Still to do: write something about you and give your hourly rate." (empty when nothing is left)."""
    steps = [MISSING_LABELS[code][0].lower() + MISSING_LABELS[code][1:] for code in codes if code in MISSING_LABELS]
    if not steps:
        return ""
    listed = steps[0] if len(steps) == 1 else ", ".join(steps[:-1]) + " and " + steps[-1]
    return f"Still to do: {listed}."


@dataclass(frozen=True)
class Task:
    key: str
    name: str
    status: str
    href: str = ""  # no link while the task cannot start or needs nothing from the broker
    hint: str = ""

    @property
    def tag(self) -> str:
        return TAGS.get(self.status, "")

    @property
    def done(self) -> bool:
        return self.status == COMPLETED


def onboarding_tasks(missing: list[str], signature: Signature | None) -> list[Task]:
    """Profile, charter signature, verification: each with its status and, where the broker can act, a link."""
    profile_missing = [code for code in missing if code in PROFILE_CODES]
    profile_status = COMPLETED if not profile_missing else INCOMPLETE
    profile_hint = still_to_do(profile_missing)
    tasks = [Task("profile", "Complete your profile", profile_status, reverse("broker-profile-edit"), profile_hint)]
    if signature is None:
        tasks.append(Task("charter", "Sign the Quality Charter", NOT_STARTED, reverse("charter-sign")))
        tasks.append(Task("verification", "Verification by an administrator", CANNOT_START, hint="After you sign"))
        return tasks
    tasks.append(Task("charter", "Sign the Quality Charter", COMPLETED, reverse("charter-read")))
    verification = {
        SignatureStatus.PENDING: Task(
            "verification",
            "Verification by an administrator",
            WAITING,
            hint="An administrator checks every signature. We will email you when yours is verified.",
        ),
        SignatureStatus.VERIFIED: Task("verification", "Verification by an administrator", COMPLETED),
        SignatureStatus.SUSPENDED: Task(
            "verification",
            "Verification by an administrator",
            SUSPENDED,
            hint=f"Your signature was suspended: {signature.suspension_reason}",
        ),
    }[SignatureStatus(signature.status)]
    return [*tasks, verification]


@dataclass(frozen=True)
class NextStep:
    heading: str
    text: str
    href: str


def broker_next_step(*, requests_waiting: int, tasks: list[Task], listed: bool) -> NextStep:
    """The most urgent thing first: people waiting for an answer, then what stands between the broker and being
    listed, then the work itself."""
    if requests_waiting:
        people = "person is" if requests_waiting == 1 else "people are"
        return NextStep(
            f"Answer {requests_waiting} request{'s' if requests_waiting != 1 else ''} for help",
            f"{requests_waiting} {people} waiting for you to accept or decline.",
            reverse("engagement-list"),
        )
    if not listed:
        for task in tasks:
            if not task.done and task.href:
                return NextStep(task.name, task.hint or "People cannot find you until this is done.", task.href)
        waiting = next((task for task in tasks if not task.done), None)
        if waiting is not None and waiting.status == SUSPENDED:
            return NextStep(
                "Your listing is suspended",
                f"{waiting.hint} People cannot find you or ask for your help. "
                "Contact the Waymark team to talk about it.",
                reverse("broker-profile-edit"),
            )
        if waiting is not None:
            return NextStep(waiting.status, waiting.hint, reverse("broker-profile-edit"))
    return NextStep(
        "Find activities for people's plans",
        "Search local art classes, groups, gyms and courses to build plans that meet each person's outcomes.",
        "/listings/",
    )
