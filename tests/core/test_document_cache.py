"""The GraphQL endpoint parses and validates a document once per text (core.views.DocumentCache),
and answers exactly as before: validation errors, parse errors, GET mutations refused."""

import pytest

from core import views
from tests.conftest import post_graphql

pytestmark = pytest.mark.django_db

LANGUAGES = "{ languages { code } }"


@pytest.fixture
def counted(monkeypatch):
    """How many times documents were parsed and validated."""
    calls = {"parse": 0, "validate": 0}
    parse, validate = views.parse, views.validate

    def counting_parse(*args, **kwargs):
        calls["parse"] += 1
        return parse(*args, **kwargs)

    def counting_validate(*args, **kwargs):
        calls["validate"] += 1
        return validate(*args, **kwargs)

    monkeypatch.setattr(views, "parse", counting_parse)
    monkeypatch.setattr(views, "validate", counting_validate)
    views.DOCUMENTS.clear()
    yield calls
    views.DOCUMENTS.clear()


def test_a_document_sent_again_is_neither_parsed_nor_validated_again(client, make_user, counted):
    user = make_user()
    for _ in range(3):
        response = post_graphql(client, LANGUAGES, user=user)
        assert response.errors == []
        assert {"code": "en"} in response.data["languages"]

    assert counted == {"parse": 1, "validate": 1}


def test_its_validation_errors_are_answered_each_time(client, make_user, counted):
    user = make_user()
    answers = [post_graphql(client, "{ languages { nope } }", user=user) for _ in range(2)]

    assert [a.status_code for a in answers] == [400, 400]
    assert [a.errors[0]["message"] for a in answers] == [
        "Cannot query field 'nope' on type 'LanguageGQLType'."] * 2
    assert counted == {"parse": 1, "validate": 1}


def test_a_parse_error_is_answered_each_time(client, make_user, counted):
    user = make_user()
    answers = [post_graphql(client, "{ languages { code }", user=user) for _ in range(2)]

    assert [a.status_code for a in answers] == [400, 400]
    assert all("Syntax Error" in a.errors[0]["message"] for a in answers)
    assert counted["parse"] == 1


def test_other_limits_validate_the_text_again(client, make_user, counted, settings):
    user = make_user()
    post_graphql(client, LANGUAGES, user=user)
    settings.GRAPHQL_MAX_DEPTH = 1

    response = post_graphql(client, LANGUAGES, user=user)

    assert response.status_code == 400
    assert counted == {"parse": 2, "validate": 2}


def test_the_cache_keeps_at_most_its_setting(client, make_user, counted, settings):
    settings.GRAPHQL_DOCUMENT_CACHE = 2
    user = make_user()
    for alias in ("a", "b", "c"):
        post_graphql(client, f"{{ {alias}: languages {{ code }} }}", user=user)

    assert len(views.DOCUMENTS._entries) == 2


def test_a_mutation_sent_with_get_is_still_refused(client, make_user):
    response = client.get("/api/graphql", {"query": "mutation { deleteTokenCookie { deleted } }"},
                          HTTP_ACCEPT="application/json")

    assert response.status_code == 405
