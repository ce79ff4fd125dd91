"""The token's user comes with their rights in the same statement (core.tokens
.user_by_natural_key): the same rights `User.rights` reads on its own, no query more."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Role, RoleRight, User
from core.tokens import user_by_natural_key


@pytest.mark.django_db
def test_rights_read_with_the_user_match_the_rights_read_alone(make_user, tenant):
    user = make_user(rights=[111001, 111002])
    retired = Role.objects.create(tenant=tenant, name="retired", validity_to=timezone.now())
    RoleRight.objects.create(role=retired, right_id=111008)
    second = Role.objects.create(tenant=tenant, name="second")
    RoleRight.objects.bulk_create([RoleRight(role=second, right_id=111002),
                                   RoleRight(role=second, right_id=121801)])
    user.roles.add(retired, second)

    loaded = user_by_natural_key(user.username)
    with CaptureQueriesContext(connection) as queries:
        rights = loaded.rights
    assert len(queries) == 0
    assert rights == User.objects.get(pk=user.pk).rights == frozenset({111001, 111002, 121801})


@pytest.mark.django_db
def test_a_user_without_roles_holds_no_right_and_an_unknown_name_is_nobody(make_user):
    user = make_user()
    assert user_by_natural_key(user.username).rights == frozenset()
    assert user_by_natural_key("nobody-here") is None


@pytest.mark.django_db
def test_an_authenticated_request_reads_user_and_rights_in_one_statement(client, make_user):
    from graphql_jwt.shortcuts import get_token

    user = make_user(rights=[111001])
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/graphql", {"query": "{ __typename }"},
                               content_type="application/json",
                               HTTP_AUTHORIZATION=f"JWT {get_token(user)}")
    assert response.status_code == 200
    assert [q["sql"] for q in queries.captured_queries if "core_roleright" in q["sql"]] \
        == [q["sql"] for q in queries.captured_queries if "core_user" in q["sql"]]
    assert len(queries) == 1
