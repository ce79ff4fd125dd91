"""Validation rules that bound what one GraphQL document may ask for."""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def _selection_depth(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    memo: dict[str, int],
    visiting: frozenset[str],
) -> int:
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__") or selection.selection_set is None:
                depth = 0
            else:
                depth = 1 + _selection_depth(selection.selection_set, fragments, memo, visiting)
        elif isinstance(selection, InlineFragmentNode):
            depth = _selection_depth(selection.selection_set, fragments, memo, visiting)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            # Unknown and cyclic fragments are reported by the standard rules.
            if fragment is None or name in visiting:
                continue
            if name not in memo:
                memo[name] = _selection_depth(
                    fragment.selection_set, fragments, memo, visiting | {name}
                )
            depth = memo[name]
        else:
            depth = 0
        deepest = max(deepest, depth)
    return deepest


def depth_limit_rule(max_depth: int) -> type[ValidationRule]:
    """Refuse operations nesting more than `max_depth` levels of fields with selections."""

    class DepthLimit(ValidationRule):
        def enter_document(self, node, *_args):
            fragments = {
                d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)
            }
            memo: dict[str, int] = {}
            for definition in node.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                depth = 1 + _selection_depth(definition.selection_set, fragments, memo, frozenset())
                if depth > max_depth:
                    name = definition.name.value if definition.name else "anonymous"
                    self.report_error(
                        GraphQLError(
                            f"'{name}' exceeds the maximum operation depth of {max_depth}.",
                            definition,
                        )
                    )

    return DepthLimit


def alias_limit_rule(max_aliases: int) -> type[ValidationRule]:
    """Refuse documents using more than `max_aliases` aliases (one field asked N times)."""

    class AliasLimit(ValidationRule):
        def __init__(self, context) -> None:
            super().__init__(context)
            self.count = 0

        def enter_field(self, node: FieldNode, *_args):
            if node.alias is not None:
                self.count += 1
                if self.count == max_aliases + 1:
                    self.report_error(
                        GraphQLError(f"The document uses more than {max_aliases} aliases.", node)
                    )

    return AliasLimit


class NoIntrospection(ValidationRule):
    """Hide the schema in production; `__typename` stays (clients use it for caching)."""

    def enter_field(self, node: FieldNode, *_args):
        if node.name.value in INTROSPECTION_FIELDS:
            self.report_error(
                GraphQLError("GraphQL introspection is not allowed on this server.", node)
            )
