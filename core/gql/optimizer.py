"""One mechanism that shapes a list's queryset from the GraphQL selection, so that what a client
selects below a row costs the same SQL at any page size.

For every selected field of a row's type that reads a model relation:
- to-one (forward foreign key, one-to-one either way): `select_related`, and the same again for
  what is selected below it;
- to-many (reverse foreign key, many-to-many): `prefetch_related` with a queryset of its own,
  scoped by the related type's `get_queryset` (tenant, facility), limited to the rows the field
  shows (`Related.filter`) and shaped the same way from its own sub-selection.

A field whose name is not the relation's, or whose resolver reads a relation in its own way,
declares it on its type: `related_fields = {"items": Related("items", filter=CURRENT)}`. A
computed field declares what it needs: `annotations = {"attachments_count": ("attachments_total",
expression factory)}` adds the annotation to the row's queryset, and `prefetches = {"field":
("relation", ...)}` prefetches relations a resolver reads. Anything a type does not declare and
that is not a model relation costs nothing here.

Resolvers then find the rows in memory: `ScopedObjectType.get_queryset` keeps a prefetched
(already evaluated) queryset as it is, since the optimizer scoped it when it built it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Prefetch, Q, QuerySet
from graphene.utils.str_converters import to_camel_case
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)

# Valid rows (openIMIS keeps replaced rows with a `validity_to`).
CURRENT = Q(validity_to__isnull=True)


@dataclass(frozen=True)
class Related:
    """How a GraphQL field reads a model relation: its `path` on the model, and for a to-many
    relation the rows it shows (`filter`) in which order (`order_by`; by default the model's
    own ordering, else by primary key)."""

    path: str
    filter: Q | None = None
    order_by: tuple[str, ...] = ()


@dataclass
class Plan:
    """What one queryset needs: joins, prefetches and annotations."""

    select: set[str] = field(default_factory=set)
    prefetch: dict[str, Prefetch] = field(default_factory=dict)
    annotate: dict[str, Any] = field(default_factory=dict)

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.annotate:
            present = set(queryset.query.annotations)
            missing = {k: v() for k, v in self.annotate.items() if k not in present}
            if missing:
                queryset = queryset.annotate(**missing)
        if self.select:
            queryset = queryset.select_related(*sorted(self.select))
        # A relation the queryset prefetches already, at any level, is left as it is asked.
        done = set()
        for lookup in queryset._prefetch_related_lookups:
            parts = getattr(lookup, "prefetch_to", lookup).split("__")
            done.update("__".join(parts[:n]) for n in range(1, len(parts) + 1))
        fresh = [p for path, p in sorted(self.prefetch.items()) if path not in done]
        if fresh:
            queryset = queryset.prefetch_related(*fresh)
        return queryset


def optimize(queryset: QuerySet, info, *, connection: bool = True) -> QuerySet:
    """`queryset` (the rows of the field `info` resolves: a connection's nodes, or a list's
    items) with what the selection below each row needs."""
    row_type = _row_type(info.return_type, connection)
    if row_type is None:
        return queryset
    selections = [node.selection_set for node in info.field_nodes]
    if connection:
        selections = _node_selections(selections, info)
    plan = Plan()
    _plan_rows(queryset.model, row_type, selections, "", plan, info)
    return plan.apply(queryset)


def _row_type(return_type, connection: bool) -> GraphQLObjectType | None:
    named = get_named_type(return_type)
    if connection:
        edges = getattr(named, "fields", {}).get("edges")
        if edges is None:
            return None
        named = get_named_type(get_named_type(edges.type).fields["node"].type)
    return named if isinstance(named, GraphQLObjectType) else None


def _fields(selection_set: SelectionSetNode | None, info, name: str | None = None):
    """The field nodes of a selection set, through fragments; only `name` when given."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if name is None or selection.name.value == name:
                yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, info, name)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, info, name)


def _node_selections(selection_sets: Iterable[SelectionSetNode | None], info) -> list:
    """What a connection's selections ask of each node (`edges { node { ... } }`)."""
    return [node.selection_set for selection_set in selection_sets
            for edges in _fields(selection_set, info, "edges")
            for node in _fields(edges.selection_set, info, "node")]


def _by_field(selection_sets: Iterable[SelectionSetNode], info) -> dict[str, list]:
    """Field name -> the sub-selections asked under it (aliases and fragments merged)."""
    merged: dict[str, list] = {}
    for selection_set in selection_sets:
        for node in _fields(selection_set, info):
            merged.setdefault(node.name.value, []).append(node.selection_set)
    return merged


def _declared(graphene_type, attribute: str) -> dict:
    found: dict = {}
    for klass in reversed(getattr(graphene_type, "__mro__", ())):
        found.update(klass.__dict__.get(attribute, {}) or {})
    return found


def _plan_rows(model: type[Model], row_type: GraphQLObjectType, selection_sets, prefix: str,
               plan: Plan, info) -> None:
    graphene_type = getattr(row_type, "graphene_type", None)
    python_names = _python_names(graphene_type)
    related_fields = _declared(graphene_type, "related_fields")
    annotations = _declared(graphene_type, "annotations")
    prefetches = _declared(graphene_type, "prefetches")
    for name, subselections in _by_field(selection_sets, info).items():
        gql_field = row_type.fields.get(name)
        if gql_field is None:
            continue
        python_name = python_names.get(name, name)
        if python_name in annotations and not prefix:
            alias, expression = annotations[python_name]
            plan.annotate[alias] = expression
        for path in prefetches.get(python_name, ()):
            plan.prefetch.setdefault(prefix + path, Prefetch(prefix + path))
        hint = related_fields.get(python_name)
        if isinstance(hint, str):
            hint = Related(hint)
        path = hint.path if hint else python_name
        try:
            model_field = model._meta.get_field(path.split("__")[0])
        except FieldDoesNotExist:
            continue
        if not model_field.is_relation or "__" in path:
            continue
        target_type = get_named_type(gql_field.type)
        nested_connection = isinstance(target_type, GraphQLObjectType) and \
            "edges" in target_type.fields and not _is_list(gql_field.type)
        if nested_connection:
            target_type = _row_type(gql_field.type, True)
            subselections = _node_selections(subselections, info)
        if not isinstance(target_type, GraphQLObjectType):
            continue
        related_model = model_field.related_model
        if model_field.many_to_one or model_field.one_to_one:
            plan.select.add(prefix + path)
            _plan_rows(related_model, target_type, subselections, f"{prefix}{path}__", plan,
                       info)
        elif model_field.one_to_many or model_field.many_to_many:
            lookup = prefix + path
            if lookup in plan.prefetch:
                continue
            plan.prefetch[lookup] = Prefetch(lookup, queryset=_related_rows(
                related_model, target_type, subselections, hint, info))


def _related_rows(model: type[Model], row_type: GraphQLObjectType, selection_sets,
                  hint: Related | None, info) -> QuerySet:
    """A to-many relation's rows: scoped as its type scopes them, filtered and ordered as the
    field shows them, shaped from its own sub-selection."""
    queryset = model._default_manager.all()
    graphene_type = getattr(row_type, "graphene_type", None)
    get_queryset = getattr(graphene_type, "get_queryset", None)
    if get_queryset is not None:
        queryset = get_queryset(queryset, info)
    if hint is not None and hint.filter is not None:
        queryset = queryset.filter(hint.filter)
    order = (hint.order_by if hint else ()) or tuple(model._meta.ordering) or ("pk",)
    queryset = queryset.order_by(*order)
    plan = Plan()
    _plan_rows(model, row_type, selection_sets, "", plan, info)
    return plan.apply(queryset)


def _is_list(graphql_type) -> bool:
    while isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    return isinstance(graphql_type, GraphQLList)


def _python_names(graphene_type) -> dict[str, str]:
    """GraphQL field name -> the type's Python field name (`icd1` -> `icd_1`)."""
    meta = getattr(graphene_type, "_meta", None)
    return {to_camel_case(name): name for name in getattr(meta, "fields", {}) or {}}


def annotation(alias: str, factory: Callable[[], Any]) -> tuple[str, Callable[[], Any]]:
    """An `annotations` entry: the queryset gets `alias=factory()` when the field is selected."""
    return alias, factory


# Per-page batches ------------------------------------------------------------------------------
# graphene 3 has no synchronous DataLoader. A computed field that needs data for each row (an
# evaluation reading the registers) computes it once for every row of the page its row was
# listed in: connections remember their page's rows, and `batched` finds the siblings by the
# connection's path in the response.

_PAGES = "_openimis_pages"
_BATCHES = "_openimis_batches"


def remember_page(info, rows: list) -> None:
    """The rows a connection answers, for `batched` resolvers below it."""
    pages = getattr(info.context, _PAGES, None)
    if pages is None:
        pages = {}
        setattr(info.context, _PAGES, pages)
    pages[tuple(info.path.as_list())] = rows


def batched(info, row, name: str, compute: Callable[[list], dict]) -> Any:
    """`compute(rows)[row.pk]`, computed once for all the rows of `row`'s page (or for `row`
    alone when it was not listed in a connection)."""
    path = info.path.as_list()
    edges = max((n for n, key in enumerate(path) if key == "edges"), default=None)
    page_key = tuple(path[:edges]) if edges is not None else None
    rows = (getattr(info.context, _PAGES, None) or {}).get(page_key)
    if not rows or all(r.pk != row.pk for r in rows):
        rows, page_key = [row], ("row", row.pk)
    cache = getattr(info.context, _BATCHES, None)
    if cache is None:
        cache = {}
        setattr(info.context, _BATCHES, cache)
    if (name, page_key) not in cache:
        cache[name, page_key] = compute(rows)
    return cache[name, page_key].get(row.pk)
