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

Columns: when every selected field of a queryset's rows (and of the rows joined to them) is
known to read only certain columns, the queryset loads those columns (`only()`), plus the
primary key, every foreign key and `validity_to`, which row rules and line filters read. A field
is known when graphene's default resolver reads a column, when it is an `id`, a relation the
optimizer loads, an annotation, or when its type declares what its resolver reads (`reads =
{"restore_id": ()}`: nothing beyond the keys). One unknown field (a resolver of ours that may
read anything) and the rows load every column, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Prefetch, Q, QuerySet
from graphene.relay.node import GlobalID
from graphene.types.resolver import dict_or_attr_resolver
from graphene.utils.str_converters import to_camel_case, to_snake_case
from graphene_django import DjangoObjectType
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
    columns: set[str] = field(default_factory=set)
    # False once a selected field may read columns nobody declared: every column is loaded.
    exact: bool = True

    def apply(self, queryset: QuerySet) -> QuerySet:
        queryset = self._restrict(queryset)
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

    def _restrict(self, queryset: QuerySet) -> QuerySet:
        query = queryset.query
        if not self.exact or not self.columns or query.combinator or queryset._fields \
                or query.deferred_loading != (frozenset(), True):
            return queryset
        # Joins the queryset made itself keep every column: nobody declared what they read.
        joined = _joined_paths(query.select_related)
        if any(path not in self.select for path in joined):
            return queryset
        return queryset.only(*sorted(self.columns))


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


def optimize_root_lists(graphql_schema) -> None:
    """Shape the rows of every root field that returns a list of objects (`userDistricts`,
    `approvalFollowUpsDue`...) as connections are shaped: their resolvers return a queryset,
    and what the selection reads below each row is loaded with it. Run at assembly."""
    query = graphql_schema.query_type
    for root_field in (query.fields.values() if query else ()):
        if _is_list(root_field.type) and \
                isinstance(get_named_type(root_field.type), GraphQLObjectType):
            root_field.resolve = _optimized_list(root_field.resolve)


def _optimized_list(resolve):
    def resolve_rows(root, info, **args):
        rows = resolve(root, info, **args)
        if isinstance(rows, QuerySet) and rows._result_cache is None:
            rows = list(optimize(rows, info, connection=False))
            remember_page(info, rows)
        return rows

    return resolve_rows


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


def _joined_paths(select_related) -> set[str]:
    """`select_related` of a query (a nested dict, or True for every relation) as paths."""
    if select_related is True:
        return {"*"}
    paths: set[str] = set()
    for name, below in (select_related or {}).items():
        paths.add(name)
        paths.update(f"{name}__{path}" for path in _joined_paths(below))
    return paths


def _key_columns(model: type[Model]) -> list[str]:
    """What is loaded whatever the selection: the primary key, every foreign key (row rules
    and joins read them) and `validity_to` (current-line filters read it)."""
    names = [model._meta.pk.name]
    names += [f.name for f in model._meta.concrete_fields if f.is_relation]
    if any(f.name == "validity_to" for f in model._meta.concrete_fields):
        names.append("validity_to")
    return names


def _reads(model: type[Model], gql_field, python_name: str, declared: dict,
           known: dict) -> tuple[str, ...] | None:
    """The columns of `model` a field's resolver reads, or None when that cannot be told."""
    if python_name in declared:
        return tuple(declared[python_name])
    if python_name in known:
        return ()
    resolve = gql_field.resolve
    if isinstance(resolve, partial):
        if resolve.func is dict_or_attr_resolver and resolve.args:
            try:
                column = model._meta.get_field(resolve.args[0])
            except FieldDoesNotExist:
                return None
            return (column.name,) if column.concrete else None
        if resolve.func is GlobalID.id_resolver and resolve.args \
                and resolve.args[0] is DjangoObjectType.resolve_id:
            return ()
    if resolve is DjangoObjectType.resolve_id or getattr(resolve, "reads_relation", False):
        return ()
    return None


def _plan_rows(model: type[Model], row_type: GraphQLObjectType, selection_sets, prefix: str,
               plan: Plan, info) -> None:
    graphene_type = getattr(row_type, "graphene_type", None)
    python_names = _python_names(graphene_type)
    related_fields = _declared(graphene_type, "related_fields")
    annotations = _declared(graphene_type, "annotations")
    prefetches = _declared(graphene_type, "prefetches")
    reads = _declared(graphene_type, "reads")
    plan.columns.update(prefix + name for name in _key_columns(model))
    for name, subselections in _by_field(selection_sets, info).items():
        gql_field = row_type.fields.get(name)
        if gql_field is None:
            continue
        python_name = python_names.get(name, name)
        columns = _reads(model, gql_field, python_name, reads,
                         {**related_fields, **(annotations if not prefix else {})})
        if columns is None:
            plan.exact = False
        else:
            plan.columns.update(prefix + column for column in columns)
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
            if lookup in plan.prefetch and plan.prefetch[lookup].queryset is not None:
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
    """`compute(rows)[row.pk]`, computed once for all the rows of `row`'s page, or for the
    objects each row of the page leads to when `row` sits below it (`request` of a follow-up),
    or for `row` alone when it was not listed."""
    page_key, rows = _page_of(info, row)
    cache = getattr(info.context, _BATCHES, None)
    if cache is None:
        cache = {}
        setattr(info.context, _BATCHES, cache)
    if (name, page_key) not in cache:
        cache[name, page_key] = compute(rows)
    return cache[name, page_key].get(row.pk)


def _page_of(info, row) -> tuple[tuple, list]:
    path = info.path.as_list()
    indexes = [n for n, key in enumerate(path) if isinstance(key, int)]
    pages = getattr(info.context, _PAGES, None) or {}
    if indexes:
        index = indexes[-1]
        list_end = index - 1 if index and path[index - 1] == "edges" else index
        key = tuple(path[:list_end])
        below = [to_snake_case(step) for step in path[index + 1:-1]]
        page = pages.get(key)
        if page is not None and "node" in below[:1]:
            below = below[1:]
        if page is not None:
            siblings = page
            for step in below:
                siblings = [getattr(sibling, step, None) for sibling in siblings]
            siblings = [s for s in siblings if isinstance(s, type(row))]
            if any(s.pk == row.pk for s in siblings):
                return (*key, *below), list({s.pk: s for s in siblings}.values())
    return ("row", type(row).__name__, row.pk), [row]
