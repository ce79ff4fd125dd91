"""What the FHIR module keeps of its own: rest-hook subscriptions and their deliveries, and the
link between a Da Vinci PAS request (its identifier, its item sequences) and the approval
request it became. Business rows stay in their modules; these only say who is told what, and
how a FHIR client names a request."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class SubscriptionStatus(models.TextChoices):
    """FHIR R4 `Subscription.status`."""

    REQUESTED = "requested"
    ACTIVE = "active"
    ERROR = "error"
    OFF = "off"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


# Written by the delivery worker only, never from a client's body.
SUBSCRIPTION_WORKFLOW_FIELDS = ("status", "error", "validity_to")


class Subscription(models.Model):
    """A tenant's rest-hook subscription: `criteria` (see `api_fhir_r4.subscriptions`) says
    which claim or approval changes are notified, POSTed to `endpoint` with `headers`. What is
    sent is what `created_by` may read, checked again at every delivery."""

    tenant_path = "tenant"
    workflow_fields = SUBSCRIPTION_WORKFLOW_FIELDS

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey("core.Tenant", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=SubscriptionStatus.choices,
                              default=SubscriptionStatus.ACTIVE)
    reason = models.CharField(max_length=255)
    criteria = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=500)
    headers = models.JSONField(default=list, blank=True,
                               help_text='["Name: value", ...] sent with every notification')
    payload = models.CharField(max_length=40, default="application/fhir+json")
    end = models.DateTimeField(null=True, blank=True, help_text="No notification after this.")
    error = models.TextField(blank=True, help_text="Why the last delivery failed.")
    # The FHIR base URL the subscription was made at: the references of what it is sent.
    base_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self) -> str:
        return f"{self.criteria} -> {self.endpoint} ({self.status})"


class SubscriptionDelivery(models.Model):
    """One notification of one change to one subscription: attempted until delivered or out of
    attempts. `event_key` names the state notified (a claim's statuses, an approval's
    version), so the same state is never notified twice to a subscription."""

    tenant_path = "subscription__tenant"
    workflow_fields = "__all__"  # written by the delivery worker only

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    event = models.CharField(max_length=40)
    event_key = models.CharField(max_length=120)
    resource_type = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a failed delivery is to be tried again (None: delivered, failed for good, or never
    # tried): a worker's retry waits for it; without one, `fhir_deliver_pending` sends it.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscription", "event_key"],
                                               name="fhir_delivery_once_per_state")]
        indexes = [models.Index(fields=["subscription", "resource_type", "resource_id",
                                        "status"])]

    def __str__(self) -> str:
        return f"{self.event} {self.resource_type}/{self.resource_id} ({self.status})"


class PasRequest(models.Model):
    """A Da Vinci PAS `Claim/$submit`: the identifier the client gave its request and the
    sequence of each item, kept beside the approval request it became (by uuid: the approval
    module may be absent where this table is migrated), so `$inquire` finds it by that
    identifier and every response echoes the client's sequences."""

    tenant_path = "tenant"
    workflow_fields = "__all__"  # written by `Claim/$submit` only

    tenant = models.ForeignKey("core.Tenant", on_delete=models.PROTECT, related_name="+")
    approval_uuid = models.UUIDField(unique=True)
    identifier_system = models.CharField(max_length=255, blank=True)
    identifier_value = models.CharField(max_length=255)
    # The request's item sequences, in the order its lines were created.
    sequences = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["tenant", "identifier_system", "identifier_value"],
            name="fhir_pas_identifier_per_tenant")]

    def __str__(self) -> str:
        return f"{self.identifier_system}|{self.identifier_value} -> {self.approval_uuid}"
