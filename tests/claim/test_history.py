"""The claim page's history (`claimHistory`: the claim now, then its earlier versions, newest
first) and how mutations write those versions; the searcher's batch-run picker (`batchRuns`).
Selections are the web app's, as in API.md "Claim queries"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import from_global_id

from openimis_claim.codes import ClaimStatus, ReviewStatus
from openimis_claim.models import BatchRun, Claim, ClaimAttachment, ClaimVersion
from openimis_claim.services import move_selection, submit_claims
from openimis_claim.services.valuation import run_valuation
from tests.factories import (
    make_claim,
    make_claim_scene,
    make_facility,
    make_family_with_insurees,
    make_location_chain,
    make_policy,
    make_product,
)

pytestmark = pytest.mark.django_db

SEARCH = 111001
# Exactly what the web app's claim page sends.
CLAIM_HISTORY = """
query ($uuid: String!) { claimHistory(claimUuid: $uuid) { totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { node { uuid validityTo code jsonExt dateClaimed dateProcessed feedbackStatus
    reviewStatus claimed approved status restoreId attachmentsCount
    insuree { id uuid chfId lastName otherNames dob insureePolicies { edges { node {
      policy { id status effectiveDate expiryDate product { id name } } } } } } } } } }
"""
# What the page does not send but the node answers too.
HISTORY_EXTRAS = """
query ($uuid: String!, $first: Int) { claimHistory(claimUuid: $uuid, first: $first) {
  totalCount pageInfo { hasNextPage }
  edges { node { id uuid code status validityFrom validityTo valuated change } } } }
"""
BATCH_RUNS = """
{ batchRuns(orderBy: "-runDate", location_Isnull: true) { edges { node { id runDate } } } }
"""
BATCH_RUNS_PAGE = """
query ($first: Int) { batchRuns(first: $first, orderBy: ["-runDate"]) {
  totalCount edges { node { id runDate runYear runMonth } } } }
"""
MUTATION = """
mutation ($input: %sMutationInput!) { %s(input: $input) { status error } }
"""


def mutate(gql, user, name: str, **data) -> None:
    response = gql(MUTATION % (name[0].upper() + name[1:], name),
                   {"input": {"clientMutationId": f"{name}-{id(data)}", **data}}, user=user)
    assert response.errors == [], response.errors
    assert response.data[name]["status"] == 2, response.data[name]["error"]


def history(gql, user, claim, query=CLAIM_HISTORY, **variables):
    response = gql(query, {"uuid": str(claim.uuid), **variables}, user=user)
    assert response.errors == [], response.errors
    return response.data["claimHistory"]


def nodes(page) -> list[dict]:
    return [edge["node"] for edge in page["edges"]]


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def claim_input(scene, **overrides) -> dict:
    return {
        "code": "H1", "insureeId": scene.insuree.pk, "adminId": scene.admin.pk,
        "healthFacilityId": scene.facility.pk, "icdId": scene.diagnosis.pk,
        "dateFrom": "2025-03-01", "dateClaimed": "2025-03-02", "visitType": "O",
        "jsonExt": '{"ward": "A"}',
        "items": [{"itemId": scene.item.pk, "qtyProvided": "10.00", "priceAsked": "2.50"}],
        "services": [{"serviceId": scene.service.pk, "qtyProvided": "1", "priceAsked": "12.00"}],
        **overrides,
    }


def stored_claim(scene, tenant, **overrides) -> Claim:
    return make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                      icd=scene.diagnosis, items=[(scene.item, 10, "2.50")],
                      services=[(scene.service, 1, "12.00")], **overrides)


# --- the history of a claim through the web app's steps ------------------------------------

def test_history_lists_the_claim_now_then_each_earlier_version_newest_first(gql, scene,
                                                                           officer):
    # Given a claim created, updated (new code, 8 items), submitted, selected for review and
    # reviewed (6 of the 8 items approved), each step over GraphQL as the web app does it
    mutate(gql, officer, "createClaim", **claim_input(scene))
    claim = Claim.objects.get(code="H1")
    item, service = claim.items.get(), claim.services.get()
    mutate(gql, officer, "updateClaim", **claim_input(
        scene, uuid=str(claim.uuid), code="H1-B", jsonExt='{"ward": "B"}',
        items=[{"id": item.pk, "itemId": scene.item.pk, "qtyProvided": "8", "priceAsked": "2.50"}],
        services=[{"id": service.pk, "serviceId": scene.service.pk, "qtyProvided": "1",
                   "priceAsked": "12.00"}]))
    mutate(gql, officer, "submitClaims", uuids=[str(claim.uuid)])
    mutate(gql, officer, "selectClaimsForReview", uuids=[str(claim.uuid)])
    mutate(gql, officer, "saveClaimReview", claimUuid=str(claim.uuid),
           items=[{"id": item.pk, "qtyApproved": "6", "priceApproved": "2.50"}])

    # When the claim page asks for its history
    page = history(gql, officer, claim)

    # Then the claim now comes first, then what each step replaced, newest first
    states = nodes(page)
    assert page["totalCount"] == 5
    assert page["pageInfo"]["hasNextPage"] is False
    assert [(s["code"], s["status"], s["reviewStatus"], s["feedbackStatus"], s["claimed"],
             s["approved"], s["jsonExt"]) for s in states] == [
        ("H1-B", 4, 8, 1, "32.00", "25.00", '{"ward": "B"}'),  # reviewed: 6 x 2.50 + 10.00
        ("H1-B", 4, 4, 1, "32.00", "30.00", '{"ward": "B"}'),  # selected for review
        ("H1-B", 4, 1, 1, "32.00", "30.00", '{"ward": "B"}'),  # checked: 8 x 2.50 + 10.00
        ("H1-B", 2, 1, 1, "32.00", None, '{"ward": "B"}'),     # updated: 8 x 2.50 + 12.00
        ("H1", 2, 1, 1, "37.00", None, '{"ward": "A"}'),       # created: 10 x 2.50 + 12.00
    ]
    assert {s["uuid"] for s in states} == {str(claim.uuid)}
    assert all(s["dateClaimed"] == "2025-03-02" and s["dateProcessed"] is None
               and s["restoreId"] is None and s["attachmentsCount"] == 0 for s in states)
    assert states[0]["validityTo"] is None
    ends = [parse(s["validityTo"]) for s in states[1:]]
    assert ends == sorted(ends, reverse=True)
    # Each earlier version ended with the change that made the next one.
    assert list(ClaimVersion.objects.filter(claim=claim).order_by("-validity_to")
                .values_list("change", "audit_user")) == [
        ("review saved", officer.pk), ("review select", officer.pk),
        ("submitted", officer.pk), ("updated", officer.pk)]
    # The insuree's policies, as the page shows them beside each state.
    policies = [edge["node"]["policy"] for s in states
                for edge in s["insuree"]["insureePolicies"]["edges"]]
    assert len(policies) == 5
    assert {(p["status"], p["effectiveDate"], p["expiryDate"], p["product"]["name"])
            for p in policies} == {(2, "2025-01-01", "2025-12-31", "Product BASIC")}
    assert {s["insuree"]["chfId"] for s in states} == {"111111111"}


def test_each_state_is_valid_from_the_end_of_the_one_before(gql, scene, officer):
    # Given a claim submitted, then selected for feedback
    claim = stored_claim(scene, scene.facility.tenant)
    mutate(gql, officer, "submitClaims", uuids=[str(claim.uuid)])
    mutate(gql, officer, "selectClaimsForFeedback", uuids=[str(claim.uuid)])

    states = nodes(history(gql, officer, claim, HISTORY_EXTRAS))

    # Then the validity periods chain without gaps back to the claim's own start
    assert [(s["status"], s["change"]) for s in states] == [
        (4, ""), (4, "feedback select"), (2, "submitted")]
    assert states[0]["validityTo"] is None
    assert states[0]["validityFrom"] == states[1]["validityTo"]
    assert states[1]["validityFrom"] == states[2]["validityTo"]
    claim.refresh_from_db()
    assert parse(states[2]["validityFrom"]) == claim.validity_from
    # Every state is a node of its own: the versions' ids, and the claim's for the current one.
    ids = [from_global_id(s["id"]) for s in states]
    assert ids[0] == ("ClaimHistoryGQLType", f"claim-{claim.pk}")
    assert [pk for _type, pk in ids[1:]] == [
        str(pk) for pk in claim.versions.order_by("-validity_to").values_list("pk", flat=True)]


def test_a_new_claim_has_no_earlier_version(gql, scene, officer):
    mutate(gql, officer, "createClaim", **claim_input(scene))

    page = history(gql, officer, Claim.objects.get(code="H1"))

    assert page["totalCount"] == 1
    assert nodes(page)[0]["validityTo"] is None
    assert ClaimVersion.objects.count() == 0


def test_a_change_outside_the_header_writes_no_version(gql, scene, officer):
    # Given an update that only corrects the explanation (nothing the history shows)
    claim = stored_claim(scene, scene.facility.tenant, code="H1", json_ext={"ward": "A"})
    item, service = claim.items.get(), claim.services.get()
    mutate(gql, officer, "updateClaim", **claim_input(
        scene, uuid=str(claim.uuid), explanation="Corrected",
        items=[{"id": item.pk, "itemId": scene.item.pk, "qtyProvided": "10", "priceAsked": "2.50"}],
        services=[{"id": service.pk, "serviceId": scene.service.pk, "qtyProvided": "1",
                   "priceAsked": "12.00"}]))

    assert Claim.objects.get(pk=claim.pk).explanation == "Corrected"
    assert ClaimVersion.objects.count() == 0


def test_versions_keep_the_restored_claim_and_show_the_attachments_of_now(gql, scene, officer):
    # Given a restored claim with two documents (one deleted), then submitted
    tenant = scene.facility.tenant
    rejected = stored_claim(scene, tenant, code="R0", status=ClaimStatus.REJECTED)
    claim = stored_claim(scene, tenant, code="R0-R1", restore=rejected)
    ClaimAttachment.objects.bulk_create([
        ClaimAttachment(claim=claim, title="Scan"),
        ClaimAttachment(claim=claim, title="Old", validity_to=datetime(2025, 3, 3, tzinfo=UTC)),
    ])
    mutate(gql, officer, "submitClaims", uuids=[str(claim.uuid)])

    states = nodes(history(gql, officer, claim))

    assert [(s["status"], s["attachmentsCount"], s["restoreId"]) for s in states] == [
        (4, 1, rejected.pk), (2, 1, rejected.pk)]


def test_a_batch_writes_its_versions_in_one_insert(scene, make_user):
    # Given twelve entered claims submitted together, one of them not visible to the user
    tenant = scene.facility.tenant
    user = make_user(superuser=True)
    claims = [stored_claim(scene, tenant, code=f"B{n}") for n in range(12)]

    with CaptureQueriesContext(connection) as submitted:
        outcome = submit_claims(user, [str(claim.uuid) for claim in claims])
    with CaptureQueriesContext(connection) as selected:
        move_selection(user, [str(claim.uuid) for claim in claims[:5]], "review_status",
                       "select")

    # Then each batch inserted its versions with a single statement
    assert outcome.errors == []
    for captured in (submitted, selected):
        inserts = [q for q in captured if 'INSERT INTO "claim_claimversion"' in q["sql"]]
        assert len(inserts) == 1
    assert ClaimVersion.objects.filter(status=ClaimStatus.ENTERED, change="submitted").count() == 12
    assert ClaimVersion.objects.filter(review_status=ReviewStatus.IDLE,
                                       change="review select").count() == 5


def test_the_period_valuation_versions_the_claims_it_valuates(scene, make_user):
    # Given a processed claim of June waiting for its batch run
    tenant = scene.facility.tenant
    user = make_user(superuser=True)
    claim = stored_claim(scene, tenant, status=ClaimStatus.PROCESSED,
                         date_processed=date(2025, 6, 10), approved=Decimal("37.00"))
    claim.items.update(price_valuated=Decimal("25.00"), remunerated_amount=Decimal("25.00"))
    claim.services.update(price_valuated=Decimal("12.00"), remunerated_amount=Decimal("12.00"))

    run = run_valuation(user, tenant, 2025, 6)

    version = ClaimVersion.objects.get(claim=claim)
    assert (version.status, version.valuated, version.change) == (
        ClaimStatus.PROCESSED, None, f"batch run {run.pk}")
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.VALUATED


# --- who sees a history ----------------------------------------------------------------------

def test_claim_history_needs_the_search_right(gql, scene, make_user):
    claim = stored_claim(scene, scene.facility.tenant)

    response = gql(CLAIM_HISTORY, {"uuid": str(claim.uuid)}, user=make_user([111002]))

    assert response.error_messages == ["Unauthorized"]
    assert response.data["claimHistory"] is None


def test_another_tenants_claim_has_no_history(gql, scene, other_tenant, make_user):
    claim = stored_claim(scene, scene.facility.tenant)
    ClaimVersion.objects.create(claim=claim, code=claim.code, insuree=scene.insuree,
                                date_claimed=claim.date_claimed, status=ClaimStatus.ENTERED,
                                review_status=1, feedback_status=1, claimed=Decimal("1"),
                                validity_to=datetime(2025, 3, 3, tzinfo=UTC))
    stranger = make_user([SEARCH], tenant=other_tenant, username="stranger")

    page = history(gql, stranger, claim)

    assert page == {"totalCount": 0, "pageInfo": {
        "hasNextPage": False, "hasPreviousPage": False, "startCursor": None,
        "endCursor": None}, "edges": []}


def test_a_clerk_sees_no_history_of_another_facilitys_claim(gql, scene, make_user):
    tenant = scene.facility.tenant
    claim = stored_claim(scene, tenant)
    clerk = make_user([SEARCH], username="clerk")
    clerk.health_facility = make_facility(tenant, code="HF2")
    clerk.save(update_fields=["health_facility"])
    own_clerk = make_user([SEARCH], username="own-clerk")
    own_clerk.health_facility = scene.facility
    own_clerk.save(update_fields=["health_facility"])

    assert history(gql, clerk, claim)["totalCount"] == 0
    assert history(gql, own_clerk, claim)["totalCount"] == 1


@pytest.mark.parametrize("uuid", ["not-a-uuid", "", "00000000-0000-0000-0000-000000000000"])
def test_a_malformed_or_unknown_uuid_gives_an_empty_history(gql, make_user, uuid):
    response = gql(CLAIM_HISTORY, {"uuid": uuid}, user=make_user([SEARCH]))

    assert response.errors == []
    assert response.data["claimHistory"]["totalCount"] == 0
    assert response.data["claimHistory"]["edges"] == []


def test_a_deleted_claim_has_no_history(gql, scene, make_user):
    claim = stored_claim(scene, scene.facility.tenant,
                         validity_to=datetime(2025, 3, 3, tzinfo=UTC))

    assert history(gql, make_user([SEARCH]), claim)["totalCount"] == 0


def test_history_pages_like_other_connections(gql, scene, make_user):
    claim = stored_claim(scene, scene.facility.tenant)
    add_versions(claim, 4, [scene.insuree])
    reader = make_user([SEARCH])

    page = history(gql, reader, claim, HISTORY_EXTRAS, first=2)

    assert page["totalCount"] == 5
    assert page["pageInfo"]["hasNextPage"] is True
    assert len(page["edges"]) == 2
    response = gql(HISTORY_EXTRAS, {"uuid": str(claim.uuid), "first": 101}, user=reader)
    assert response.error_messages == [
        "Requesting 101 records on the `claimHistory` connection exceeds the `first` limit of "
        "100 records."]
    negative = gql(HISTORY_EXTRAS, {"uuid": str(claim.uuid), "first": -1}, user=reader)
    assert negative.error_messages == ["`first` must not be negative."]


# --- query counts ----------------------------------------------------------------------------

def add_versions(claim: Claim, count: int, insurees: list) -> None:
    """`count` earlier versions of the claim, one a day before 2025-04-01, the insurees taking
    turns (as if the claim had been moved from one to the other)."""
    ClaimVersion.objects.bulk_create(
        ClaimVersion(claim=claim, code=f"{claim.code}-v{n}", insuree=insurees[n % len(insurees)],
                     date_claimed=claim.date_claimed, status=ClaimStatus.ENTERED,
                     review_status=1, feedback_status=1, claimed=Decimal(n),
                     json_ext={"n": n},
                     validity_to=datetime(2025, 4, 1, tzinfo=UTC) - timedelta(days=n),
                     change="updated")
        for n in range(count))


def test_claim_history_query_count_does_not_grow_with_the_versions(
        gql, tenant, make_user, django_assert_max_num_queries):
    scene = make_claim_scene(tenant)
    family, others = make_family_with_insurees(tenant, members=[{}, {}])
    make_policy(family, make_product(tenant, code="OTHER"), start=date(2025, 2, 1))
    insurees = [scene.insuree, *others]
    few = stored_claim(scene, tenant, code="FEW")
    many = stored_claim(scene, tenant, code="MANY")
    add_versions(few, 2, insurees)
    add_versions(many, 30, insurees)
    reader = make_user([SEARCH])
    history(gql, reader, few)  # warm the module configuration cache

    with CaptureQueriesContext(connection) as measured:
        small = history(gql, reader, few)
    assert small["totalCount"] == 3
    # The user, their rights, the claim, its versions, the insurees' policies.
    assert len(measured) <= 6, [q["sql"] for q in measured]

    with django_assert_max_num_queries(len(measured)):
        large = history(gql, reader, many)
    assert large["totalCount"] == 31
    states = nodes(large)
    assert [s["code"] for s in states[:3]] == ["MANY", "MANY-v0", "MANY-v1"]
    assert {len(s["insuree"]["insureePolicies"]["edges"]) for s in states} == {1}
    assert {s["insuree"]["insureePolicies"]["edges"][0]["node"]["policy"]["product"]["name"]
            for s in states} == {"Product BASIC", "Product OTHER"}


def statements(captured) -> list[str]:
    """The SQL a request sent, without the savepoints that only the test's own transaction adds
    (outside it the mutation log is written in autocommit and the mutation is one transaction)."""
    return [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_create_and_submit_keep_their_statement_counts(gql, scene, officer):
    mutate(gql, officer, "createClaim", **claim_input(scene, code="WARM"))  # warm the caches
    mutate(gql, officer, "submitClaims", uuids=[str(Claim.objects.get(code="WARM").uuid)])

    with CaptureQueriesContext(connection) as created:
        mutate(gql, officer, "createClaim", **claim_input(scene))
    claim = Claim.objects.get(code="H1")
    with CaptureQueriesContext(connection) as submitted:
        outcome = submit_claims(officer, [str(claim.uuid)])

    # createClaim over GraphQL writes no version; the submit service adds one insert (the
    # claim's version) to what adjudicating one claim costs.
    assert outcome.errors == []
    assert len(statements(created)) <= 15, statements(created)
    assert len(statements(submitted)) <= 20, statements(submitted)
    assert not any("claim_claimversion" in sql for sql in statements(created))
    assert sum("claim_claimversion" in sql for sql in statements(submitted)) == 1
    assert ClaimVersion.objects.filter(claim=claim).count() == 1


# --- batch runs --------------------------------------------------------------------------------

def make_run(tenant, year: int, month: int, day: int = 1, **fields) -> BatchRun:
    return BatchRun.objects.create(tenant=tenant, run_year=year, run_month=month,
                                   run_date=datetime(year, month, day, tzinfo=UTC), **fields)


def test_batch_runs_newest_first_without_a_location(gql, tenant, other_tenant, make_user):
    district = make_location_chain(tenant).district
    april, june, may = (make_run(tenant, 2025, 4), make_run(tenant, 2025, 6),
                        make_run(tenant, 2025, 5))
    make_run(tenant, 2025, 7, location=district)  # a district's run
    make_run(other_tenant, 2025, 8)  # another scheme's

    response = gql(BATCH_RUNS, user=make_user([SEARCH]))

    assert response.errors == [], response.errors
    listed = nodes(response.data["batchRuns"])
    assert [int(from_global_id(node["id"])[1]) for node in listed] == [june.pk, may.pk, april.pk]
    assert [node["runDate"][:10] for node in listed] == ["2025-06-01", "2025-05-01", "2025-04-01"]


BATCH_RUNS_OF_LOCATION = """
{ batchRuns(orderBy: "-runDate", location_Uuid: "%s") { edges { node { id runDate } } } }
"""


def test_batch_runs_of_a_district(gql, tenant, make_user):
    """The claims filter's batch-run picker once a district is chosen (fe-claim_batch 1.7)."""
    chain = make_location_chain(tenant)
    mine = make_run(tenant, 2025, 7, location=chain.district)
    make_run(tenant, 2025, 8)  # national
    make_run(tenant, 2025, 9, location=chain.region)

    response = gql(BATCH_RUNS_OF_LOCATION % chain.district.uuid, user=make_user([SEARCH]))

    assert response.errors == [], response.errors
    assert [int(from_global_id(node["id"])[1]) for node in nodes(response.data["batchRuns"])] \
        == [mine.pk]


def test_batch_runs_need_the_search_right(gql, tenant, make_user):
    make_run(tenant, 2025, 4)

    response = gql(BATCH_RUNS, user=make_user([111002]))

    assert response.error_messages == ["Unauthorized"]


def test_batch_runs_query_count_does_not_grow_with_the_page(gql, tenant, make_user,
                                                            django_assert_max_num_queries):
    district = make_location_chain(tenant).district
    BatchRun.objects.bulk_create(
        BatchRun(tenant=tenant, run_year=2000 + n // 12, run_month=n % 12 + 1,
                 location=district if n % 2 else None,
                 run_date=datetime(2000 + n // 12, n % 12 + 1, 1, tzinfo=UTC))
        for n in range(120))
    reader = make_user([SEARCH])
    gql(BATCH_RUNS_PAGE, {"first": 10}, user=reader)  # warm the module configuration cache

    with CaptureQueriesContext(connection) as small:
        response = gql(BATCH_RUNS_PAGE, {"first": 10}, user=reader)
    assert response.errors == [], response.errors
    assert len(response.data["batchRuns"]["edges"]) == 10
    assert len(small) <= 5, [q["sql"] for q in small]

    with django_assert_max_num_queries(len(small)):
        response = gql(BATCH_RUNS_PAGE, {"first": 100}, user=reader)
    assert response.data["batchRuns"]["totalCount"] == 120
    listed = nodes(response.data["batchRuns"])
    assert len(listed) == 100
    assert (listed[0]["runYear"], listed[0]["runMonth"]) == (2009, 12)

