"""The web app's list operations cost the same number of SQL queries at page sizes 10 and 100."""

from __future__ import annotations

from datetime import date

import pytest

from core.models import MutationLog
from core.roles import CLERK, role_rights
from openimis_claim.models import BatchRun
from tests.factories import make_claim, make_claim_scene

pytestmark = pytest.mark.django_db

# The user with their rights, the count, the page (each list's relations joined in the page
# query), and at most one batch of related rows.
LIST_QUERIES = 4


@pytest.fixture
def clerk(tenant, make_user):
    scene = make_claim_scene(tenant)
    user = make_user(role_rights(CLERK), username="clerk")
    user.health_facility = scene.facility
    user.save()
    for n in range(120):
        make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                   icd=scene.diagnosis, admin=scene.admin, items=[scene.item],
                   date_claimed=date(2025, 3, 2 + n % 20))
    for n in range(120):
        BatchRun.objects.create(tenant=tenant, run_year=2000 + n // 12, run_month=1 + n % 12)
    MutationLog.objects.bulk_create(
        MutationLog(user=user, module="claim", mutation="createClaim",
                    client_mutation_id=f"cmid-{n}", client_mutation_label=f"Create {n}")
        for n in range(120))
    return user


@pytest.mark.parametrize("page", [10, 100])
@pytest.mark.parametrize("query", [
    '{ mutationLogs(first: %d, orderBy: "-request_date_time") { totalCount edges { node {'
    " id status error clientMutationId clientMutationLabel requestDateTime } } } }",
    "{ claims(status: 2, orderBy: [\"-dateClaimed\"], first: %d) { totalCount edges { node {"
    " uuid code claimed status attachmentsCount healthFacility { id uuid code name }"
    " insuree { id uuid chfId lastName otherNames dob } } } } }",
    '{ batchRuns(orderBy: "-runDate", location_Isnull: true, first: %d) {'
    " totalCount edges { node { id runDate } } } }",
], ids=["mutationLogs", "claims", "batchRuns"])
def test_list_costs_do_not_grow_with_the_page(gql, clerk, query, page,
                                              django_assert_max_num_queries):
    with django_assert_max_num_queries(LIST_QUERIES):
        response = gql(query % page, user=clerk)
    assert response.errors == []
    connection = next(iter(response.data.values()))
    assert connection["totalCount"] == 120
    assert len(connection["edges"]) == page
