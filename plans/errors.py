"""The plans app's business errors (no HTTP here: `config.api` maps them, pages show them)."""

from config.errors import ServiceError


class PlanError(ServiceError):
    """A plan or budget rule said no (400)."""
