"""Domain errors: what a business rule says when it refuses. No HTTP and no DRF here.

Each app subclasses `ServiceError` (`PlanError`, `BrokerError`...); `config.api` maps them to status codes once, and
pages turn them into messages or refusal pages. `status` is the HTTP meaning the contract gives each kind of refusal.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A business rule said no: invalid input (400) unless a subclass says otherwise."""

    status: int = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, **self.extra}


class InvalidTransition(ServiceError):
    """The object's state does not allow the action (409)."""

    status = 409
    default_code = "invalid_transition"


class Conflict(ServiceError):
    """The action clashes with another object (409), such as a second open engagement."""

    status = 409
    default_code = "conflict"


class NotAllowed(ServiceError):
    """The actor can see the object but may not do this (403)."""

    status = 403
    default_code = "permission_denied"


class NotFound(ServiceError):
    """The object named does not exist for this person (404): never says whether it exists for someone else."""

    status = 404
    default_code = "not_found"


class SecondFactorRequired(NotAllowed):
    """A decision needs a session signed in with the second factor (403 `mfa_required`)."""

    default_code = "mfa_required"
