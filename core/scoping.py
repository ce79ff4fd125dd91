"""Row security in one place: every queryset a resolver or service returns passes through here.

A model says how it reaches its tenant with `tenant_path` (`"tenant"`, `"claim__tenant"`, ...;
`None` for global catalogues such as diagnoses). A model without the attribute is refused, so a new
model cannot be exposed unscoped by accident. A model may add its own rule (for instance, a claim
administrator sees only their facility's claims) with a `scope_for_user(user, queryset)`
classmethod, and the same rule for one row in memory as a `visible_to(self, user)` method.
"""

from __future__ import annotations

import re
import uuid
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

_UNSET = object()


def scope_queryset(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Limit `queryset` to what `user` may see: nothing for anonymous users, their tenant's rows
    otherwise (platform superusers without a tenant see every tenant)."""
    model = queryset.model
    path = getattr(model, "tenant_path", _UNSET)
    if path is _UNSET:
        raise ImproperlyConfigured(f"{model.__name__} does not declare tenant_path")
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if path is not None and user.tenant_id is not None:
        queryset = queryset.filter(**{f"{path}_id": user.tenant_id})
    elif path is not None and not user.is_superuser:
        return queryset.none()
    extra_rule = getattr(model, "scope_for_user", None)
    if extra_rule is not None:
        queryset = extra_rule(user, queryset)
    return queryset


def row_visible(user, obj: Model) -> bool:
    """The same rule as `scope_queryset`, for one row already in memory (a related object that
    was fetched with `select_related`), so checking it costs no query."""
    model = type(obj)
    path = getattr(model, "tenant_path", _UNSET)
    if path is _UNSET:
        raise ImproperlyConfigured(f"{model.__name__} does not declare tenant_path")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if path is not None:
        if user.tenant_id is None:
            if not user.is_superuser:
                return False
        else:
            *hops, last = path.split("__")
            holder = obj
            for hop in hops:
                holder = getattr(holder, hop)
                if holder is None:
                    return False
            if getattr(holder, f"{last}_id") != user.tenant_id:
                return False
    extra_rule = getattr(model, "visible_to", None)
    return extra_rule(obj, user) if extra_rule is not None else True


def get_scoped(user, queryset: QuerySet[M], **lookup) -> M:
    """One row the user may see, or `DoesNotExist` (whether it is missing or belongs to
    someone else: the caller cannot tell, which is the point)."""
    return scope_queryset(user, queryset).get(**lookup)


def own_facility_only(user, queryset: QuerySet[M], path: str = "health_facility") -> QuerySet[M]:
    """openIMIS rule for facility users (a claim administrator, say): only rows of their own
    facility, reached through `path`; other users are not limited by it."""
    if user.health_facility_id is not None:
        return queryset.filter(**{f"{path}_id": user.health_facility_id})
    return queryset


# The largest key a (big) integer primary key can hold.
MAX_KEY = 2**63 - 1


def parse_pk(value) -> int | None:
    """A row key as a client sends it (a number, or its ASCII digits), or None when it cannot be
    one: not digits, or beyond any integer key (which the database would refuse with an error,
    and Python would not even convert past 4,300 digits). A 5,000-digit "id" is not found."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_KEY else None
    text = str(value if value is not None else "").strip()
    if not re.fullmatch(r"[0-9]{1,19}", text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_KEY else None


def is_uuid(value) -> bool:
    if isinstance(value, uuid.UUID):
        return True
    text = str(value)
    if len(text) > 45:  # the longest spelling uuid.UUID takes: braces, urn prefix and dashes
        return False
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def referenced_row(user, queryset: QuerySet[M], pk, label: str, *, required: bool = True
                   ) -> M | None:
    """A row an input refers to by numeric id, of the user's tenant, or a mutation error naming
    what was missing or not found (another tenant's row is simply not found)."""
    from core.gql.errors import MutationError

    if pk in (None, ""):
        if required:
            raise MutationError(f"{label} is required", code="required", detail=label)
        return None
    key = parse_pk(pk)
    row = scope_queryset(user, queryset).filter(pk=key).first() if key is not None else None
    if row is None:
        raise MutationError(f"No {label} {pk}", code="not_found", detail=label)
    return row
