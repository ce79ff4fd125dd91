"""graphql-core's execution with a short path for the commonest field there is: a scalar read
from an attribute of the row by graphene's default resolver.

A list of 100 claims with their lines resolves about 3,000 fields, most of them columns
(`code`, `qtyProvided`). For each, graphql-core builds a path, a resolve info of twelve values,
the field's arguments, and walks `complete_value` through the non-null wrapper to the scalar's
`serialize`. None of that changes the answer for a plain column: the short path reads the
attribute and serializes it, as graphene's resolver and graphql-core would. Anything else (a
resolver of ours, arguments, an object or a list, a null, a value the scalar refuses) takes
graphql-core's own path, so that errors, their paths and their messages stay exactly as they
were.

The view runs no middleware and answers synchronously; with middleware the whole execution
takes the ordinary path.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from graphene.types.resolver import dict_or_attr_resolver
from graphql import (
    ExecutionContext,
    FieldNode,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path

# A plain field: (attribute, default, serialize, may be null).
Plain = tuple[str, Any, Callable[[Any], Any], bool]
_PLAIN: dict[GraphQLObjectType, dict[str, Plain]] = {}


def plain_fields(parent_type: GraphQLObjectType) -> dict[str, Plain]:
    """The fields of `parent_type` that graphene's default resolver reads from an attribute and
    that return a scalar or an enum, without arguments."""
    found = _PLAIN.get(parent_type)
    if found is None:
        found = {}
        for name, field in parent_type.fields.items():
            resolve = field.resolve
            if field.args or not isinstance(resolve, partial) or resolve.keywords \
                    or resolve.func is not dict_or_attr_resolver or len(resolve.args) != 2:
                continue
            nullable = not isinstance(field.type, GraphQLNonNull)
            leaf = field.type if nullable else field.type.of_type
            if not is_leaf_type(leaf):
                continue
            attname, default = resolve.args
            found[name] = (attname, default, leaf.serialize, nullable)
        _PLAIN[parent_type] = found
    return found


class SyncExecutionContext(ExecutionContext):
    """Executes synchronous resolvers, with the short path for plain fields."""

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any,
                       path: Path | None, fields: dict[str, list[FieldNode]]) -> Any:
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:
            return super().execute_fields(parent_type, source_value, path, fields)
        plain = plain_fields(parent_type)
        is_dict = isinstance(source_value, dict)
        results: dict[str, Any] = {}
        for response_name, field_nodes in fields.items():
            known = plain.get(field_nodes[0].name.value)
            if known is not None:
                attname, default, serialize, nullable = known
                value = source_value.get(attname, default) if is_dict \
                    else getattr(source_value, attname, default)
                if value is None or value is Undefined:
                    if nullable:
                        results[response_name] = None
                        continue
                else:
                    try:
                        serialized = serialize(value)
                    except Exception:  # graphql-core's path below reports it
                        serialized = None
                    if serialized is not None and serialized is not Undefined:
                        results[response_name] = serialized
                        continue
            result = self.execute_field(parent_type, source_value, field_nodes,
                                        Path(path, response_name, parent_type.name))
            if result is not Undefined:
                results[response_name] = result
        return results
