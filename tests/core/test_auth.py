"""Logging in and staying logged in: JWT cookie and header, refresh, logout, lockout, CSRF."""

from __future__ import annotations

from calendar import timegm
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from graphql_jwt.shortcuts import get_token, get_user_by_token
from graphql_jwt.utils import jwt_encode, jwt_payload

from core.models import MutationLog, RefreshToken
from core.registers.models import HealthFacility
from core.tokens import hash_refresh_token
from tests.conftest import post_graphql
from tests.sampleapp.models import Note

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-1"
CURRENT_USER_URL = "/api/core/users/current_user/"
EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"

TOKEN_AUTH = """
mutation Login($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token refreshToken refreshExpiresIn }
}
"""
REFRESH_TOKEN = "mutation { refreshToken { token refreshToken refreshExpiresIn } }"
REFRESH_WITH_ARGUMENT = """
mutation Refresh($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) { token refreshToken }
}
"""
REVOKE_TOKEN = """
mutation Revoke($refreshToken: String!) { revokeToken(refreshToken: $refreshToken) { revoked } }
"""
DELETE_TOKEN_COOKIE = "mutation { deleteTokenCookie { deleted } }"
DELETE_REFRESH_TOKEN_COOKIE = "mutation { deleteRefreshTokenCookie { deleted } }"
GET_CSRF_TOKEN = "mutation { getCsrfToken { csrfToken } }"
NOTES = "{ notes(first: 5) { totalCount } }"
MODULE_CONFIGURATIONS = "{ moduleConfigurations { module } }"
CREATE_NOTE = """
mutation { createNote(input: {clientMutationId: "c1", title: "x"}) { clientMutationId internalId } }
"""

AUTHENTICATION_REQUIRED = {
    "message": "Authentication required",
    "locations": [{"line": 1, "column": 3}],
    "path": ["notes"],
    "extensions": {"code": "UNAUTHENTICATED"},
}


def login(client: Client, username: str, password: str = PASSWORD):
    return post_graphql(client, TOKEN_AUTH, {"username": username, "password": password})


def expired_token(user) -> str:
    payload = jwt_payload(user)
    payload["exp"] = timegm((datetime.now(UTC) - timedelta(minutes=5)).utctimetuple())
    return jwt_encode(payload)


def assert_anonymous_on_notes(client: Client, **headers) -> None:
    r = post_graphql(client, NOTES, headers=headers)
    assert r.body == {"data": {"notes": None}, "errors": [AUTHENTICATION_REQUIRED]}


def assert_deleted_cookie(response, name: str) -> None:
    morsel = response.cookies[name]
    assert morsel.value == ""
    assert morsel["max-age"] == 0
    assert morsel["expires"] == EPOCH


# --- Cookie login -------------------------------------------------------------------------------


def test_login_sets_http_only_lax_secure_cookies(make_user):
    user = make_user([900001], username="alice")
    client = Client()

    r = login(client, "alice")

    assert r.status_code == 200
    assert r.errors == []
    token = r.data["tokenAuth"]["token"]
    assert get_user_by_token(token) == user
    access = r.response.cookies["JWT"]
    assert access.value == token
    assert access["httponly"] is True
    assert access["samesite"] == "Lax"
    assert access["secure"] is True
    assert access["path"] == "/"
    refresh = r.response.cookies["JWT-refresh-token"]
    assert refresh.value == r.data["tokenAuth"]["refreshToken"]
    assert refresh["httponly"] is True
    assert refresh["samesite"] == "Lax"
    assert refresh["secure"] is True
    assert RefreshToken.objects.get(token_hash=hash_refresh_token(refresh.value)).user == user


def test_login_refresh_expires_in_is_the_refresh_lifetime(make_user):
    make_user(username="alice")
    before = int(datetime.now(UTC).timestamp())

    r = login(Client(), "alice")

    lifetime = int(settings.GRAPHQL_JWT["JWT_REFRESH_EXPIRATION_DELTA"].total_seconds())
    assert lifetime == 7 * 24 * 3600
    expires_in = r.data["tokenAuth"]["refreshExpiresIn"]
    assert before + lifetime <= expires_in <= int(datetime.now(UTC).timestamp()) + lifetime


def test_cookie_alone_authenticates_graphql_and_current_user(make_user, tenant):
    facility = HealthFacility.objects.create(tenant=tenant, code="HF1", name="Clinic")
    user = make_user([900002, 900001, 101001], username="alice")
    user.health_facility = facility
    user.save()
    Note.objects.create(tenant=tenant, title="first")
    client = Client()
    login(client, "alice")

    r = post_graphql(client, NOTES)
    assert r.body == {"data": {"notes": {"totalCount": 1}}}

    response = client.get(CURRENT_USER_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["id"] == user.pk
    assert body["username"] == "alice"
    assert body["tenant"] == {"id": tenant.pk, "uuid": str(tenant.uuid), "code": "T1"}
    assert body["i_user"] == {
        "id": user.pk,
        "uuid": str(user.uuid),
        "last_name": "",
        "other_names": "",
        "language": "en",
        "health_facility_id": facility.pk,
        "rights": [101001, 900001, 900002],
    }


def test_wrong_password_sets_no_cookie(make_user):
    make_user(username="alice")

    r = login(Client(), "alice", "wrong")

    assert r.status_code == 401
    assert r.data == {"tokenAuth": None}
    assert r.error_messages == ["Please enter valid credentials"]
    assert "JWT" not in r.response.cookies
    assert "JWT-refresh-token" not in r.response.cookies


# --- Header mode --------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["JWT", "Bearer", "bearer"])
def test_authorization_header_schemes(client, make_user, scheme):
    user = make_user([900001], username="alice")
    header = {"HTTP_AUTHORIZATION": f"{scheme} {get_token(user)}"}

    r = post_graphql(client, NOTES, headers=header)
    assert r.body == {"data": {"notes": {"totalCount": 0}}}

    response = client.get(CURRENT_USER_URL, **header)
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    assert response.json()["i_user"]["rights"] == [900001]
    assert response.json()["i_user"]["health_facility_id"] is None


def test_header_token_needs_the_right_for_notes(gql, make_user):
    user = make_user([900002])

    r = gql(NOTES, user=user)

    assert r.data == {"notes": None}
    assert r.errors == [
        {**AUTHENTICATION_REQUIRED, "message": "Unauthorized", "extensions": {"code": "FORBIDDEN"}}
    ]


# --- Missing, expired and refused tokens --------------------------------------------------------


def test_current_user_without_token_is_401(client):
    response = client.get(CURRENT_USER_URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_current_user_answers_get_only(client, make_user):
    user = make_user()

    response = client.post(CURRENT_USER_URL, HTTP_AUTHORIZATION=f"JWT {get_token(user)}")

    assert response.status_code == 405


def test_expired_header_token_is_401_on_current_user(client, make_user):
    user = make_user([900001])

    response = client.get(CURRENT_USER_URL, HTTP_AUTHORIZATION=f"JWT {expired_token(user)}")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_expired_token_is_anonymous_on_graphql(client, make_user):
    user = make_user([900001])
    header = {"HTTP_AUTHORIZATION": f"JWT {expired_token(user)}"}

    assert_anonymous_on_notes(client, **header)
    r = post_graphql(client, MODULE_CONFIGURATIONS, headers=header)
    assert r.body == {"data": {"moduleConfigurations": []}}


def test_expired_cookie_is_anonymous(make_user):
    user = make_user([900001])
    client = Client()
    client.cookies["JWT"] = expired_token(user)

    assert client.get(CURRENT_USER_URL).status_code == 401
    assert_anonymous_on_notes(client)


def test_token_with_bad_signature_is_anonymous(client, make_user):
    user = make_user([900001])
    tampered = jwt.encode(jwt_payload(user), "another-key-" * 4, "HS256")

    response = client.get(CURRENT_USER_URL, HTTP_AUTHORIZATION=f"JWT {tampered}")

    assert response.status_code == 401
    assert_anonymous_on_notes(client, HTTP_AUTHORIZATION=f"JWT {tampered}")


def test_disabled_users_token_is_refused(client, make_user):
    user = make_user([900001], username="alice")
    token = get_token(user)
    user.is_active = False
    user.save()
    header = {"HTTP_AUTHORIZATION": f"JWT {token}"}

    assert client.get(CURRENT_USER_URL, **header).status_code == 401
    assert_anonymous_on_notes(client, **header)


def test_disabled_users_cookie_is_refused(make_user):
    user = make_user([900001], username="alice")
    client = Client()
    login(client, "alice")
    user.is_active = False
    user.save()

    assert client.get(CURRENT_USER_URL).status_code == 401
    assert_anonymous_on_notes(client)


def test_disabled_user_cannot_log_in(make_user):
    user = make_user(username="alice")
    user.is_active = False
    user.save()

    r = login(Client(), "alice")

    assert r.status_code == 401
    assert r.error_messages == ["Please enter valid credentials"]


# --- Refresh, revoke, logout ---------------------------------------------------------------------


def test_refresh_from_cookie_rotates_both_cookies(make_user):
    user = make_user([900001], username="alice")
    client = Client()
    old_refresh = login(client, "alice").data["tokenAuth"]["refreshToken"]

    r = post_graphql(client, REFRESH_TOKEN)

    assert r.status_code == 200
    assert r.errors == []
    result = r.data["refreshToken"]
    assert get_user_by_token(result["token"]) == user
    assert result["refreshToken"] != old_refresh
    assert r.response.cookies["JWT"].value == result["token"]
    assert r.response.cookies["JWT-refresh-token"].value == result["refreshToken"]
    assert r.response.cookies["JWT-refresh-token"]["httponly"] is True
    assert client.cookies["JWT-refresh-token"].value == result["refreshToken"]
    # The rotated cookies keep the client logged in.
    assert post_graphql(client, NOTES).body == {"data": {"notes": {"totalCount": 0}}}


def test_a_refresh_token_is_good_for_one_refresh(make_user):
    make_user(username="alice")
    client = Client()
    old_refresh = login(client, "alice").data["tokenAuth"]["refreshToken"]
    assert post_graphql(client, REFRESH_TOKEN).status_code == 200

    replay = post_graphql(Client(), REFRESH_WITH_ARGUMENT, {"refreshToken": old_refresh})

    assert replay.status_code == 401
    assert replay.error_messages == ["Invalid refresh token"]


def test_lockout_answers_401_like_a_wrong_password(make_user, client, settings):
    settings.LOGIN_MAX_FAILURES = 1
    make_user(username="carol")
    assert login(client, "carol", "wrong").status_code == 401

    locked = login(client, "carol")

    assert locked.status_code == 401
    assert locked.errors[0]["extensions"] == {"code": "LOGIN_LOCKED"}


def test_refresh_without_cookie_is_401(client):
    r = post_graphql(client, REFRESH_TOKEN)

    assert r.status_code == 401
    assert r.data == {"refreshToken": None}
    assert r.error_messages == ["Refresh token is required"]
    assert "JWT" not in r.response.cookies


def test_refresh_with_unknown_token_is_401(client):
    r = post_graphql(client, REFRESH_WITH_ARGUMENT, {"refreshToken": "not-a-token"})

    assert r.status_code == 401
    assert r.data == {"refreshToken": None}
    assert r.error_messages == ["Invalid refresh token"]


def test_revoked_refresh_token_is_refused(make_user):
    make_user(username="alice")
    client = Client()
    refresh = login(client, "alice").data["tokenAuth"]["refreshToken"]

    r = post_graphql(client, REVOKE_TOKEN, {"refreshToken": refresh})
    assert r.status_code == 200
    assert r.errors == []
    revoked = RefreshToken.objects.get(token_hash=hash_refresh_token(refresh)).revoked
    assert r.data == {"revokeToken": {"revoked": timegm(revoked.timetuple())}}

    by_argument = post_graphql(Client(), REFRESH_WITH_ARGUMENT, {"refreshToken": refresh})
    assert by_argument.status_code == 401
    assert by_argument.data == {"refreshToken": None}
    assert by_argument.error_messages == ["Invalid refresh token"]

    by_cookie = post_graphql(client, REFRESH_TOKEN)
    assert by_cookie.status_code == 401
    assert by_cookie.error_messages == ["Invalid refresh token"]


def test_delete_token_cookie_logs_out(make_user):
    make_user([900001], username="alice")
    client = Client()
    login(client, "alice")

    r = post_graphql(client, DELETE_TOKEN_COOKIE)

    assert r.body == {"data": {"deleteTokenCookie": {"deleted": True}}}
    assert_deleted_cookie(r.response, "JWT")
    assert "JWT-refresh-token" not in r.response.cookies
    assert client.get(CURRENT_USER_URL).status_code == 401


def test_delete_refresh_token_cookie(make_user):
    make_user(username="alice")
    client = Client()
    login(client, "alice")

    r = post_graphql(client, DELETE_REFRESH_TOKEN_COOKIE)

    assert r.body == {"data": {"deleteRefreshTokenCookie": {"deleted": True}}}
    assert_deleted_cookie(r.response, "JWT-refresh-token")
    refused = post_graphql(client, REFRESH_TOKEN)
    assert refused.status_code == 401


def test_delete_cookies_without_cookies_answer_false(client):
    assert post_graphql(client, DELETE_TOKEN_COOKIE).body == {
        "data": {"deleteTokenCookie": {"deleted": False}}
    }
    assert post_graphql(client, DELETE_REFRESH_TOKEN_COOKIE).body == {
        "data": {"deleteRefreshTokenCookie": {"deleted": False}}
    }


# --- Failed-login lockout -----------------------------------------------------------------------


LOCKED = "Too many failed login attempts; try again later."


def test_lockout_after_max_failures(make_user):
    assert settings.LOGIN_MAX_FAILURES == 5
    make_user(username="alice")
    make_user(username="bob")
    client = Client()

    for _ in range(5):
        failed = login(client, "alice", "wrong")
        assert failed.status_code == 401
        assert failed.error_messages == ["Please enter valid credentials"]

    locked = login(client, "alice")
    assert locked.data == {"tokenAuth": None}
    assert [(e["message"], e["extensions"]) for e in locked.errors] == [
        (LOCKED, {"code": "LOGIN_LOCKED"})
    ]
    assert "JWT" not in locked.response.cookies
    # The lock is per username, however the name is typed.
    assert login(client, " Alice ", "wrong").error_messages == [LOCKED]

    other = login(client, "bob")
    assert other.errors == []
    assert other.data["tokenAuth"]["token"]


def test_fewer_failures_than_the_limit_do_not_lock(make_user):
    make_user(username="alice")
    client = Client()
    for _ in range(4):
        login(client, "alice", "wrong")

    r = login(client, "alice")

    assert r.errors == []
    assert "JWT" in r.response.cookies


def test_successful_login_resets_the_failure_count(make_user):
    make_user(username="alice")
    client = Client()
    for _ in range(4):
        login(client, "alice", "wrong")
    assert login(client, "alice").errors == []
    for _ in range(4):
        login(client, "alice", "wrong")

    assert login(client, "alice").errors == []


def test_lockout_limit_follows_settings(settings, make_user):
    settings.LOGIN_MAX_FAILURES = 2
    make_user(username="alice")
    client = Client()
    login(client, "alice", "wrong")
    login(client, "alice", "wrong")

    assert login(client, "alice").error_messages == [LOCKED]


def test_lockout_ends_when_the_window_expires(make_user):
    make_user(username="alice")
    client = Client()
    for _ in range(5):
        login(client, "alice", "wrong")
    assert login(client, "alice").error_messages == [LOCKED]

    caches[settings.LOGIN_THROTTLE_CACHE].clear()  # what the end of the window does

    assert login(client, "alice").errors == []


# --- Junk headers -------------------------------------------------------------------------------


def test_junk_headers_are_anonymous_not_errors(client):
    r = post_graphql(
        client,
        MODULE_CONFIGURATIONS,
        headers={"HTTP_AUTHORIZATION": "JWT undefined", "HTTP_X_CSRFTOKEN": "null"},
    )

    assert r.status_code == 200
    assert r.body == {"data": {"moduleConfigurations": []}}


@pytest.mark.parametrize("header", ["JWT undefined", "Bearer null", "JWT", "undefined", ""])
def test_junk_authorization_falls_back_to_cookie(make_user, header):
    make_user([900001], username="alice")
    client = Client()
    login(client, "alice")

    r = post_graphql(
        client, NOTES, headers={"HTTP_AUTHORIZATION": header, "HTTP_X_CSRFTOKEN": "undefined"}
    )

    assert r.body == {"data": {"notes": {"totalCount": 0}}}
    response = client.get(CURRENT_USER_URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 200
    assert response.json()["username"] == "alice"


# --- CSRF ---------------------------------------------------------------------------------------


def test_login_needs_no_csrf_token(make_user):
    make_user(username="alice")
    client = Client(enforce_csrf_checks=True)

    r = login(client, "alice")

    assert r.status_code == 200
    assert r.errors == []
    assert "JWT" in r.response.cookies


def test_cookie_mutation_needs_csrf_token(make_user):
    user = make_user([900002], username="alice")
    client = Client(enforce_csrf_checks=True)
    login(client, "alice")

    refused = post_graphql(client, CREATE_NOTE)
    assert refused.data == {"createNote": None}
    assert refused.errors == [
        {
            "message": "CSRF token missing or incorrect",
            "locations": [{"line": 2, "column": 12}],
            "path": ["createNote"],
            "extensions": {"code": "FORBIDDEN"},
        }
    ]
    assert not Note.objects.exists()
    assert not MutationLog.objects.exists()

    junk = post_graphql(client, CREATE_NOTE, headers={"HTTP_X_CSRFTOKEN": "null"})
    assert junk.error_messages == ["CSRF token missing or incorrect"]
    wrong = post_graphql(client, CREATE_NOTE, headers={"HTTP_X_CSRFTOKEN": "x" * 64})
    assert wrong.error_messages == ["CSRF token missing or incorrect"]
    assert not Note.objects.exists()

    csrf = post_graphql(client, GET_CSRF_TOKEN)
    assert csrf.errors == []
    token = csrf.data["getCsrfToken"]["csrfToken"]
    assert len(token) == 64
    assert "csrftoken" in client.cookies

    accepted = post_graphql(client, CREATE_NOTE, headers={"HTTP_X_CSRFTOKEN": token})
    assert accepted.errors == []
    log = MutationLog.objects.get()
    assert accepted.data == {"createNote": {"clientMutationId": "c1", "internalId": str(log.id)}}
    assert log.user == user
    note = Note.objects.get()
    assert note.title == "x"
    assert note.tenant == user.tenant


def test_header_mutation_needs_no_csrf_token(make_user):
    user = make_user([900002])
    client = Client(enforce_csrf_checks=True)

    r = post_graphql(client, CREATE_NOTE, user=user)

    assert r.errors == []
    assert r.data == {
        "createNote": {"clientMutationId": "c1", "internalId": str(MutationLog.objects.get().id)}
    }
    assert Note.objects.get().title == "x"


def test_cookie_queries_need_no_csrf_token(make_user):
    make_user([900001], username="alice")
    client = Client(enforce_csrf_checks=True)
    login(client, "alice")

    r = post_graphql(client, NOTES)

    assert r.body == {"data": {"notes": {"totalCount": 0}}}


def test_graphql_get_cannot_run_mutations(make_user):
    make_user([900002], username="alice")
    client = Client(enforce_csrf_checks=True)
    login(client, "alice")

    response = client.get("/api/graphql", {"query": CREATE_NOTE})

    assert response.status_code == 405
    assert response.json()["errors"][0]["message"] == (
        "Can only perform a mutation operation from a POST request."
    )
    assert not Note.objects.exists()


@pytest.mark.parametrize("header", ["Basic YWxpY2U6cHc=", "Token abc", "JWT two parts"])
def test_non_jwt_authorization_header_does_not_skip_csrf(make_user, header):
    """Credentials a browser may add by itself (HTTP basic auth) do not make the cookie safe."""
    make_user([900002], username="alice")
    client = Client(enforce_csrf_checks=True)
    login(client, "alice")

    r = post_graphql(client, CREATE_NOTE, headers={"HTTP_AUTHORIZATION": header})

    assert r.error_messages == ["CSRF token missing or incorrect"]
    assert not Note.objects.exists()


# --- Login CSRF: cross-site posts ----------------------------------------------------------------

LOGIN_DOCUMENT = 'mutation { tokenAuth(username: "alice", password: "pass-word-1") { token } }'
CROSS_SITE_REFUSED = (
    "GraphQL requests must be sent as application/json; "
    "form and plain-text posts are refused (they can come from another site)."
)


@pytest.mark.parametrize("content_type", [
    "application/x-www-form-urlencoded", "multipart/form-data", "text/plain",
])
def test_cross_site_form_login_is_refused(make_user, content_type):
    """What a hostile page can post without the browser asking first (login CSRF)."""
    make_user(username="alice")
    client = Client()
    if content_type == "text/plain":
        response = client.post("/api/graphql", data=f'{{"query": "{LOGIN_DOCUMENT}"}}',
                               content_type=content_type)
    elif content_type == "multipart/form-data":
        response = client.post("/api/graphql", data={"query": LOGIN_DOCUMENT})
    else:
        response = client.post("/api/graphql", data=f"query={LOGIN_DOCUMENT}",
                               content_type=content_type)

    assert response.status_code == 415
    assert response.json() == {"errors": [{"message": CROSS_SITE_REFUSED}]}
    assert "JWT" not in response.cookies
    assert "JWT-refresh-token" not in response.cookies


def test_form_posted_mutation_is_refused_even_with_a_cookie(make_user):
    make_user([900002], username="alice")
    client = Client()
    login(client, "alice")

    response = client.post("/api/graphql", data={"query": CREATE_NOTE})

    assert response.status_code == 415
    assert not Note.objects.exists()


@pytest.mark.parametrize("headers", [
    {"HTTP_ORIGIN": "https://evil.example"},
    {"HTTP_ORIGIN": "null"},
    {"HTTP_SEC_FETCH_SITE": "cross-site"},
    {"HTTP_ORIGIN": "http://testserver.evil.example", "HTTP_SEC_FETCH_SITE": "cross-site"},
])
def test_json_post_from_another_origin_is_refused(make_user, headers):
    make_user(username="alice")

    r = post_graphql(Client(), TOKEN_AUTH, {"username": "alice", "password": PASSWORD},
                     headers=headers)

    assert r.status_code == 403
    assert r.body == {"errors": [{"message": "Cross-site request refused."}]}
    assert "JWT" not in r.response.cookies


@pytest.mark.parametrize("headers", [
    {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"},
    {"HTTP_SEC_FETCH_SITE": "same-origin"},
    {"HTTP_SEC_FETCH_SITE": "none"},
    {"HTTP_ORIGIN": "https://imis.example.org", "HTTP_SEC_FETCH_SITE": "cross-site"},
    {"HTTP_ORIGIN": "https://app.imis.example.org", "HTTP_SEC_FETCH_SITE": "same-site"},
])
def test_json_post_from_the_app_or_a_trusted_origin_logs_in(make_user, settings, headers):
    settings.CSRF_TRUSTED_ORIGINS = ["https://imis.example.org", "https://*.imis.example.org"]
    make_user(username="alice")

    r = post_graphql(Client(), TOKEN_AUTH, {"username": "alice", "password": PASSWORD},
                     headers=headers)

    assert r.status_code == 200
    assert r.errors == []
    assert "JWT" in r.response.cookies


# --- CSRF across refreshes ------------------------------------------------------------------------


def test_the_csrf_token_read_after_login_survives_refreshes(make_user):
    """The web app reads the CSRF token once, right after logging in, and refreshes its JWT
    every two minutes and on each page load: its saves must keep working after a refresh."""
    make_user([900002], username="alice")
    client = Client(enforce_csrf_checks=True)
    login(client, "alice")
    token = post_graphql(client, GET_CSRF_TOKEN).data["getCsrfToken"]["csrfToken"]
    secret = client.cookies["csrftoken"].value

    for _ in range(2):
        assert post_graphql(client, REFRESH_TOKEN).errors == []
    assert client.cookies["csrftoken"].value == secret
    saved = post_graphql(client, CREATE_NOTE, headers={"HTTP_X_CSRFTOKEN": token})

    assert saved.errors == []
    assert Note.objects.get().title == "x"


def test_login_still_rotates_the_csrf_secret(make_user):
    """A CSRF token obtained before logging in (one an attacker could have planted) is refused
    afterwards; the one read after login works."""
    make_user([900002], username="alice")
    client = Client(enforce_csrf_checks=True)
    before = post_graphql(client, GET_CSRF_TOKEN).data["getCsrfToken"]["csrfToken"]
    old_secret = client.cookies["csrftoken"].value

    r = login(client, "alice")

    assert r.response.cookies["csrftoken"].value != old_secret
    refused = post_graphql(client, CREATE_NOTE, headers={"HTTP_X_CSRFTOKEN": before})
    assert refused.error_messages == ["CSRF token missing or incorrect"]
    after = post_graphql(client, GET_CSRF_TOKEN).data["getCsrfToken"]["csrfToken"]
    assert post_graphql(client, CREATE_NOTE, headers={"HTTP_X_CSRFTOKEN": after}).errors == []
    assert Note.objects.count() == 1
