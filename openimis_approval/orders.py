"""Any model of any module can be what a pre-authorization request is for.

A module describes its order models once (in its `AppConfig.ready()`) with
`register_order_type`; requests then link to an order by content type and id (`orderType`,
`orderId`). Mixing `ApprovableOrder` into the order model gives it seed 001's helpers:

    order.requires_approval()         # does anything it asks for need approval, and can the
                                      # insuree's scheme give it?
    order.approval_status             # APPROVED, SUBMITTED, ... or APPROVAL_REQUIRED,
                                      # NOT_REQUIRED, NO_INSURANCE
    order.create_approval_request(user, priority="URGENT")   # through createApprovalRequest
    order.get_active_approval(), order.has_valid_approval(), order.is_expired()

The order tells the helpers what they need through a small protocol, overridden where its
fields are named otherwise:

- `order_insuree()`: the `core.Insuree` the order is for (default: the `insuree` field);
- `order_facility()`: the `core.HealthFacility` asking (default: `health_facility`, or None);
- `order_lines()`: what it asks for, as `OrderLine`s of medical items or services (default:
  none; an order without lines never requires approval);
- `order_date()`: the day care is planned (default: today);
- `order_request_fields()`: further `createApprovalRequest` input the order can fill
  (priority, main diagnosis, clinical texts; default: none);
- `order_description()`: the request's service description (default: the registered summary,
  which lists show per request and so should read the order's own row only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from openimis_approval.codes import GRANTED, ApprovalStatus
from openimis_approval.order_types import (  # noqa: F401  (modules register through here)
    OrderType,
    order_key,
    order_type,
    order_types,
    register_order_type,
)

if TYPE_CHECKING:
    from core.registers.models import HealthFacility, Insuree, MedicalItem, MedicalService
    from openimis_approval.models import ApprovalRequest


class OrderApprovalStatus(models.TextChoices):
    """What `ApprovableOrder.approval_status` answers when no request of the order speaks (seed
    001's badges); otherwise it answers the request's own status (`ApprovalStatus`)."""

    APPROVAL_REQUIRED = "APPROVAL_REQUIRED"
    NOT_REQUIRED = "NOT_REQUIRED"
    NO_INSURANCE = "NO_INSURANCE"


@dataclass(frozen=True)
class OrderLine:
    """One thing an order asks for: a medical item or a medical service, and how many."""

    item: MedicalItem | None = None
    service: MedicalService | None = None
    quantity: Decimal = Decimal("1")

    @property
    def medical(self) -> MedicalItem | MedicalService | None:
        return self.item or self.service

    def as_input(self) -> dict[str, Any]:
        """The line as a `createApprovalRequest` `lines` row (priced by the facility's list)."""
        key = "item_id" if self.item is not None else "service_id"
        return {key: self.medical.pk, "qty_requested": self.quantity}


# Statuses that say nothing about the order any more: a cancelled request was withdrawn, an
# expired approval no longer holds (`is_expired` tells that one).
_SILENT = (ApprovalStatus.CANCELLED, ApprovalStatus.EXPIRED)


class ApprovableOrder(models.Model):
    """Mix into an order model: its approval requests, whether it needs one, whether one is
    valid now, and making one through the approval module's own mutation."""

    class Meta:
        abstract = True

    # --- The protocol (override where the order names things otherwise) ----------------------

    def order_insuree(self) -> Insuree:
        return self.insuree

    def order_facility(self) -> HealthFacility | None:
        return getattr(self, "health_facility", None)

    def order_lines(self) -> list[OrderLine]:
        return []

    def order_date(self) -> date:
        return timezone.localdate()

    def order_request_fields(self) -> dict[str, Any]:
        return {}

    def order_description(self) -> str:
        described = order_type(order_key(type(self)))
        return described.summary(self) if described else str(self)

    # --- The helpers ---------------------------------------------------------------------------

    def approval_requests(self):
        from openimis_approval.models import ApprovalRequest

        return ApprovalRequest.objects.filter(
            order_type=ContentType.objects.get_for_model(type(self)), order_id=str(self.pk),
            validity_to__isnull=True)

    def get_active_approval(self, on: date | None = None) -> ApprovalRequest | None:
        """The granted approval covering `on` (today by default), newest first, or None."""
        on = on or timezone.localdate()
        return (self.approval_requests().filter(status__in=GRANTED, effective_date__lte=on,
                                                expiration_date__gte=on)
                .order_by("-decided_at").first())

    def has_valid_approval(self, on: date | None = None) -> bool:
        return self.get_active_approval(on) is not None

    def is_expired(self, on: date | None = None) -> bool:
        """The order was approved, but no approval of it holds on `on` any more: each one is
        EXPIRED or past its expiration date (a new request is needed before care is given)."""
        on = on or timezone.localdate()
        if self.has_valid_approval(on):
            return False
        requests = self.approval_requests()
        return requests.filter(status=ApprovalStatus.EXPIRED).exists() or requests.filter(
            status__in=GRANTED, expiration_date__lt=on).exists()

    def has_coverage(self, on: date | None = None) -> bool:
        """The insuree holds a policy that pays for care on `on` (the order's date by default),
        as eligibility reads it: a scheme approves nothing for an uninsured patient."""
        from core.registers.eligibility import PAYING_STATUSES
        from core.registers.models import InsureePolicy

        on = on or self.order_date()
        return InsureePolicy.objects.filter(
            insuree=self.order_insuree(), validity_to__isnull=True,
            policy__validity_to__isnull=True, policy__status__in=PAYING_STATUSES,
            effective_date__lte=on, expiry_date__gte=on).exists()

    def lines_requiring_approval(self) -> list[OrderLine]:
        return [line for line in self.order_lines()
                if line.medical is not None and line.medical.requires_preauthorization]

    def requires_approval(self) -> bool:
        """Something the order asks for needs pre-authorization, and the insuree is covered
        (without cover there is nobody to ask: `approval_status` says NO_INSURANCE)."""
        return bool(self.lines_requiring_approval()) and self.has_coverage()

    @property
    def approval_status(self) -> str:
        """The active approval's status; else the newest request's (SUBMITTED, DENIED, ...)
        unless it was cancelled or expired; else NO_INSURANCE, APPROVAL_REQUIRED or
        NOT_REQUIRED (`OrderApprovalStatus`)."""
        active = self.get_active_approval()
        if active is not None:
            return active.status
        latest = self.approval_requests().exclude(status__in=_SILENT).order_by(
            "-created_at", "-pk").first()
        if latest is not None:
            return latest.status
        if not self.has_coverage():
            return OrderApprovalStatus.NO_INSURANCE
        if self.lines_requiring_approval():
            return OrderApprovalStatus.APPROVAL_REQUIRED
        return OrderApprovalStatus.NOT_REQUIRED

    def create_approval_request(self, user, **fields: Any) -> ApprovalRequest:
        """A draft request for this order, made by `createApprovalRequest` exactly as a client
        would make it (its rights, validation, tenant and facility checks, history, signals and
        mutation log): the order fills insuree, facility, lines, dates and its own fields;
        `fields` (that mutation's input names, snake case: `priority`, `template_id`,
        `lines`...) take precedence; a template fills what neither gives. Raises
        `PermissionDenied` without the create right and `MutationError` (the log's error list)
        when the mutation refuses."""
        from django.core.exceptions import PermissionDenied

        from core.codes import MutationStatus
        from core.gql.errors import MutationError
        from core.gql.policy import holds_rights
        from openimis_approval.gql.mutations import CreateApprovalRequestMutation
        from openimis_approval.models import ApprovalRequest

        mutation = CreateApprovalRequestMutation
        if not holds_rights(mutation.policy(), user):
            raise PermissionDenied(f"{user} may not create approval requests")
        described = order_type(order_key(type(self)))
        if described is None:
            raise MutationError(f"{type(self).__name__} is not a registered order type",
                                code="invalid_order", detail="orderType")
        facility = self.order_facility()
        start = self.order_date()
        data: dict[str, Any] = {
            "insuree_id": self.order_insuree().pk,
            "health_facility_id": facility.pk if facility is not None else None,
            "order_type": described.key, "order_id": str(self.pk),
            "request_type": described.request_type,
            "service_start_date": start, "service_end_date": start,
            # What needs approval is asked for (everything, when nothing does but the caller
            # asks anyway); a template's lines apply only to an order without lines.
            "lines": [line.as_input() for line in
                      self.lines_requiring_approval() or self.order_lines()] or None,
            "client_mutation_label": f"{described.label} {self.pk}",
            **self.order_request_fields(),
        }
        if not fields.get("template_id"):  # else the template's description applies
            data["service_description"] = self.order_description()
        data.update(fields)
        log = mutation.run(user, data)
        if log.status != MutationStatus.SUCCESS:
            raise MutationError(errors=log.error or [])
        return ApprovalRequest.objects.get(uuid=log.uuids[0])
