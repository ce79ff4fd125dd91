"""Run in a subprocess by the module tests: what a server with the env's module list serves."""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from config.schema import schema  # noqa: E402

call_command("check", fail_level="ERROR", verbosity=0)
graphql = schema.graphql_schema
response = Client().post(
    "/api/graphql", data={"query": "{ __typename }"}, content_type="application/json"
)
print(json.dumps({
    "queries": sorted(graphql.query_type.fields),
    "mutations": sorted(graphql.mutation_type.fields) if graphql.mutation_type else [],
    "url_prefixes": sorted(str(p.pattern) for p in get_resolver().url_patterns),
    "typename": response.json(),
}))
