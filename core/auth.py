"""Authentication: JWT from the header or cookie (django-graphql-jwt), junk headers, login throttle.

The web app sends `Authorization: JWT undefined` and `X-CSRFToken: null` before it has real
values; those are dropped here so they count as absent, never as an error. A token that fails to
verify (expired, revoked user, bad signature) leaves the request anonymous.
"""

from __future__ import annotations

import logging

import graphene
import graphql_jwt
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.middleware.csrf import get_token
from graphql_jwt.exceptions import JSONWebTokenError

logger = logging.getLogger(__name__)

JUNK_VALUES = frozenset({"", "undefined", "null", "none"})
AUTH_SCHEMES = ("jwt", "bearer")


class JunkHeaderMiddleware:
    """Drop placeholder headers and accept `Bearer` as well as `JWT` (the library knows one
    prefix), before CSRF and authentication look at the request."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        csrf = meta.get("HTTP_X_CSRFTOKEN")
        if csrf is not None and csrf.strip().lower() in JUNK_VALUES:
            del meta["HTTP_X_CSRFTOKEN"]
        header = meta.get("HTTP_AUTHORIZATION")
        if header is not None:
            parts = header.split()
            if len(parts) == 2 and parts[0].lower() in AUTH_SCHEMES:
                if parts[1].lower() in JUNK_VALUES:
                    del meta["HTTP_AUTHORIZATION"]
                else:
                    prefix = settings.GRAPHQL_JWT.get("JWT_AUTH_HEADER_PREFIX", "JWT")
                    meta["HTTP_AUTHORIZATION"] = f"{prefix} {parts[1]}"
            elif header.strip().lower() in JUNK_VALUES or (
                len(parts) == 1 and parts[0].lower() in AUTH_SCHEMES
            ):
                del meta["HTTP_AUTHORIZATION"]
        return self.get_response(request)


class JWTAuthenticationMiddleware:
    """Authenticate every request (GraphQL and REST alike) through django-graphql-jwt's backend.

    Sets `request.auth_via_cookie` when the credentials came from a cookie (JWT or session), which
    is when state-changing GraphQL requests must also carry a CSRF token.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request.auth_via_cookie = False
        if request.user.is_authenticated:
            request.auth_via_cookie = True  # a Django session (the admin site)
        else:
            # As graphql_jwt reads it: any other header leaves the token to the cookie.
            header = request.META.get("HTTP_AUTHORIZATION", "").split()
            prefix = settings.GRAPHQL_JWT.get("JWT_AUTH_HEADER_PREFIX", "JWT")
            from_header = len(header) == 2 and header[0].lower() == prefix.lower()
            from_cookie = settings.JWT_COOKIE_NAME in request.COOKIES
            if from_header or from_cookie:
                try:
                    user = authenticate(request=request)
                except JSONWebTokenError as exc:
                    logger.debug("JWT refused: %s", exc)
                    user = None
                if user is not None:
                    request.user = user
                    request.auth_via_cookie = not from_header
        return self.get_response(request)


class LoginThrottle:
    """Failed logins per username, in the shared cache: after `LOGIN_MAX_FAILURES` the username is
    locked until `LOGIN_LOCKOUT_SECONDS` after its first failure."""

    def __init__(self, username: str) -> None:
        self.key = f"openimis:login-failures:{(username or '').strip().lower()}"

    def locked(self) -> bool:
        return cache.get(self.key, 0) >= settings.LOGIN_MAX_FAILURES

    def failed(self) -> None:
        if cache.add(self.key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            return
        try:
            cache.incr(self.key)
        except ValueError:  # expired between add() and incr()
            cache.set(self.key, 1, settings.LOGIN_LOCKOUT_SECONDS)

    def succeeded(self) -> None:
        cache.delete(self.key)


class LoginLocked(JSONWebTokenError):
    """Answered like a wrong password (HTTP 401), with its own code."""

    extensions = {"code": "LOGIN_LOCKED"}


class ObtainToken(graphql_jwt.ObtainJSONWebToken):
    """django-graphql-jwt's login, refused for a while after repeated failures."""

    class Meta:
        name = "ObtainJSONWebToken"

    @classmethod
    def mutate(cls, root, info, **kwargs):
        throttle = LoginThrottle(kwargs.get("username", ""))
        if throttle.locked():
            raise LoginLocked("Too many failed login attempts; try again later.")
        try:
            result = super().mutate(root, info, **kwargs)
        except JSONWebTokenError:
            throttle.failed()
            raise
        throttle.succeeded()
        return result


class GetCsrfToken(graphene.Mutation):
    """The CSRF token the web app sends back as `X-CSRFToken` (its cookie is set too)."""

    csrf_token = graphene.String()

    @classmethod
    def mutate(cls, root, info):
        return cls(csrf_token=get_token(info.context))
