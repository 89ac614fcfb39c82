"""Every write about people: accounts, the people who act for a client, invitations, and data rights.

Split by seam (`users`, `representatives`, `invitations`, `privacy`); import them from here."""

from accounts.services.invitations import client_invitation_accept, client_invitation_resend, client_invite
from accounts.services.privacy import (
    erasure_complete,
    erasure_refuse,
    erasure_request,
    export_build,
    export_finish,
    export_recent,
    export_request,
    scrub_everywhere,
)
from accounts.services.representatives import (
    AccountsError,
    representative_accept,
    representative_invite,
    representative_record,
    representative_revoke,
)
from accounts.services.users import email_send, reviewer_create, user_create

__all__ = [
    "AccountsError",
    "client_invitation_accept",
    "client_invitation_resend",
    "client_invite",
    "email_send",
    "erasure_complete",
    "erasure_refuse",
    "erasure_request",
    "export_build",
    "export_finish",
    "export_recent",
    "export_request",
    "representative_accept",
    "representative_invite",
    "representative_record",
    "representative_revoke",
    "reviewer_create",
    "scrub_everywhere",
    "user_create",
]
