"""What a query asks for below a field, for resolvers that fetch a relation only when asked."""

from __future__ import annotations

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode


def selects(info, path: tuple[str, ...]) -> bool:
    """Whether the query asks, under the resolved field, for the nested field `path` (GraphQL
    names, e.g. `("services", "items")`), through fragments too: lets a resolver prefetch a
    relation only when it is asked for."""

    def walk(selection_set, names: tuple[str, ...]) -> bool:
        if selection_set is None:
            return False
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == names[0] and (
                        len(names) == 1 or walk(selection.selection_set, names[1:])):
                    return True
            elif isinstance(selection, InlineFragmentNode):
                if walk(selection.selection_set, names):
                    return True
            elif isinstance(selection, FragmentSpreadNode):
                fragment = info.fragments.get(selection.name.value)
                if fragment is not None and walk(fragment.selection_set, names):
                    return True
        return False

    return any(walk(node.selection_set, path) for node in info.field_nodes)
