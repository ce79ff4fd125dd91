"""The openIMIS web app's documents, as its npm packages build them, against our schema.

tests/api/spa_contract/<package>/*.graphql are every document that fe-core 1.11, fe-claim 1.10,
fe-claim_batch 1.7, fe-insuree 1.11, fe-location 1.8 and fe-medical 1.9 build for the claim
screens (produced by running the packages' own code, see spa_contract/README.md), and
spa_contract/observed/ the documents the built app sent in scenario runs. Each must pass
graphql-core's validation with the rules the GraphQL view applies: a document that fails here is
an HTTP 400 and a "Fatal Error" dialog in the app.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from graphql import GraphQLError, parse, specified_rules, validate

from config.schema import schema
from core.gql.validation import alias_limit_rule, depth_limit_rule

CONTRACT = Path(__file__).parent / "spa_contract"
DOCUMENTS = sorted(CONTRACT.glob("*/*.graphql"))
PACKAGES = ("fe-core", "fe-claim", "fe-claim_batch", "fe-insuree", "fe-location", "fe-medical")


def _rules():
    return [*specified_rules, depth_limit_rule(settings.GRAPHQL_MAX_DEPTH),
            alias_limit_rule(settings.GRAPHQL_MAX_ALIASES)]


def contract_errors(path: Path) -> list[str]:
    """What the view would answer for this document, as `<file>: <message>` lines."""
    name = path.relative_to(CONTRACT)
    try:
        document = parse(path.read_text())
    except GraphQLError as error:
        return [f"{name}: {error.message}"]
    errors = validate(schema.graphql_schema, document, _rules())
    return [f"{name}: {error.message}" for error in errors]


def test_every_package_and_the_observed_documents_are_there():
    folders = {path.parent.name for path in DOCUMENTS}
    assert folders == {*PACKAGES, "observed"}
    for path in DOCUMENTS:
        assert path.read_text().startswith("# origin: "), path


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_document_is_valid_against_the_schema(path):
    assert contract_errors(path) == []
