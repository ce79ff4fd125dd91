"""Authentication: JWT from the header or cookie (django-graphql-jwt), junk headers, the auth
mutations (login behind the throttle, logout that revokes, changePassword).

The web app sends `Authorization: JWT undefined` and `X-CSRFToken: null` before it has real
values; those are dropped here so they count as absent, never as an error. A token that fails to
verify (expired, revoked user, bad signature) leaves the request anonymous.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import graphene
import graphql_jwt
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import DisallowedHost
from django.middleware.csrf import get_token as get_csrf_token
from django.middleware.csrf import rotate_token as rotate_csrf_token
from django.utils.http import is_same_domain
from django.utils.translation import gettext as _
from graphql_jwt import backends as jwt_backends
from graphql_jwt.exceptions import JSONWebTokenError
from graphql_jwt.shortcuts import create_refresh_token, get_token
from graphql_jwt.utils import get_credentials, get_payload

from core.accounts import PasswordChangeRefused, change_password
from core.throttle import LoginThrottle, client_address
from core.tokens import revoke_presented_refresh_token, user_for_payload

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


# What a page of another site can POST without the browser asking the server first (no CORS
# preflight): such a request could log the victim's browser in (login CSRF) or run mutations.
CROSS_SITE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)


def _trusted_origin(request, origin: str) -> bool:
    """The request's own host, or one of CSRF_TRUSTED_ORIGINS (`https://*.example.org` allowed).
    The own host is compared without the scheme: TLS usually ends at the proxy."""
    parsed = urlsplit(origin)
    if not parsed.scheme or not parsed.netloc:
        return False  # "null": sandboxed frames, data: URLs
    try:
        own_host = request.get_host()
    except DisallowedHost:
        return False
    if parsed.netloc.lower() == own_host.lower():
        return True
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        allowed = urlsplit(trusted)
        if allowed.scheme != parsed.scheme:
            continue
        if allowed.netloc.startswith("*"):
            if is_same_domain(parsed.netloc, allowed.netloc[1:]):
                return True
        elif allowed.netloc.lower() == parsed.netloc.lower():
            return True
    return False


def is_cross_site(request) -> bool:
    """A request a browser sent for a page of another site: its Origin is neither this host nor a
    trusted origin, or, without Origin, its Sec-Fetch-Site says cross-site."""
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        return not _trusted_origin(request, origin)
    return request.META.get("HTTP_SEC_FETCH_SITE", "").lower() == "cross-site"


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


class JSONWebTokenBackend(jwt_backends.JSONWebTokenBackend):
    """django-graphql-jwt's backend, refusing tokens issued before the user's last password
    change (`core.tokens.user_for_payload`)."""

    def authenticate(self, request=None, **kwargs):
        if request is None or getattr(request, "_jwt_token_auth", False):
            return None
        token = get_credentials(request, **kwargs)
        if token is None:
            return None
        return user_for_payload(get_payload(token, request))


class LoginLocked(JSONWebTokenError):
    """Answered like a wrong password (HTTP 401), with its own code."""

    extensions = {"code": "LOGIN_LOCKED"}


LOGIN_LOCKED_MESSAGE = "Too many failed login attempts; try again later."


class ObtainToken(graphql_jwt.ObtainJSONWebToken):
    """Log in: sets the JWT and refresh-token cookies. Refused for a while after repeated
    failures from the same address (HTTP 401, code LOGIN_LOCKED).

    A successful login rotates the CSRF secret (a new `csrftoken` cookie), as Django's `login()`
    does, so a token obtained before login (one an attacker could have planted) is refused
    afterwards. Refreshes keep the secret: the user does not change, and the web app reads its
    CSRF token only once, after login (`JWT_CSRF_ROTATION` is off for that reason)."""

    class Meta:
        name = "ObtainJSONWebToken"

    @classmethod
    def mutate(cls, root, info, **kwargs):
        throttle = LoginThrottle(kwargs.get("username", ""), client_address(info.context))
        if not throttle.acquire():
            raise LoginLocked(LOGIN_LOCKED_MESSAGE)
        result = super().mutate(root, info, **kwargs)  # a wrong password keeps its place
        throttle.succeeded()
        rotate_csrf_token(info.context)
        return result


class Verify(graphql_jwt.Verify):
    """Check an access token; refused once its user changed password or was disabled."""

    @classmethod
    def mutate(cls, root, info, token=None, **kwargs):
        result = super().mutate(root, info, token=token, **kwargs)
        if user_for_payload(result.payload) is None:
            raise JSONWebTokenError(_("Invalid token"))
        return result


class DeleteJSONWebTokenCookie(graphql_jwt.DeleteJSONWebTokenCookie):
    """Log out: deletes the JWT cookie; the refresh cookie sent along stops working."""

    @classmethod
    def mutate(cls, root, info, **kwargs):
        revoke_presented_refresh_token(info.context)
        return super().mutate(root, info, **kwargs)


class DeleteRefreshTokenCookie(graphql_jwt.DeleteRefreshTokenCookie):
    """Log out: deletes the refresh cookie; the token it held stops working."""

    @classmethod
    def mutate(cls, root, info, **kwargs):
        revoke_presented_refresh_token(info.context)
        return super().mutate(root, info, **kwargs)


class ChangePasswordMutation(graphene.relay.ClientIDMutation):
    """Change your own password (openIMIS' changePassword, as the profile page sends it): the
    current password is required. Every earlier session ends; when called with the cookies, new
    cookies keep this one logged in."""

    class Input:
        username = graphene.String(description="Accepted as openIMIS sends it; must be the "
                                               "caller's own username.")
        old_password = graphene.String(description="Your current password (required here; "
                                                   "optional in openIMIS' input for admins).")
        new_password = graphene.String(required=True)

    success = graphene.Boolean()
    error = graphene.String()

    @classmethod
    def mutate_and_get_payload(cls, root, info, **data):
        request = info.context
        user = request.user
        try:
            change_password(
                user, data.get("old_password") or "", data["new_password"],
                username=data.get("username"), address=client_address(request),
            )
        except PasswordChangeRefused as exc:
            return cls(success=False, error=str(exc))
        if request.auth_via_cookie and getattr(request, "jwt_cookie", False):
            request.jwt_token = get_token(user, request)
            request.jwt_refresh_token = create_refresh_token(user)
        return cls(success=True, error=None)


class GetCsrfToken(graphene.Mutation):
    """The CSRF token the web app sends back as `X-CSRFToken` (its cookie is set too)."""

    csrf_token = graphene.String()

    @classmethod
    def mutate(cls, root, info):
        return cls(csrf_token=get_csrf_token(info.context))
