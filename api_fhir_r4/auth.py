"""Who is calling: the JWT of `POST login/` (or of the web app's login) as `Authorization:
Bearer|JWT <token>` in any case (the Android apps send `bearer`), or HTTP Basic (the OpenHIM
mediators), both behind the same login throttle as GraphQL's `tokenAuth`."""

from __future__ import annotations

import base64
import binascii
import json

from django.contrib.auth import authenticate
from django.http import HttpRequest
from graphql_jwt.shortcuts import get_token
from graphql_jwt.utils import get_payload

from api_fhir_r4.errors import FhirError
from core.auth import LOGIN_LOCKED_MESSAGE
from core.http import CONTROL_CHARACTERS
from core.throttle import LoginThrottle, client_address

MAX_CREDENTIAL_LENGTH = 256


def checked_login(request: HttpRequest, username: str, password: str):
    """The active user with that password, through the login throttle: FhirError 401 for
    wrong credentials, 429 while the throttle holds the address or username."""
    if not username or not password or len(username) > MAX_CREDENTIAL_LENGTH or \
            len(password) > MAX_CREDENTIAL_LENGTH or CONTROL_CHARACTERS.search(username):
        raise FhirError(401, "Invalid credentials")
    throttle = LoginThrottle(username, client_address(request))
    if not throttle.acquire():
        raise FhirError(429, LOGIN_LOCKED_MESSAGE)
    user = authenticate(request=None, username=username, password=password)
    if user is None or not user.is_active:
        raise FhirError(401, "Invalid credentials")
    throttle.succeeded()
    return user


def basic_user(request: HttpRequest):
    """The user of an `Authorization: Basic` header, or None when there is none."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise FhirError(401, "The Basic credentials cannot be read") from None
    username, colon, password = decoded.partition(":")
    if not colon:
        raise FhirError(401, "The Basic credentials cannot be read")
    return checked_login(request, username, password)


def login_answer(request: HttpRequest) -> dict:
    """`POST login/` with `{"username", "password"}`: `{"token", "exp"}`, the token a JWT
    (`typ: JWT`) the other endpoints take as `Bearer`, `exp` its expiry (seconds since 1970)."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise FhirError(400, "The body is not JSON") from None
    if not isinstance(body, dict):
        raise FhirError(400, "The body must be a JSON object with username and password")
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise FhirError(400, "username and password are required strings")
    user = checked_login(request, username, password)
    token = get_token(user)
    return {"token": token, "exp": get_payload(token)["exp"]}
