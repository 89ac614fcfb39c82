"""How long providers keeps what it holds about people beyond the listings: reports that a listing looks out of date
(they name who reported) go a year after they were resolved (RETENTION_DAYS["stale_reports"]); open ones stay."""

from __future__ import annotations

from typing import Any

from accounts import registry


def _resolved_before(cutoff: Any) -> Any:
    from providers.models import StaleReport

    return StaleReport.objects.filter(resolved_at__lt=cutoff)


def register() -> None:
    registry.register_retention(
        "stale_reports",
        label="Resolved reports that a listing looked out of date",
        remove=lambda cutoff: _resolved_before(cutoff).delete()[0],
        due=lambda cutoff: _resolved_before(cutoff).count(),
    )
