"""The registry of order types: which models of which modules a request may be for.

Apart from `orders.py` (the helpers an order model mixes in) so that the workflow, which checks
a request's order, and the helpers, which run the workflow's mutations, do not import each
other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from openimis_approval.codes import RequestType


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
