"""The one policy layer: every root query and mutation field declares who may call it.

Fields are marked where they are declared (`requires("gql_query_claims_perms", field)`,
`public(field)`; an `OpenIMISMutation` marks its own field). The schema assembly collects the
marks and refuses to start if a root field has none, and `guard_schema` puts them in front of
the root resolvers, reading the codes from module configuration at call time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import graphene
from django.middleware.csrf import CsrfViewMiddleware
from graphene.types.unmountedtype import UnmountedType
from graphql import GraphQLObjectType, GraphQLResolveInfo, OperationType, default_field_resolver

from core.gql.errors import AuthenticationRequired, Forbidden
from core.gql.inputs import check_arguments
from core.rights import rights_codes

POLICY_ATTR = "_openimis_policy"


@dataclass(frozen=True)
class Policy:
    """`module`/`rights_key` name the configured codes; `public` fields need no login;
    `csrf_exempt` mutations may run from a JWT cookie without a CSRF token (the auth ones);
    `input_rights(input)` names a further right that the mutation's input selects, as
    `(module, rights key)` or None (`renderReport`: each report's own right)."""

    module: str | None = None
    rights_key: str | None = None
    public: bool = False
    csrf_exempt: bool = False
    input_rights: Callable[[dict[str, Any]], tuple[str, str] | None] | None = None

    def codes(self, data: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        """The (module, rights key) pairs a call with input `data` needs."""
        needed = [(self.module, self.rights_key)] if self.rights_key else []
        if self.input_rights is not None:
            extra = self.input_rights(data or {})
            if extra is not None:
                needed.append(extra)
        return needed


def _mounted(field: Any) -> graphene.Field:
    if isinstance(field, UnmountedType):
        return field.mount_as(graphene.Field)
    return field


def requires(rights_key: str, field: Any, module: str | None = None) -> graphene.Field:
    """Guard a root field with a rights key of its module's configuration.

    The module defaults to the one whose schema declares the field (set at assembly)."""
    field = _mounted(field)
    setattr(field, POLICY_ATTR, Policy(module=module, rights_key=rights_key))
    return field


def authenticated(field: Any) -> graphene.Field:
    """Any logged-in user; rows are still limited by tenant scoping."""
    field = _mounted(field)
    setattr(field, POLICY_ATTR, Policy())
    return field


def public(field: Any, *, csrf_exempt: bool = True) -> graphene.Field:
    """Open to anonymous callers (auth mutations, front-end configuration)."""
    field = _mounted(field)
    setattr(field, POLICY_ATTR, Policy(public=True, csrf_exempt=csrf_exempt))
    return field


def field_policy(field: Any) -> Policy | None:
    return getattr(field, POLICY_ATTR, None)


def csrf_failure(request) -> bool:
    """True when a state-changing request fails Django's CSRF check (token and origin)."""
    middleware = CsrfViewMiddleware(lambda req: None)
    return middleware.process_view(request, lambda req: None, (), {}) is not None


def enforce(policy: Policy, info: GraphQLResolveInfo, args: dict[str, Any] | None = None) -> None:
    request = info.context
    if policy.public:
        return
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        raise AuthenticationRequired()
    if (
        info.operation.operation == OperationType.MUTATION
        and getattr(request, "auth_via_cookie", False)
        and not policy.csrf_exempt
        and csrf_failure(request)
    ):
        raise Forbidden("CSRF token missing or incorrect")
    if not holds_rights(policy, user, (args or {}).get("input")):
        raise Forbidden()


def holds_rights(policy: Policy, user, data: dict[str, Any] | None = None) -> bool:
    """Whether `user` holds the codes the policy names now (for a mutation with input `data`);
    other entry points (admin actions, commands, workers) ask this instead of checking rights
    their own way."""
    return all(user.has_rights(*rights_codes(module, key)) for module, key in policy.codes(data))


def guard_schema(graphql_schema, policies: dict[tuple[str, str], Policy]) -> None:
    """Put the policy and the input guard in front of the resolvers that need them, once, when
    the schema is assembled: every root field gets its policy (then the input guard, so a caller
    without the right learns nothing about its input), every other field with arguments the
    input guard. Fields without arguments below the root, nearly all of what a request
    resolves, run their resolver as it is (graphql-core middleware would wrap each of them)."""
    roots = {graphql_schema.query_type, graphql_schema.mutation_type} - {None}
    for graphql_type in graphql_schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or \
                graphql_type.name.startswith("__"):
            continue
        for name, field in graphql_type.fields.items():
            resolve = field.resolve or default_field_resolver
            if graphql_type in roots:
                policy = policies.get((graphql_type.name, name))
                field.resolve = _guarded_root(resolve, policy)
            elif field.args:
                field.resolve = _guarded_input(resolve)


def _guarded_root(resolve, policy: Policy | None):
    checked = _guarded_input(resolve)

    def guarded(root, info, **args):
        if policy is None:
            raise Forbidden()
        enforce(policy, info, args)
        return checked(root, info, **args)

    return guarded


def _guarded_input(resolve):
    def guarded(root, info, **args):
        if args:
            check_arguments(info, args)
        return resolve(root, info, **args)

    return guarded
