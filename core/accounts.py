"""Account actions a user takes on their own account."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from core.throttle import LoginThrottle


class PasswordChangeRefused(Exception):
    """Why a password was not changed, in words for the user."""


def change_password(
    user, old_password: str, new_password: str, *, username: str | None = None,
    address: str = "",
) -> None:
    """Set a user's own password after checking the current one and Django's password
    validators (AUTH_PASSWORD_VALIDATORS).

    Guesses of the current password count in the login throttle like failed logins: a stolen
    session must not become a way around it. Saving the new password revokes the user's refresh
    tokens and outdates their access tokens (`core.tokens`)."""
    if username and username != user.get_username():
        raise PasswordChangeRefused("Only your own password can be changed here.")
    throttle = LoginThrottle(user.get_username(), address)
    if not throttle.acquire():
        raise PasswordChangeRefused("Too many failed attempts; try again later.")
    if not user.check_password(old_password or ""):
        raise PasswordChangeRefused("The current password is not correct.")
    throttle.succeeded()
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise PasswordChangeRefused(" ".join(exc.messages)) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
