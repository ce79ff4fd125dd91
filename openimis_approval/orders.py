"""Any model of any module can be what a pre-authorization request is for.

A module describes its order models once (in its `AppConfig.ready()`) with
`register_order_type`; requests then link to an order by content type and id (`orderType`,
`orderId`), and `ApprovableOrder` gives the order model `get_active_approval()` and
`has_valid_approval()`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from openimis_approval.codes import GRANTED, RequestType


@dataclass(frozen=True)
class OrderType:
    key: str
    label: str
    model: type[models.Model]
    request_type: str
    summary: Callable[[models.Model], str]


_ORDER_TYPES: dict[str, OrderType] = {}


def order_key(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def register_order_type(model: type[models.Model], *, label: str,
                        request_type: str = RequestType.OTHER,
                        summary: Callable[[models.Model], str] = str) -> None:
    _ORDER_TYPES[order_key(model)] = OrderType(order_key(model), label, model, request_type,
                                               summary)


def order_types() -> list[OrderType]:
    return sorted(_ORDER_TYPES.values(), key=lambda t: t.key)


def order_type(key: str) -> OrderType | None:
    return _ORDER_TYPES.get(key)


class ApprovableOrder(models.Model):
    """Mix into an order model: its approval requests and whether one is valid now."""

    class Meta:
        abstract = True

    def approval_requests(self):
        from openimis_approval.models import ApprovalRequest

        return ApprovalRequest.objects.filter(
            order_type=ContentType.objects.get_for_model(type(self)), order_id=str(self.pk),
            validity_to__isnull=True)

    def get_active_approval(self, on: date | None = None):
        """The granted approval covering `on` (today by default), newest first, or None."""
        on = on or timezone.localdate()
        return (self.approval_requests().filter(status__in=GRANTED, effective_date__lte=on,
                                                expiration_date__gte=on)
                .order_by("-decided_at").first())

    def has_valid_approval(self, on: date | None = None) -> bool:
        return self.get_active_approval(on) is not None
