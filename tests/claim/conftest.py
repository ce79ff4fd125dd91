"""Fixtures most claim tests share: a claim scene of the tenant, and a user with every claim
right and no facility (sees all of the tenant's claims). A test module may define its own."""

import pytest

from tests.factories import ALL_CLAIM_RIGHTS, make_claim_scene


@pytest.fixture
def scene(tenant):
    return make_claim_scene(tenant)


@pytest.fixture
def officer(make_user):
    return make_user(ALL_CLAIM_RIGHTS, username="officer")
