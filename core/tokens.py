"""The token lifecycle, plugged into django-graphql-jwt through its settings hooks.

- Refresh tokens are stored as a SHA-256 hash (`core.RefreshToken.token_hash`): the raw token
  goes only to the client (response and cookie), so reading the table yields nothing usable.
- Access tokens carry a password stamp (`pwdStamp`, an HMAC of the password hash, like Django's
  session auth hash): once the password changes, tokens issued before stop authenticating.
- A password change or a deactivation, by any path that saves the user, revokes all of that
  user's refresh tokens (`revoke_after_credential_change`, connected in `core.receivers`); a
  refresh token of an inactive user is refused even if a path skipped the save.
- Logging out revokes the refresh token the client presents.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from graphql_jwt import utils as jwt_utils
from graphql_jwt.exceptions import JSONWebTokenError

PASSWORD_STAMP_CLAIM = "pwdStamp"
_STAMP_SALT = "core.tokens.password-stamp"
# Set on a user instance between pre_save and post_save when its credentials changed.
_REVOKE_FLAG = "_revoke_refresh_tokens_after_save"


def hash_refresh_token(raw: str) -> str:
    """What is stored for a refresh token. The tokens are 160 random bits, so a plain hash
    cannot be reversed or guessed; no salt or stretching is needed."""
    return hashlib.sha256(raw.encode()).hexdigest()


def password_stamp(user) -> str:
    """Changes whenever the password changes; keyed with SECRET_KEY so the token reveals nothing
    about the hash."""
    return salted_hmac(_STAMP_SALT, user.password, algorithm="sha256").hexdigest()[:32]


def jwt_payload(user, context=None) -> dict[str, Any]:
    """JWT_PAYLOAD_HANDLER: the library's payload plus the password stamp."""
    payload = jwt_utils.jwt_payload(user, context)
    payload[PASSWORD_STAMP_CLAIM] = password_stamp(user)
    return payload


def user_by_natural_key(username: str):
    """JWT_GET_USER_BY_NATURAL_KEY_HANDLER: the token's user, with their rights read in the same
    statement."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    try:
        return model.objects.with_rights().get(**{model.USERNAME_FIELD: username})
    except model.DoesNotExist:
        return None


def user_for_payload(payload: dict[str, Any]):
    """The active user a verified access-token payload names, or None when the token is no
    longer good for them (disabled user, password changed since it was issued)."""
    user = jwt_utils.get_user_by_payload(payload)  # raises for a disabled user
    if user is None:
        return None
    stamp = payload.get(PASSWORD_STAMP_CLAIM)
    if not isinstance(stamp, str) or not constant_time_compare(stamp, password_stamp(user)):
        return None
    return user


def get_refresh_token(refresh_token_model, token: str, context=None):
    """JWT_GET_REFRESH_TOKEN_HANDLER: a live token by its hash, of an active user only (an
    unknown, revoked or disabled user's token all answer "Invalid refresh token")."""
    return refresh_token_model.objects.select_related("user").get(
        token_hash=hash_refresh_token(token or ""), revoked__isnull=True, user__is_active=True
    )


def _refresh_token_model():
    from graphql_jwt.refresh_token.utils import get_refresh_token_model

    return get_refresh_token_model()


def revoke_refresh_token(raw: str | None) -> bool:
    """Revoke one refresh token by its raw value (logout); False when it was not live."""
    if not raw:
        return False
    return bool(
        _refresh_token_model().objects.filter(
            token_hash=hash_refresh_token(raw), revoked__isnull=True
        ).update(revoked=timezone.now())
    )


def revoke_user_refresh_tokens(user) -> int:
    """Revoke every live refresh token of a user; the number revoked."""
    return _refresh_token_model().objects.filter(user=user, revoked__isnull=True).update(
        revoked=timezone.now()
    )


def revoke_presented_refresh_token(request) -> bool:
    """Logout: the refresh cookie sent with this request can no longer mint tokens."""
    return revoke_refresh_token(request.COOKIES.get(settings.JWT_REFRESH_TOKEN_COOKIE_NAME))


def consume_rotated_refresh_token(request, refresh_token) -> None:
    """A refresh token is good for one refresh. Marked used with one conditional UPDATE, so of
    two requests racing with the same token only one gets new tokens; the loser is refused and
    the token already issued for it is revoked."""
    used = type(refresh_token).objects.filter(pk=refresh_token.pk, revoked__isnull=True).update(
        revoked=timezone.now()
    )
    if used:
        return
    issued = getattr(request, "jwt_refresh_token", None)
    if issued is not None and issued.pk != refresh_token.pk:
        revoke_refresh_token(issued.get_token())
    raise JSONWebTokenError(_("Invalid refresh token"))


def note_credential_change(user, update_fields=None) -> None:
    """pre_save of a user: remember whether this save changes the password or deactivates."""
    setattr(user, _REVOKE_FLAG, False)
    if user.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    stored = type(user)._default_manager.filter(pk=user.pk).values("password", "is_active").first()
    if stored is None:
        return
    changed_password = stored["password"] != user.password
    deactivated = stored["is_active"] and not user.is_active
    setattr(user, _REVOKE_FLAG, changed_password or deactivated)


def revoke_after_credential_change(user) -> None:
    """post_save of a user: revoke their refresh tokens when `note_credential_change` said so
    (in the same transaction as the save: a rolled-back change revokes nothing)."""
    if getattr(user, _REVOKE_FLAG, False):
        setattr(user, _REVOKE_FLAG, False)
        revoke_user_refresh_tokens(user)


def prune_refresh_tokens() -> int:
    """Delete the refresh tokens that can never be used again: revoked ones (logout, rotation,
    a password change) and those older than JWT_REFRESH_EXPIRATION_DELTA. The same rows as
    `manage.py cleartokens --expired` (the library's own rule, its `expired()` queryset), for
    the daily job (core.tasks); the table otherwise grows by a row per refresh. Returns how many
    were deleted."""
    model = _refresh_token_model()
    deleted, _by_model = model.objects.expired().filter(
        Q(revoked__isnull=False) | Q(expired=True)).delete()
    return deleted
