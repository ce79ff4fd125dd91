"""Login state kept server-side: hashed refresh tokens and the login throttle's counters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from graphql_jwt.refresh_token.models import AbstractRefreshToken

from core.tokens import hash_refresh_token


class RefreshToken(AbstractRefreshToken):
    """django-graphql-jwt's refresh token (JWT_REFRESH_TOKEN_MODEL), stored as a SHA-256 hash.

    The raw token exists only on the instance that generated it (`token`, `get_token()`), long
    enough to be answered and set as the cookie; a row read back has no raw token at all.
    """

    tenant_path = "user__tenant"

    # Replaces the library's `token` column (which held the raw token).
    token = property(lambda self: getattr(self, "_cached_token", ""))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jwt_refresh_tokens"
    )

    class Meta:
        verbose_name = "refresh token"
        verbose_name_plural = "refresh tokens"

    def __str__(self) -> str:
        return f"{self.user_id} {self.created:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if not self.token_hash:
            self._cached_token = self.generate_token()
            self.token_hash = hash_refresh_token(self._cached_token)
        models.Model.save(self, *args, **kwargs)

    def reuse(self, request=None) -> None:
        """JWT_REUSE_REFRESH_TOKENS: the same row with a new token (the old one stops working)."""
        self.token_hash = ""
        self.created = timezone.now()
        self.save(update_fields=["token_hash", "created"])


class LoginThrottleEntry(models.Model):
    """The table of the `login_throttle` database cache (`core.throttle.DatabaseCounterCache`),
    used when no Redis is configured: Django's cache-table layout, created by a migration."""

    tenant_path = None  # deployment-wide

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "core_login_throttle"

    def __str__(self) -> str:
        return self.cache_key
