"""Errors as clients see them: GraphQL errors for access, `{message, detail, code}` lists for
business outcomes in the mutation log."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class AuthenticationRequired(GraphQLError):
    """No valid token: the caller is anonymous."""

    def __init__(self, message: str = "Authentication required") -> None:
        super().__init__(message, extensions={"code": "UNAUTHENTICATED"})


class Forbidden(GraphQLError):
    """Logged in, but without the right (or the tenant) for this operation."""

    def __init__(self, message: str = "Unauthorized") -> None:
        super().__init__(message, extensions={"code": "FORBIDDEN"})


class MutationError(Exception):
    """A business error that vetoes a mutation: nothing it did is kept.

    `errors` is the openIMIS error list: `[{"message", "detail", "code"}]`, or for bulk operations
    `[{"title": <code of the row>, "list": [...]}]`.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        detail: Any = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        if errors is None:
            errors = [error_entry(message or "Error", code=code, detail=detail)]
        self.errors = errors
        super().__init__(errors[0].get("message", "") if errors else message)


def error_entry(message: str, *, code: str | None = None, detail: Any = None) -> dict[str, Any]:
    return {"message": message, "detail": detail, "code": code}
