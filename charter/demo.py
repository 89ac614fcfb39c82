"""Demo data: the current Quality Charter (version 1)."""

import datetime

from charter.models import CharterVersion
from charter.principles import CHARTER_INTRODUCTION, CHARTER_TITLE, PRINCIPLES
from charter.services import charter_version_publish


def seed() -> CharterVersion:
    existing = CharterVersion.objects.filter(version=1).first()
    if existing is not None:
        return existing
    return charter_version_publish(
        version=1,
        title=CHARTER_TITLE,
        introduction=CHARTER_INTRODUCTION,
        principles=PRINCIPLES,
        published_on=datetime.date(2025, 1, 6),
        by=None,
    )
