"""The GraphQL schema, assembled from the modules in `settings.OPENIMIS_MODULES`.

Each module may offer `<module>.schema.Query` and `<module>.schema.Mutation`; every root field
must carry a policy (see `core.gql.policy`), or start-up fails.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import import_module

import graphene
from django.core.exceptions import ImproperlyConfigured
from graphene.utils.str_converters import to_camel_case

from core.gql.optimizer import optimize_root_lists
from core.gql.policy import Policy, field_policy, guard_schema
from core.gql.scalars import harden_scalars
from core.modules import OpenIMISModule, loaded_modules, module_by_name


@dataclass(frozen=True)
class Assembly:
    schema: graphene.Schema
    policies: dict[tuple[str, str], Policy]


def _module_schema(module: OpenIMISModule):
    try:
        return import_module(f"{module.name}.schema")
    except ModuleNotFoundError as exc:
        if exc.name == f"{module.name}.schema":
            return None
        raise


def _policy_for(module: OpenIMISModule, root: str, name: str, field) -> Policy:
    policy = field_policy(field)
    if policy is None:
        raise ImproperlyConfigured(
            f"{module.name}: {root}.{name} has no policy (wrap it in requires()/public())"
        )
    if policy.rights_key is not None:
        if policy.module is None:
            policy = replace(policy, module=module.module_name)
        owner = module_by_name(policy.module)
        if policy.rights_key not in owner.DEFAULT_CFG:
            raise ImproperlyConfigured(
                f"{module.name}: {root}.{name} needs {policy.rights_key!r}, "
                f"which module {owner.module_name!r} does not configure"
            )
    return policy


def assemble(module_names: list[str] | None = None) -> Assembly:
    """Build the schema of the given modules (default: the configured ones)."""
    roots: dict[str, list[type]] = {"Query": [], "Mutation": []}
    policies: dict[tuple[str, str], Policy] = {}
    for module in loaded_modules(module_names):
        schema_module = _module_schema(module)
        if schema_module is None:
            continue
        for root in roots:
            root_class = getattr(schema_module, root, None)
            if root_class is None:
                continue
            for name, field in root_class._meta.fields.items():
                gql_name = getattr(field, "name", None) or to_camel_case(name)
                policies[(root, gql_name)] = _policy_for(module, root, name, field)
            roots[root].append(root_class)

    query = type("Query", (*reversed(roots["Query"]), graphene.ObjectType), {})
    mutation = (
        type("Mutation", (*reversed(roots["Mutation"]), graphene.ObjectType), {})
        if roots["Mutation"]
        else None
    )
    schema = graphene.Schema(query=query, mutation=mutation)
    harden_scalars(schema.graphql_schema)
    guard_schema(schema.graphql_schema, policies)
    optimize_root_lists(schema.graphql_schema)
    return Assembly(schema, policies)


assembly = assemble()
schema = assembly.schema
