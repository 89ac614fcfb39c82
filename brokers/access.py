"""Noting who read a client's engagements (the access log: who, when, what, for whom; never the content)."""

from __future__ import annotations

from typing import Any

from accounts.selectors import acting_for_id
from audit.access import note_read
from brokers.models import Engagement


def engagement_read(user: Any, engagement: Engagement) -> None:
    """Anyone but the client reading the engagement goes in the client's access log; a representative's read is
    recorded as theirs, for the client."""
    note_read(
        user,
        record="engagement",
        record_id=engagement.pk,
        person_id=engagement.client_id,
        on_behalf_of_id=acting_for_id(user, engagement.client_id),
    )
