"""Sessions end when they should: stored refresh tokens are useless to a reader of the database,
and logout, a password change or deactivation cut off the tokens already handed out."""

from __future__ import annotations

import hashlib
import importlib
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.utils import timezone
from graphql_jwt.refresh_token.utils import get_refresh_token_model
from graphql_jwt.shortcuts import get_token

from core.models import User
from tests.conftest import post_graphql

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-1"
NEW_PASSWORD = "another-pass-word-2"
CURRENT_USER_URL = "/api/core/users/current_user/"

LOGIN = """
mutation Login($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token refreshToken }
}
"""
REFRESH_FROM_COOKIE = "mutation { refreshToken { token refreshToken } }"
REFRESH_WITH_ARGUMENT = """
mutation Refresh($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) { token refreshToken }
}
"""
LOGOUT = "mutation { deleteTokenCookie { deleted } deleteRefreshTokenCookie { deleted } }"
DELETE_TOKEN_COOKIE = "mutation { deleteTokenCookie { deleted } }"
DELETE_REFRESH_TOKEN_COOKIE = "mutation { deleteRefreshTokenCookie { deleted } }"
VERIFY = "mutation Verify($token: String!) { verifyToken(token: $token) { payload } }"
GET_CSRF_TOKEN = "mutation { getCsrfToken { csrfToken } }"
# As fe-profile 1.8 sends it (useGraphqlMutation adds the clientMutationId).
CHANGE_PASSWORD = """
mutation changePassword ($input: ChangePasswordMutationInput!) {
  changePassword(input: $input) {
    clientMutationId
    success
    error
  }
}
"""


def logged_in(username: str = "alice") -> tuple[Client, dict]:
    client = Client()
    r = post_graphql(client, LOGIN, {"username": username, "password": PASSWORD})
    assert r.errors == []
    return client, r.data["tokenAuth"]


def refresh_with(token: str):
    return post_graphql(Client(), REFRESH_WITH_ARGUMENT, {"refreshToken": token})


def assert_refused(r) -> None:
    assert r.status_code == 401
    assert r.data == {"refreshToken": None}
    assert r.error_messages == ["Invalid refresh token"]


def change_password(client: Client, csrf: str, **fields):
    return post_graphql(
        client, CHANGE_PASSWORD, {"input": {"clientMutationId": "cp-1", **fields}},
        headers={"HTTP_X_CSRFTOKEN": csrf},
    )


# --- Stored refresh tokens ---------------------------------------------------------------------


def test_the_database_never_holds_the_refresh_token_handed_out(make_user):
    make_user(username="alice")
    client, tokens = logged_in()
    cookie = client.cookies["JWT-refresh-token"].value
    assert cookie == tokens["refreshToken"]

    rows = list(get_refresh_token_model().objects.values())

    assert len(rows) == 1
    assert cookie not in [str(value) for value in rows[0].values()]


def test_a_value_read_from_the_token_table_cannot_refresh(make_user):
    make_user(username="alice")
    logged_in()
    row = get_refresh_token_model().objects.values().get()

    for value in row.values():
        if isinstance(value, str) and value:
            assert_refused(refresh_with(value))


def test_hashed_tokens_still_refresh_rotate_and_revoke(make_user):
    make_user(username="alice")
    client, tokens = logged_in()

    rotated = post_graphql(client, REFRESH_FROM_COOKIE)
    assert rotated.errors == []
    new_refresh = rotated.data["refreshToken"]["refreshToken"]
    assert client.cookies["JWT-refresh-token"].value == new_refresh
    assert_refused(refresh_with(tokens["refreshToken"]))

    by_argument = refresh_with(new_refresh)
    assert by_argument.errors == []
    assert_refused(refresh_with(new_refresh))


# --- Logout -------------------------------------------------------------------------------------


def test_logout_revokes_the_refresh_token_presented(make_user):
    make_user(username="alice")
    client, tokens = logged_in()

    r = post_graphql(client, LOGOUT)

    assert r.data == {"deleteTokenCookie": {"deleted": True},
                      "deleteRefreshTokenCookie": {"deleted": True}}
    assert_refused(refresh_with(tokens["refreshToken"]))
    replay = Client()
    replay.cookies["JWT-refresh-token"] = tokens["refreshToken"]
    assert_refused(post_graphql(replay, REFRESH_FROM_COOKIE))


@pytest.mark.parametrize("logout", [DELETE_TOKEN_COOKIE, DELETE_REFRESH_TOKEN_COOKIE])
def test_either_logout_mutation_alone_revokes_the_refresh_cookie(make_user, logout):
    make_user(username="alice")
    client, tokens = logged_in()

    assert post_graphql(client, logout).errors == []

    assert_refused(refresh_with(tokens["refreshToken"]))


def test_logout_leaves_the_users_other_sessions_alone(make_user):
    make_user(username="alice")
    laptop, _ = logged_in()
    _phone, phone_tokens = logged_in()

    post_graphql(laptop, LOGOUT)

    assert refresh_with(phone_tokens["refreshToken"]).errors == []


# --- Password change ----------------------------------------------------------------------------


def test_password_change_cuts_off_access_and_refresh_tokens(make_user):
    user = make_user(username="alice")
    client, tokens = logged_in()
    header = {"HTTP_AUTHORIZATION": f"JWT {tokens['token']}"}
    assert client.get(CURRENT_USER_URL).status_code == 200

    user.set_password(NEW_PASSWORD)
    user.save()

    assert client.get(CURRENT_USER_URL).status_code == 401
    assert Client().get(CURRENT_USER_URL, **header).status_code == 401
    assert_refused(refresh_with(tokens["refreshToken"]))
    assert_refused(post_graphql(client, REFRESH_FROM_COOKIE))
    verify = post_graphql(Client(), VERIFY, {"token": tokens["token"]})
    assert verify.data == {"verifyToken": None}
    assert verify.error_messages == ["Invalid token"]
    # Logging in with the new password works as ever.
    r = post_graphql(Client(), LOGIN, {"username": "alice", "password": NEW_PASSWORD})
    assert r.errors == []


def test_password_change_on_the_admin_site_cuts_off_tokens(make_user):
    make_user(username="alice")
    _client, tokens = logged_in()
    admin = User.objects.create_superuser("root", password=PASSWORD)
    site = Client()
    site.force_login(admin)
    alice = User.objects.get(username="alice")

    response = site.post(f"/admin/core/user/{alice.pk}/password/", {
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true",
    })

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert_refused(refresh_with(tokens["refreshToken"]))
    assert Client().get(
        CURRENT_USER_URL, HTTP_AUTHORIZATION=f"JWT {tokens['token']}").status_code == 401


def test_saving_a_user_without_a_password_change_keeps_the_tokens(make_user):
    user = make_user(username="alice")
    client, tokens = logged_in()

    user.email = "alice@example.org"
    user.save()

    assert client.get(CURRENT_USER_URL).status_code == 200
    assert refresh_with(tokens["refreshToken"]).errors == []


# --- Deactivation -------------------------------------------------------------------------------


def test_deactivated_users_refresh_is_401(make_user):
    user = make_user(username="alice")
    client, tokens = logged_in()

    user.is_active = False
    user.save()

    assert_refused(post_graphql(client, REFRESH_FROM_COOKIE))
    assert_refused(refresh_with(tokens["refreshToken"]))
    assert not get_refresh_token_model().objects.filter(revoked__isnull=True).exists()


def test_deactivated_by_a_bulk_update_is_refused_too(make_user):
    """A path that skips model signals (a queryset update) is caught when the token is used."""
    make_user(username="alice")
    _client, tokens = logged_in()

    User.objects.filter(username="alice").update(is_active=False)

    assert_refused(refresh_with(tokens["refreshToken"]))


def test_reactivation_does_not_revive_old_refresh_tokens(make_user):
    user = make_user(username="alice")
    _client, tokens = logged_in()
    user.is_active = False
    user.save()
    user.is_active = True
    user.save()

    assert_refused(refresh_with(tokens["refreshToken"]))


# --- changePassword (fe-profile's "Change Password" page) ---------------------------------------


def csrf_for(client: Client) -> str:
    return post_graphql(client, GET_CSRF_TOKEN).data["getCsrfToken"]["csrfToken"]


def test_change_password_from_the_web_app(make_user):
    make_user(username="alice")
    client, tokens = logged_in()
    _other_client, other_tokens = logged_in()

    r = change_password(client, csrf_for(client), oldPassword=PASSWORD, newPassword=NEW_PASSWORD)

    assert r.status_code == 200
    assert r.body == {"data": {"changePassword": {
        "clientMutationId": "cp-1", "success": True, "error": None}}}
    assert User.objects.get(username="alice").check_password(NEW_PASSWORD)
    # Every session from before is cut off, the one that changed the password gets new cookies.
    assert_refused(refresh_with(tokens["refreshToken"]))
    assert_refused(refresh_with(other_tokens["refreshToken"]))
    assert Client().get(
        CURRENT_USER_URL, HTTP_AUTHORIZATION=f"JWT {tokens['token']}").status_code == 401
    assert client.cookies["JWT"].value != tokens["token"]
    assert client.get(CURRENT_USER_URL).status_code == 200
    assert post_graphql(client, REFRESH_FROM_COOKIE).errors == []


def test_change_password_with_a_wrong_old_password(make_user):
    make_user(username="alice")
    client, tokens = logged_in()

    r = change_password(client, csrf_for(client), oldPassword="wrong", newPassword=NEW_PASSWORD)

    assert r.body == {"data": {"changePassword": {
        "clientMutationId": "cp-1", "success": False,
        "error": "The current password is not correct."}}}
    assert User.objects.get(username="alice").check_password(PASSWORD)
    assert refresh_with(tokens["refreshToken"]).errors == []


@pytest.mark.parametrize(("new_password", "message"), [
    ("short", "This password is too short. It must contain at least 8 characters."),
    ("password", "This password is too common."),
    ("12345678901", "This password is entirely numeric."),
])
def test_change_password_applies_the_password_validators(make_user, new_password, message):
    make_user(username="alice")
    client, _tokens = logged_in()

    r = change_password(client, csrf_for(client), oldPassword=PASSWORD, newPassword=new_password)

    assert r.data["changePassword"]["success"] is False
    assert message in r.data["changePassword"]["error"]
    assert check_password(PASSWORD, User.objects.get(username="alice").password)


def test_guessing_the_current_password_is_throttled_like_a_login(make_user):
    """A stolen session cannot try passwords through changePassword faster than at the login."""
    make_user(username="alice")
    client, _tokens = logged_in()
    csrf = csrf_for(client)
    for _ in range(5):
        r = change_password(client, csrf, oldPassword="guess", newPassword=NEW_PASSWORD)
        assert r.data["changePassword"]["error"] == "The current password is not correct."

    r = change_password(client, csrf, oldPassword=PASSWORD, newPassword=NEW_PASSWORD)

    assert r.data["changePassword"] == {
        "clientMutationId": "cp-1", "success": False,
        "error": "Too many failed attempts; try again later."}
    assert User.objects.get(username="alice").check_password(PASSWORD)


def test_change_password_of_someone_else_is_refused(make_user):
    make_user(username="alice")
    make_user(username="bob")
    client, _tokens = logged_in()

    r = change_password(client, csrf_for(client), username="bob", oldPassword=PASSWORD,
                        newPassword=NEW_PASSWORD)

    assert r.data["changePassword"] == {
        "clientMutationId": "cp-1", "success": False,
        "error": "Only your own password can be changed here."}
    assert User.objects.get(username="bob").check_password(PASSWORD)


def test_change_password_needs_login_and_csrf(make_user):
    make_user(username="alice")
    anonymous = change_password(Client(), "x", oldPassword=PASSWORD, newPassword=NEW_PASSWORD)
    assert anonymous.error_messages == ["Authentication required"]

    client = Client(enforce_csrf_checks=True)
    post_graphql(client, LOGIN, {"username": "alice", "password": PASSWORD})
    forged = change_password(client, "null", oldPassword=PASSWORD, newPassword=NEW_PASSWORD)
    assert forged.error_messages == ["CSRF token missing or incorrect"]
    assert User.objects.get(username="alice").check_password(PASSWORD)


def test_change_password_by_header_token(make_user):
    user = make_user(username="alice")

    r = post_graphql(Client(), CHANGE_PASSWORD, {"input": {
        "clientMutationId": "cp-2", "oldPassword": PASSWORD, "newPassword": NEW_PASSWORD}},
        headers={"HTTP_AUTHORIZATION": f"JWT {get_token(user)}"})

    assert r.data["changePassword"]["success"] is True
    assert "JWT" not in r.response.cookies


# --- Upgrade: tokens of the library's table -----------------------------------------------------


def test_the_migration_hashes_live_legacy_tokens_and_empties_the_old_table(make_user):
    from django.apps import apps
    from graphql_jwt.refresh_token.models import RefreshToken as LegacyRefreshToken

    migration = importlib.import_module(
        "core.migrations.0005_refresh_tokens_hashed_login_throttle")
    user = make_user(username="alice")
    live = LegacyRefreshToken.objects.create(user=user)
    revoked = LegacyRefreshToken.objects.create(user=user, revoked=timezone.now())
    week_ago = timezone.now() - timedelta(days=6)
    LegacyRefreshToken.objects.filter(pk=live.pk).update(created=week_ago)

    migration.hash_legacy_refresh_tokens(apps, None)

    assert not LegacyRefreshToken.objects.exists()
    carried = get_refresh_token_model().objects.get()
    assert carried.user == user
    assert carried.created == week_ago
    assert carried.token_hash == hashlib.sha256(live.token.encode()).hexdigest()
    # The session survives the upgrade: the cookie it holds still refreshes, once.
    assert refresh_with(live.token).errors == []
    assert_refused(refresh_with(live.token))
    assert_refused(refresh_with(revoked.token))
