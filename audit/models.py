"""The one audit trail: every change to a person's budget, plan, signature, engagement or organisation.

Written by the services only (`audit.services.event_record`), in the transaction of the change it records, and
append-only in the database (a trigger refuses UPDATE and DELETE). Beneath it, django-pghistory triggers keep a row
for every change to the tables that matter, so that even an edit made in raw SQL or a shell leaves a trace.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.context import Via


class Event(models.Model):
    """Who did what to which record, when, from which state to which, why, and through what."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.SYSTEM)
    action = models.CharField(max_length=48)
    record_type = models.CharField(max_length=32)
    record_id = models.BigIntegerField()
    # Whose record this is (the client of a plan or engagement, the broker of a signature): for their copy of it.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["record_type", "record_id", "at"], name="event_by_record"),
            models.Index(fields=["person", "at"], name="event_by_person"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(via__in=Via.values), name="event_via_valid")]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.action} on {self.record_type} {self.record_id} at {self.at:%Y-%m-%d %H:%M}"


class AccessLog(models.Model):
    """One read of a person's record by someone else: who (and their role then), whose, what, when. Never content.
    Kept for as long as the record it is about."""

    at = models.DateTimeField(default=timezone.now)
    who = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    record = models.CharField(max_length=16)
    record_id = models.BigIntegerField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "-at"], name="access_by_person"),
            models.Index(fields=["record", "record_id", "-at"], name="access_by_record"),
        ]
        triggers = [
            pgtrigger.Protect(name="access_append_only", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return f"{self.who_id} read {self.record} {self.record_id} of {self.person_id}"
