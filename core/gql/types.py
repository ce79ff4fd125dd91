"""Base GraphQL types: tenant-scoped object types and relay connections with `totalCount`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import graphene
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from graphene_django import DjangoObjectType
from graphene_django.converter import convert_django_field, convert_field_to_djangomodel
from graphene_django.filter import DjangoFilterConnectionField
from graphene_django.settings import graphene_settings
from graphql import GraphQLError

from core.gql import scalars  # noqa: F401  (Decimal arguments accept float literals)
from core.gql.optimizer import optimize, remember_page
from core.scoping import row_visible, scope_queryset


class CountableConnection(graphene.relay.Connection):
    """A relay connection that also answers `totalCount` (the SPA's pager needs it)."""

    class Meta:
        abstract = True

    total_count = graphene.Int()

    def resolve_total_count(self, info) -> int:
        """graphene-django sets `length` (a count query); a list-built page counts its list."""
        length = getattr(self, "length", None)
        return len(self.iterable) if length is None else length


class ScopedObjectType(DjangoObjectType):
    """A model type whose every queryset (lists, nodes, nested lookups) is tenant-scoped."""

    class Meta:
        abstract = True

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info) -> QuerySet:
        if queryset._result_cache is not None:
            # Rows a prefetch loaded (core.gql.optimizer scoped its queryset when it built it):
            # filtering again would query once per parent row.
            return queryset
        return scope_queryset(info.context.user, queryset)


def _scoped_relation_resolver(field_name: str):
    def resolve(root, info, **kwargs):
        related = getattr(root, field_name)
        if related is None or not row_visible(info.context.user, related):
            return None
        return related

    resolve.reads_relation = True  # the optimizer: it reads the relation, no other column
    return resolve


@convert_django_field.register(models.OneToOneField)
@convert_django_field.register(models.ForeignKey)
def convert_scoped_relation(field, registry=None):
    """Foreign keys to a scoped type are checked in memory, on the row the parent's queryset
    fetched (`select_related` it there), instead of graphene-django's one query per row."""
    default = convert_field_to_djangomodel(field, registry)

    def dynamic_type():
        target = registry.get_type_for_model(field.related_model)
        if target is None or not issubclass(target, ScopedObjectType):
            return default.get_type()
        return graphene.Field(
            target,
            description=getattr(field, "help_text", None) or None,
            required=not field.null,
            resolver=_scoped_relation_resolver(field.name),
        )

    return graphene.Dynamic(dynamic_type)


def node_meta(model_, fields, filters) -> type:
    """The Meta most list types share: relay node, countable connection, filters."""
    return type("Meta", (), {
        "model": model_,
        "interfaces": (graphene.relay.Node,),
        "connection_class": CountableConnection,
        "fields": fields,
        "filter_fields": filters,
    })


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


def check_page(args: dict, max_limit: int | None, field_name: str) -> None:
    """Refuse a negative or oversized page with a message the client can act on (graphene
    refuses them with `assert` or `ValueError`, which the view masks as an internal error)."""
    for name in ("first", "last", "offset"):
        if (args.get(name) or 0) < 0:
            raise GraphQLError(f"`{name}` must not be negative.")
    for name in ("first", "last"):
        size = args.get(name)
        if max_limit and size and size > max_limit:
            raise GraphQLError(
                f"Requesting {size} records on the `{field_name}` connection exceeds "
                f"the `{name}` limit of {max_limit} records."
            )


class ListConnectionField(graphene.relay.ConnectionField):
    """A connection over a list its resolver built and scoped already (a claim's history, an
    insuree's policies), paged like the model lists: the page size when neither `first` nor
    `last` is given, a clear refusal beyond it."""

    @classmethod
    def connection_resolver(cls, resolver, connection_type, root, info, **args):
        limit = graphene_settings.RELAY_CONNECTION_MAX_LIMIT
        check_page(args, limit, info.field_name)
        if not args.get("first") and not args.get("last"):
            args["first"] = limit
        return super().connection_resolver(resolver, connection_type, root, info, **args)


@lru_cache(maxsize=1024)
def given_filters(filterset_class: type, names: frozenset[str]) -> type:
    """`filterset_class` with only the filters a request gives. A filter without a value
    filters nothing, yet django-filter copies, builds and validates every filter of the set
    for every request (thirty for claims); a request gives two or three."""
    if names >= set(filterset_class.base_filters):
        return filterset_class
    subset = type(filterset_class.__name__, (filterset_class,), {})
    subset.base_filters = {name: each for name, each in filterset_class.base_filters.items()
                           if name in names}
    return subset


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

    @classmethod
    def connection_resolver(
        cls, resolver, connection, default_manager, queryset_resolver, max_limit,
        enforce_first_or_last, root, info, **args,
    ):
        check_page(args, max_limit, info.field_name)
        answered = super().connection_resolver(
            resolver, connection, default_manager, queryset_resolver, max_limit,
            enforce_first_or_last, root, info, **args,
        )
        edges = getattr(answered, "edges", None)
        if edges is not None:
            remember_page(info, [edge.node for edge in edges])
        return answered

    @classmethod
    def resolve_queryset(cls, connection, iterable, info, args, filtering_args,
                         filterset_class):
        given = frozenset(name for name in args if name in filtering_args)
        return super().resolve_queryset(connection, iterable, info, args, filtering_args,
                                        given_filters(filterset_class, given))

    def get_queryset_resolver(self):
        filtered = super().get_queryset_resolver()

        def resolve(connection, iterable, info, args):
            return optimize(self.order_queryset(
                filtered(connection, iterable, info, args), args.get("orderBy")
            ), info)

        return resolve
