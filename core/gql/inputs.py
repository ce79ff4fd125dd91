"""Bounds on what a client may send, checked once for every argument of every field.

`check_arguments` looks at the arguments of each field before its resolver runs (queries and
mutations alike, at any depth, so a mutation is refused before its log is written;
`core.gql.policy.guard_schema` puts it in front of every field with arguments):

- text must not hold characters no column can store: NUL (PostgreSQL refuses it in text and
  JSON) and unpaired surrogates (no encoder writes them);
- a list in an input holds at most `GRAPHQL_MAX_LIST_SIZE` entries;
- an `ID` argument is at most 100 characters (a database key, a uuid or a relay global id).

`parse_json_input` is the one way a service reads JSON a client sent inside a string
(`jsonExt`, `additionalFilters`): bounded in size and depth, and refused, with the field named,
when it holds what a column cannot store.

What a column can hold (lengths, digits) is checked where rows are written: `core.bounds`.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError, GraphQLID, get_named_type

from core.bounds import has_forbidden_characters
from core.gql.errors import MutationError

MAX_ID_LENGTH = 100


class InvalidInput(GraphQLError):
    """An argument no field may take; the message names it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "invalid_input"})


def _problem(value: Any, path: str, max_list: int) -> str | None:
    """The first thing wrong with an argument's value, as a message naming where it is."""
    stack = [(value, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, str):
            if has_forbidden_characters(current):
                return f"{where} contains a character that is not allowed (NUL or an unpaired " \
                       f"surrogate)"
        elif isinstance(current, dict):
            # dict.items: an input object may have a field named `items`.
            for key, item in dict.items(current):
                if isinstance(key, str) and has_forbidden_characters(key):
                    return f"{where} has a key with a character that is not allowed"
                stack.append((item, f"{where}.{to_camel_case(str(key))}"))
        elif isinstance(current, (list, tuple)):
            if len(current) > max_list:
                return f"{where} has {len(current)} entries; at most {max_list}"
            stack.extend((item, f"{where}[{index}]") for index, item in enumerate(current))
    return None


def check_arguments(info, args: dict[str, Any]) -> None:
    """Refuse, as a GraphQL error naming the argument, input no field should take."""
    max_list = settings.GRAPHQL_MAX_LIST_SIZE
    field = info.parent_type.fields.get(info.field_name)  # none: introspection's fields
    definitions = field.args if field is not None else {}
    by_out_name = {(a.out_name or name): (name, a) for name, a in definitions.items()}
    for key, value in args.items():
        name, definition = by_out_name.get(key, (to_camel_case(key), None))
        problem = _problem(value, name, max_list)
        if problem:
            raise InvalidInput(problem)
        if definition is not None and get_named_type(definition.type) is GraphQLID and \
                isinstance(value, str) and len(value) > MAX_ID_LENGTH:
            raise InvalidInput(f"{name} is not an id: at most {MAX_ID_LENGTH} characters")


def _json_problem(value: Any, max_depth: int) -> str | None:
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > max_depth:
            return f"is nested deeper than {max_depth} levels"
        if isinstance(current, str):
            if has_forbidden_characters(current):
                return "contains a character that is not allowed (NUL or an unpaired surrogate)"
        elif isinstance(current, dict):
            for key, item in current.items():
                stack.append((key, depth))
                stack.append((item, depth + 1))
        elif isinstance(current, list):
            stack.extend((item, depth + 1) for item in current)
    return None


def parse_json_input(text: Any, field: str) -> Any:
    """The JSON a client sent in `field`, or a `MutationError` naming the field: not JSON, longer
    than `JSON_INPUT_MAX_BYTES`, nested deeper than `JSON_INPUT_MAX_DEPTH`, or holding text a
    column cannot store (an escaped NUL)."""
    max_bytes, max_depth = settings.JSON_INPUT_MAX_BYTES, settings.JSON_INPUT_MAX_DEPTH
    if not isinstance(text, str):
        raise MutationError(f"{field} must be a JSON string", code="invalid_json", detail=field)
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise MutationError(f"{field} is longer than {max_bytes} bytes", code="invalid_json",
                            detail=field)
    try:
        value = json.loads(text)
    except RecursionError:
        raise MutationError(f"{field} is nested deeper than {max_depth} levels",
                            code="invalid_json", detail=field) from None
    except ValueError:
        raise MutationError(f"{field} is not valid JSON", code="invalid_json",
                            detail=field) from None
    problem = _json_problem(value, max_depth)
    if problem:
        raise MutationError(f"{field} {problem}", code="invalid_json", detail=field)
    return value
