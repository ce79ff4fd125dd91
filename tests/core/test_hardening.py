"""Request hardening of the GraphQL endpoint: depth, page size, aliases, batching, document size,
introspection, error masking, orderBy whitelist and the root-field policy."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ModuleConfiguration, MutationLog
from tests.sampleapp.models import Note

pytestmark = pytest.mark.django_db

READ_NOTES = 900001
CREATE_NOTES = 900002


def _nested_notes(depth: int) -> str:
    """A `notes` query whose operation depth (as the depth rule counts it: the operation plus
    every field with a selection set) is exactly `depth`: operation, notes, edges, node, then
    `parent` levels."""
    parents = depth - 4
    inner = "title"
    for _ in range(parents):
        inner = f"parent {{ {inner} }}"
    return f'query Deep {{ notes(first: 1, title: "n19") {{ edges {{ node {{ {inner} }} }} }} }}'


NOTES_DEPTH_10 = _nested_notes(10)
NOTES_DEPTH_15 = _nested_notes(15)
NOTES_DEPTH_16 = _nested_notes(16)
NOTES_DEPTH_40 = _nested_notes(40)

FRAGMENT_CYCLE = """
query Cycle { notes(first: 1) { edges { node { ...A } } } }
fragment A on NoteGQLType { parent { ...B } }
fragment B on NoteGQLType { parent { ...A } }
"""

UNKNOWN_FIELD = "{ notes(first: 1) { edges { node { title secret } } } }"

NOTES_FIRST_101 = "{ notes(first: 101) { totalCount edges { node { title } } } }"
NOTES_LAST_101 = "{ notes(last: 101) { totalCount edges { node { title } } } }"
NOTES_UNBOUNDED = "{ notes { totalCount pageInfo { hasNextPage } edges { node { title } } } }"

NOTES_PAGE = """
query Page($first: Int!) {
  notes(first: $first, orderBy: "title") { edges { node { title parent { title } } } }
}
"""


def _aliased_counts(count: int) -> str:
    fields = " ".join(f"a{i}: notes(first: 1) {{ totalCount }}" for i in range(1, count + 1))
    return f"{{ {fields} }}"


ALIASES_30 = _aliased_counts(30)
ALIASES_31 = _aliased_counts(31)

MODULE_CONFIGURATIONS = "{ moduleConfigurations { module } }"

SCHEMA_INTROSPECTION = "{ __schema { types { name } } }"
TYPE_INTROSPECTION = '{ __type(name: "Query") { name } }'
TYPENAME_ONLY = "{ __typename moduleConfigurations { __typename module } }"

NOTE_BY_UUID = "query One($uuid: String!) { note(uuid: $uuid) { title } }"

NOTES_ORDERED = """
query Ordered($orderBy: [String]) {
  notes(orderBy: $orderBy) { totalCount edges { node { title } } }
}
"""
NOTES_ORDERED_DESC_LITERAL = '{ notes(orderBy: "-title") { edges { node { title } } } }'
NOTES_ORDERED_LIST_LITERAL = '{ notes(orderBy: ["title"]) { edges { node { title } } } }'
NOTES_ORDERED_RANDOM_LITERAL = '{ notes(orderBy: "?") { totalCount edges { node { title } } } }'
NOTES_ORDERED_HIDDEN_LITERAL = '{ notes(orderBy: "tenant__code") { edges { node { title } } } }'

NOTES_FIRST_5 = "{ notes(first: 5) { totalCount edges { node { title } } } }"
CREATE_NOTE = """
mutation {
  createNote(input: {clientMutationId: "hardening-1", title: "Sneaky"}) { internalId status }
}
"""


def _titles(response) -> list[str]:
    return [edge["node"]["title"] for edge in response.data["notes"]["edges"]]


@pytest.fixture
def reader(make_user):
    return make_user([READ_NOTES])


@pytest.fixture
def chain(tenant):
    """Notes n0 <- n1 <- ... <- n19, each the parent of the next: deep queries from n19 resolve
    real rows at every level."""
    parent = None
    for i in range(20):
        parent = Note.objects.create(tenant=tenant, title=f"n{i}", parent=parent)
    return parent


# 1. Depth ------------------------------------------------------------------------------------


def test_depth_rule_counts_as_documented():
    assert NOTES_DEPTH_10.count("parent") == 6
    assert NOTES_DEPTH_16.count("parent") == 12


def test_ten_levels_pass(gql, reader, chain):
    r = gql(NOTES_DEPTH_10, user=reader)
    assert r.status_code == 200, r.body
    assert "errors" not in r.body
    node = r.data["notes"]["edges"][0]["node"]
    for _ in range(6):
        node = node["parent"]
    assert node == {"title": "n13"}


def test_fifteen_levels_pass(gql, reader, chain):
    r = gql(NOTES_DEPTH_15, user=reader)
    assert r.status_code == 200, r.body
    assert "errors" not in r.body


@pytest.mark.parametrize("document", [NOTES_DEPTH_16, NOTES_DEPTH_40], ids=["16", "40"])
def test_deeper_than_fifteen_refused(gql, reader, chain, document):
    r = gql(document, user=reader)
    assert r.status_code == 400
    assert "data" not in r.body
    assert r.error_messages == ["'Deep' exceeds the maximum operation depth of 15."]


def test_fragment_cycle_is_a_graphql_error(gql, reader, tenant):
    # A note that is its own parent: executing the cycle would never bottom out on data.
    loop = Note.objects.create(tenant=tenant, title="loop")
    Note.objects.filter(pk=loop.pk).update(parent=loop)
    r = gql(FRAGMENT_CYCLE, user=reader)
    assert r.status_code == 400
    assert "data" not in r.body
    assert r.error_messages == ["Cannot spread fragment 'A' within itself via 'B'."]


def test_standard_validation_rules_still_apply(gql, reader):
    """The limit rules are added to the specification's rules, not put in their place."""
    r = gql(UNKNOWN_FIELD, user=reader)
    assert r.status_code == 400
    assert "data" not in r.body
    assert r.error_messages == ["Cannot query field 'secret' on type 'NoteGQLType'."]


# 2. Page size --------------------------------------------------------------------------------


def test_first_over_limit_refused(gql, reader):
    r = gql(NOTES_FIRST_101, user=reader)
    assert r.data == {"notes": None}
    assert r.error_messages == [
        "Requesting 101 records on the `notes` connection exceeds the `first` limit of 100 "
        "records."
    ]


def test_last_over_limit_refused(gql, reader):
    r = gql(NOTES_LAST_101, user=reader)
    assert r.data == {"notes": None}
    assert r.error_messages == [
        "Requesting 101 records on the `notes` connection exceeds the `last` limit of 100 "
        "records."
    ]


def test_unbounded_connection_answers_one_page_of_100(gql, reader, tenant):
    Note.objects.bulk_create(Note(tenant=tenant, title=f"note {i:03}") for i in range(105))
    r = gql(NOTES_UNBOUNDED, user=reader)
    assert "errors" not in r.body, r.body
    notes = r.data["notes"]
    assert len(notes["edges"]) == 100
    assert notes["totalCount"] == 105
    assert notes["pageInfo"] == {"hasNextPage": True}
    assert [e["node"]["title"] for e in notes["edges"]] == [f"note {i:03}" for i in range(100)]


# 3. Query counts -----------------------------------------------------------------------------
# `parent { title }` is fetched by the list's own select_related and checked for tenant in memory.


def test_page_size_does_not_change_query_count(gql, reader, tenant, django_assert_max_num_queries):
    roots = Note.objects.bulk_create(Note(tenant=tenant, title=f"root {i}") for i in range(100))
    Note.objects.bulk_create(
        Note(tenant=tenant, title=f"child {i}", parent=root) for i, root in enumerate(roots)
    )
    gql(NOTES_PAGE, {"first": 10}, user=reader)  # warm the module configuration cache
    with CaptureQueriesContext(connection) as small:
        r = gql(NOTES_PAGE, {"first": 10}, user=reader)
    assert "errors" not in r.body, r.body
    assert len(r.data["notes"]["edges"]) == 10
    with django_assert_max_num_queries(len(small)):
        r = gql(NOTES_PAGE, {"first": 100}, user=reader)
    assert "errors" not in r.body, r.body
    assert len(r.data["notes"]["edges"]) == 100
    assert {e["node"]["parent"]["title"] for e in r.data["notes"]["edges"]
            if e["node"]["title"].startswith("child")} <= {f"root {i}" for i in range(100)}


# 4. Aliases ----------------------------------------------------------------------------------


def test_thirty_aliases_pass(gql, reader, tenant):
    Note.objects.create(tenant=tenant, title="one")
    r = gql(ALIASES_30, user=reader)
    assert r.status_code == 200
    assert "errors" not in r.body, r.body
    assert r.data == {f"a{i}": {"totalCount": 1} for i in range(1, 31)}


def test_thirty_one_aliases_refused(gql, reader):
    r = gql(ALIASES_31, user=reader)
    assert r.status_code == 400
    assert "data" not in r.body
    assert r.error_messages == ["The document uses more than 30 aliases."]


# 5. Batches ----------------------------------------------------------------------------------


def test_batched_request_refused(client):
    body = json.dumps([{"query": MODULE_CONFIGURATIONS}])
    response = client.post("/api/graphql", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "The received data is not a valid JSON query."}]
    }


# 6. Document size ----------------------------------------------------------------------------


def _padded(size: int) -> str:
    """MODULE_CONFIGURATIONS padded with a comment to exactly `size` bytes."""
    head = MODULE_CONFIGURATIONS + "\n# "
    return head + "x" * (size - len(head))


def test_oversized_document_refused(gql, settings):
    settings.GRAPHQL_MAX_QUERY_BYTES = 200
    r = gql(_padded(201))
    assert r.status_code == 413
    assert r.body == {"errors": [{"message": "The query document exceeds 200 bytes."}]}


def test_document_at_the_size_limit_passes(gql, settings):
    settings.GRAPHQL_MAX_QUERY_BYTES = 200
    document = _padded(200)
    assert len(document.encode()) == 200
    r = gql(document)
    assert r.status_code == 200
    assert r.body == {"data": {"moduleConfigurations": []}}


def test_document_size_counts_bytes_not_characters(gql, settings):
    settings.GRAPHQL_MAX_QUERY_BYTES = 200
    head = MODULE_CONFIGURATIONS + "\n# "
    document = head + "é" * ((200 - len(head)) // 2 + 1)  # under 200 characters, over 200 bytes
    assert len(document) < 200 < len(document.encode())
    r = gql(document)
    assert r.status_code == 413
    assert r.error_messages == ["The query document exceeds 200 bytes."]


# 7. Introspection ----------------------------------------------------------------------------


@pytest.fixture
def exposed_configuration(db):
    return ModuleConfiguration.objects.create(
        module="hardening", layer=ModuleConfiguration.Layer.FRONTEND, is_exposed=True
    )


@pytest.mark.parametrize(
    "document", [SCHEMA_INTROSPECTION, TYPE_INTROSPECTION], ids=["schema", "type"]
)
def test_introspection_refused_without_debug(gql, reader, document):
    r = gql(document, user=reader)
    assert r.status_code == 400
    assert "data" not in r.body
    assert r.error_messages == ["GraphQL introspection is not allowed on this server."]


def test_typename_allowed_without_debug(gql, exposed_configuration):
    r = gql(TYPENAME_ONLY)
    assert r.status_code == 200
    assert r.body == {
        "data": {
            "__typename": "Query",
            "moduleConfigurations": [
                {"__typename": "ModuleConfigurationGQLType", "module": "hardening"}
            ],
        }
    }


def test_introspection_allowed_with_debug(gql, settings):
    settings.DEBUG = True
    r = gql(SCHEMA_INTROSPECTION)
    assert r.status_code == 200
    assert "errors" not in r.body, r.body
    names = {t["name"] for t in r.data["__schema"]["types"]}
    assert {"Query", "Mutation", "NoteGQLType"} <= names
    r = gql(TYPE_INTROSPECTION)
    assert r.body == {"data": {"__type": {"name": "Query"}}}


# 8. Error masking ----------------------------------------------------------------------------


@pytest.fixture
def broken_configurations(monkeypatch):
    """core.schema's resolver of moduleConfigurations fails deep inside; records that it ran."""
    calls = []

    def explode(*args, **kwargs):
        calls.append(kwargs)
        raise RuntimeError("secret internals")

    fake = SimpleNamespace(
        Layer=ModuleConfiguration.Layer, objects=SimpleNamespace(filter=explode)
    )
    monkeypatch.setattr("core.schema.ModuleConfiguration", fake)
    return calls


def test_unexpected_error_is_masked(gql, broken_configurations):
    r = gql(MODULE_CONFIGURATIONS)
    assert broken_configurations, "the patched resolver path did not run"
    assert r.status_code == 200
    assert r.data == {"moduleConfigurations": None}
    assert r.errors == [
        {
            "message": "Internal server error.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["moduleConfigurations"],
        }
    ]
    raw = r.response.content.decode()
    assert "secret internals" not in raw
    assert "RuntimeError" not in raw
    assert "Traceback" not in raw
    assert ".py" not in raw


def test_unexpected_error_shown_with_debug(gql, settings, broken_configurations):
    """The mask is what hides the message: with DEBUG on, developers see it."""
    settings.DEBUG = True
    r = gql(MODULE_CONFIGURATIONS)
    assert r.error_messages == ["secret internals"]
    assert "Traceback" not in r.response.content.decode()


def test_unexpected_error_in_module_resolver_is_masked(gql, reader, monkeypatch, tenant):
    note = Note.objects.create(tenant=tenant, title="hidden")

    def explode(user, queryset):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("tests.sampleapp.schema.scope_queryset", explode)
    r = gql(NOTE_BY_UUID, {"uuid": str(note.uuid)}, user=reader)
    assert r.data == {"note": None}
    assert r.error_messages == ["Internal server error."]
    assert "secret internals" not in r.response.content.decode()


# 9. orderBy ----------------------------------------------------------------------------------


@pytest.fixture
def lettered(tenant):
    Note.objects.bulk_create(Note(tenant=tenant, title=t) for t in ("b", "a", "c"))


def test_order_by_single_string_descending(gql, reader, lettered):
    r = gql(NOTES_ORDERED_DESC_LITERAL, user=reader)
    assert "errors" not in r.body, r.body
    assert _titles(r) == ["c", "b", "a"]


def test_order_by_list(gql, reader, lettered):
    r = gql(NOTES_ORDERED_LIST_LITERAL, user=reader)
    assert "errors" not in r.body, r.body
    assert _titles(r) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [("-title", ["c", "b", "a"]), (["title"], ["a", "b", "c"]), (["-title"], ["c", "b", "a"])],
)
def test_order_by_variable(gql, reader, lettered, order_by, expected):
    r = gql(NOTES_ORDERED, {"orderBy": order_by}, user=reader)
    assert "errors" not in r.body, r.body
    assert _titles(r) == expected


def test_order_by_random_returns_every_row(gql, reader, lettered):
    r = gql(NOTES_ORDERED_RANDOM_LITERAL, user=reader)
    assert "errors" not in r.body, r.body
    assert r.data["notes"]["totalCount"] == 3
    assert sorted(_titles(r)) == ["a", "b", "c"]


def test_order_by_hidden_column_refused(gql, reader, lettered):
    r = gql(NOTES_ORDERED_HIDDEN_LITERAL, user=reader)
    assert r.data == {"notes": None}
    assert len(r.error_messages) == 1
    assert r.error_messages[0].startswith("Cannot order by")
    assert r.error_messages == ["Cannot order by 'tenant__code'; allowed: title"]


# 10. Policy ----------------------------------------------------------------------------------


def test_anonymous_notes_needs_authentication(gql, lettered):
    r = gql(NOTES_FIRST_5)
    assert r.data == {"notes": None}
    assert r.error_messages == ["Authentication required"]
    assert r.errors[0]["extensions"] == {"code": "UNAUTHENTICATED"}


def test_notes_without_right_unauthorized(gql, make_user, lettered):
    r = gql(NOTES_FIRST_5, user=make_user([]))
    assert r.data == {"notes": None}
    assert r.error_messages == ["Unauthorized"]
    assert r.errors[0]["extensions"] == {"code": "FORBIDDEN"}


def test_create_note_without_right_unauthorized(gql, make_user):
    r = gql(CREATE_NOTE, user=make_user([READ_NOTES]))
    assert r.data == {"createNote": None}
    assert r.error_messages == ["Unauthorized"]
    assert not Note.objects.exists()
    assert not MutationLog.objects.exists()


def test_create_note_with_right_writes(gql, make_user):
    """The same document goes through with 900002: the refusal above is the policy's."""
    r = gql(CREATE_NOTE, user=make_user([READ_NOTES, CREATE_NOTES]))
    assert "errors" not in r.body, r.body
    assert r.data["createNote"]["status"] == 2
    assert list(Note.objects.values_list("title", flat=True)) == ["Sneaky"]


@pytest.mark.parametrize("argument", ["first: -1", "last: -1", "offset: -3"])
def test_negative_paging_arguments_are_a_clear_error(gql, reader, argument):
    r = gql(f"{{ notes({argument}) {{ totalCount }} }}", user=reader)

    assert r.data == {"notes": None}
    name = argument.split(":")[0]
    assert r.error_messages == [f"`{name}` must not be negative."]


def test_field_suggestions_are_hidden_without_debug(gql, reader, settings):
    hidden = gql("{ note { titel } }", user=reader)
    settings.DEBUG = True
    shown = gql("{ note { titel } }", user=reader)

    assert hidden.error_messages == ["Cannot query field 'titel' on type 'NoteGQLType'."]
    assert shown.error_messages == [
        "Cannot query field 'titel' on type 'NoteGQLType'. Did you mean 'title'?"
    ]


def test_graphiql_is_served_only_with_debug(client, settings):
    production = client.get("/api/graphql", HTTP_ACCEPT="text/html")
    settings.DEBUG = True
    development = client.get("/api/graphql", HTTP_ACCEPT="text/html")

    assert production.status_code == 400
    assert production["Content-Type"] == "application/json"
    assert development.status_code == 200
    assert b"GraphiQL" in development.content
