"""Base GraphQL types: tenant-scoped object types and relay connections with `totalCount`."""

from __future__ import annotations

import re
from collections.abc import Iterable

import graphene
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from graphene_django import DjangoObjectType
from graphene_django.filter import DjangoFilterConnectionField
from graphql import GraphQLError

from core.scoping import scope_queryset


class CountableConnection(graphene.relay.Connection):
    """A relay connection that also answers `totalCount` (the SPA's pager needs it)."""

    class Meta:
        abstract = True

    total_count = graphene.Int()

    def resolve_total_count(self, info) -> int:
        return self.length


class ScopedObjectType(DjangoObjectType):
    """A model type whose every queryset (lists, nodes, nested lookups) is tenant-scoped."""

    class Meta:
        abstract = True

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info) -> QuerySet:
        return scope_queryset(info.context.user, queryset)


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def to_snake(name: str) -> str:
    return "__".join(_CAMEL.sub("_", part).lower() for part in name.split("__"))


def _field_path_exists(model, path: str) -> bool:
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        model = field.related_model if field.is_relation else None
        if model is None and part != path.split("__")[-1]:
            return False
    return True


class OrderedConnectionField(DjangoFilterConnectionField):
    """A filtered connection with `orderBy`: a list of names or one string (GraphQL coerces a
    single value into the list), camelCase or snake_case, `-` for descending, `?` for random
    order. Only the names in `ordering` are accepted, so ordering cannot probe hidden columns."""

    def __init__(self, type_, *args, ordering: Iterable[str] = (), **kwargs) -> None:
        self.ordering = tuple(to_snake(name) for name in ordering)
        kwargs.setdefault("orderBy", graphene.List(graphene.String))
        super().__init__(type_, *args, **kwargs)

    def resolve_order_by(self, requested: list[str] | None, model) -> list[str]:
        order = []
        for raw in requested or []:
            if raw is None:
                continue
            if raw == "?":
                order.append("?")
                continue
            descending = raw.startswith("-")
            name = to_snake(raw.lstrip("-+"))
            if name not in self.ordering or not _field_path_exists(model, name):
                allowed = ", ".join(sorted(self.ordering)) or "none"
                raise GraphQLError(f"Cannot order by {raw!r}; allowed: {allowed}")
            order.append(f"-{name}" if descending else name)
        return order

    def order_queryset(self, queryset: QuerySet, requested: list[str] | None) -> QuerySet:
        order = self.resolve_order_by(requested, queryset.model)
        if order:
            if "?" not in order:
                order.append("-pk" if order[-1].startswith("-") else "pk")
            return queryset.order_by(*order)
        if not queryset.ordered:
            return queryset.order_by("pk")
        return queryset

    def get_queryset_resolver(self):
        filtered = super().get_queryset_resolver()

        def resolve(connection, iterable, info, args):
            return self.order_queryset(
                filtered(connection, iterable, info, args), args.get("orderBy")
            )

        return resolve
