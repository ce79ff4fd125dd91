"""The short path for plain fields (core.gql.execution) answers exactly as graphql-core does:
the same data, the same errors with the same paths and messages, whatever the row is."""

from __future__ import annotations

import graphene
import pytest
from graphql import ExecutionContext, execute, parse

from core.gql.execution import SyncExecutionContext, plain_fields


class Row:
    def __init__(self, **values) -> None:
        self.__dict__.update(values)


class Line(graphene.ObjectType):
    qty = graphene.Decimal(required=True)
    note = graphene.String()


class Thing(graphene.ObjectType):
    code = graphene.String(required=True)
    label = graphene.String()
    count = graphene.Int()
    price = graphene.Decimal()
    when = graphene.Date()
    flag = graphene.Boolean(required=True)
    shouted = graphene.String()
    lines = graphene.List(graphene.NonNull(Line))
    echo = graphene.String(text=graphene.String())

    def resolve_shouted(root, info):
        return (root["code"] if isinstance(root, dict) else root.code).upper()

    def resolve_echo(root, info, text=None):
        return text


class Query(graphene.ObjectType):
    things = graphene.List(Thing)


SCHEMA = graphene.Schema(query=Query).graphql_schema

DOCUMENT = """query ($skip: Boolean = false) { things {
  code label count price flag shouted echo(text: "hi") alias: code
  ... on Thing { label when @skip(if: $skip) }
  lines { qty note } } }"""


def run(rows, context_class, variables=None):
    result = execute(SCHEMA, parse(DOCUMENT), root_value={"things": rows},
                     variable_values=variables, execution_context_class=context_class)
    # `things` is read from the root value as a dict by the default resolver.
    return result.data, [(e.message, e.path) for e in result.errors or []]


def both(rows, variables=None):
    return run(rows, ExecutionContext, variables), run(rows, SyncExecutionContext, variables)


@pytest.mark.parametrize("rows", [
    pytest.param([Row(code="A1", label=None, count=3, price=None, when=None, flag=True,
                      lines=[Row(qty=2, note="x")])], id="objects"),
    pytest.param([{"code": "D1", "label": "dict row", "count": 0, "price": "1.50",
                   "flag": False, "lines": []}], id="dicts, missing keys"),
    pytest.param([Row(code=None, flag=True, lines=None)], id="null in a non-null field"),
    pytest.param([Row(code="B", count="many", flag=True, lines=[Row(qty=None)])],
                 id="values the scalars refuse"),
    pytest.param([Row(code="C", flag=True, count=2 ** 40, lines=[])], id="an Int out of range"),
    pytest.param([Row(code=7, flag=1, label=["a"], lines=[])], id="values coerced"),
])
def test_the_short_path_answers_as_graphql_core(rows):
    (data, errors), (fast_data, fast_errors) = both(rows)
    assert fast_data == data
    assert fast_errors == errors


def test_errors_keep_their_paths_and_messages():
    (data, errors), _ = both([Row(code=None, flag=True, count="x", lines=[Row(qty=None)])])
    assert data == {"things": [None]}
    assert ("Cannot return null for non-nullable field Thing.code.", ["things", 0, "code"]) \
        in errors


def test_directives_still_apply():
    rows = [Row(code="A", flag=True, when=None, lines=[])]
    (data, _), (fast, _) = both(rows, {"skip": True})
    assert fast == data
    assert "when" not in fast["things"][0]
    assert "when" in both(rows, {"skip": False})[1][0]["things"][0]


def test_only_default_resolved_scalars_without_arguments_take_the_short_path():
    plain = plain_fields(SCHEMA.type_map["Thing"])
    assert set(plain) == {"code", "label", "count", "price", "when", "flag"}
    assert plain["code"][0] == "code"
    assert plain["code"][3] is False
    assert plain["label"][3] is True
