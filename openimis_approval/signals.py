"""Domain signals of the pre-authorization module.

`approval_status_changed(sender=ApprovalRequest, request, user, from_status, to_status, reason)`
is sent inside the mutation's transaction for every move."""

from django.dispatch import Signal

approval_status_changed = Signal()
