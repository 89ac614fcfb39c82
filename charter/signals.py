"""What the charter tells the apps above it, which it never imports.

`signature_changed` is sent inside the transaction of every signature change (signed, verified, suspended), with
`broker_id` and `action`: the brokers app keeps each broker's stored listing from it, at once and in the same
transaction, so a suspended broker leaves the directory in the same commit that suspends them.
"""

from django.dispatch import Signal

signature_changed = Signal()
