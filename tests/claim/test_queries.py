"""The claim pages' reads, with the exact selections of API.md "Claim queries": the searcher
(`claims`: every filter, every sort, relay paging), one claim (`claim(uuid)`), the pickers
around them; row security, query counts that do not grow, and snapshots of what the SPA reads.

Claims are written straight to the database (tests.factories.make_claim): what is tested here
is how they are read, not how the workflow produces them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import from_global_id, to_global_id

from core.registers.codes import FacilityLevel, RejectionReason
from core.registers.models import Diagnosis, Officer
from openimis_claim.codes import ClaimStatus, LineStatus, ReviewStatus
from openimis_claim.models import (
    BatchRun,
    Claim,
    ClaimAdmin,
    ClaimAttachment,
    ClaimAttachmentType,
    Feedback,
)
from tests.factories import (
    make_claim,
    make_claim_scene,
    make_facility,
    make_family_with_insurees,
    make_item,
    make_location_chain,
    make_product,
    make_service,
)

pytestmark = pytest.mark.django_db

SEARCH = 111001
DELETED = datetime(2025, 1, 1, tzinfo=UTC)

# API.md "Claim queries": what the searcher selects on each claim.
SEARCHER_NODE = """
  uuid code jsonExt dateFrom dateTo dateClaimed dateProcessed feedbackStatus reviewStatus
  claimed approved valuated status restoreId preAuthorization attachmentsCount careType
  visitType healthFacility { id uuid code name } insuree { id uuid chfId lastName otherNames dob }
"""
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

FACILITY = """{
  id uuid code name level servicesPricelist { id uuid } itemsPricelist { id uuid }
  contractStartDate contractEndDate
  location { id uuid code name type parent { id uuid code name type } }
}"""
DIAGNOSIS = "{ id code name }"
LINE = """id qtyProvided priceAsked qtyApproved priceApproved priceValuated priceAdjusted
  explanation justification rejectionReason status product { id uuid }"""
# API.md: everything the searcher reads, plus the claim page's own fields.
CLAIM_DETAIL = f"""
query ($uuid: String!) {{ claim(uuid: $uuid) {{
  {SEARCHER_NODE}
  guaranteeId explanation adjustment patientCondition referralCode
  restore {{ uuid code }}
  healthFacility {FACILITY}
  referFrom {FACILITY}
  referTo {FACILITY}
  admin {{ id uuid code lastName otherNames healthFacility {FACILITY} }}
  icd {DIAGNOSIS} icd1 {DIAGNOSIS} icd2 {DIAGNOSIS} icd3 {DIAGNOSIS} icd4 {DIAGNOSIS}
  feedback {{ id careRendered paymentAsked drugPrescribed drugReceived asessment feedbackDate
              officerId }}
  items {{ {LINE} item {{ id code name price maximumAmount }} }}
  services {{ {LINE} service {{ id code name price maximumAmount }} }}
}} }}
"""


def claims_query(arguments: str = "", node: str = SEARCHER_NODE) -> str:
    """The searcher's document as the web app writes it: filters inline in the query text."""
    arguments = f"({arguments})" if arguments else ""
    return f"{{ claims{arguments} {{ totalCount {PAGE_INFO} edges {{ node {{ {node} }} }} }} }}"


def codes(response, root: str = "claims") -> list[str]:
    assert response.errors == [], response.errors
    return [edge["node"]["code"] for edge in response.data[root]["edges"]]


@pytest.fixture
def reader(make_user):
    return make_user([SEARCH], username="reader")


# ---------------------------------------------------------------------------------------------
# A small world of claims: one per situation the searcher's filters tell apart.
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def world(tenant, other_tenant):
    """Five visible claims (CLM001-CLM004, CLM006), a rejected one restored by CLM006 (REJ005),
    a deleted one and another tenant's; three facilities (HF1 without a location, HF2 in the
    north, HF3 in the south), two insurees, two diagnoses, a batch run."""
    scene = make_claim_scene(tenant)
    scene.facility.name = "Kawale Health Centre"
    scene.facility.save()
    scene.insuree.last_name, scene.insuree.other_names = "Mwale", "Chikondi"
    scene.insuree.save()
    north = make_location_chain(tenant, "N")
    south = make_location_chain(tenant, "S")
    hf2 = make_facility(tenant, code="HF2", name="North Hospital", location=north.district)
    hf3 = make_facility(tenant, code="HF3", name="South Clinic", location=south.district)
    admin2 = ClaimAdmin.objects.create(tenant=tenant, code="CA2", last_name="Phiri",
                                       other_names="John", health_facility=hf2)
    _, (banda,) = make_family_with_insurees(
        tenant, head={"chf_id": "222222222", "last_name": "Banda", "other_names": "Grace"})
    para = make_item(tenant, code="PARA", name="Paracetamol 500 mg", price=Decimal("0.50"))
    xray = make_service(tenant, code="XRAY", name="Chest X-ray", price=Decimal("25.00"))
    pneumonia = Diagnosis.objects.get(code="J18")
    run = BatchRun.objects.create(tenant=tenant, run_year=2025, run_month=6)
    malaria = scene.diagnosis

    def claim(code, **fields):
        fields.setdefault("insuree", scene.insuree)
        fields.setdefault("health_facility", scene.facility)
        fields.setdefault("icd", malaria)
        return make_claim(tenant, code=code, **fields)

    c1 = claim("CLM001", admin=scene.admin, claimed=Decimal("50.00"),
               json_ext={"source": "paper form"},
               date_from=date(2025, 3, 1), date_to=date(2025, 3, 3),
               date_claimed=date(2025, 3, 5), visit_type="O", care_type="OPD",
               items=[scene.item], services=[scene.service])
    c2 = claim("CLM002", insuree=banda, health_facility=hf2, admin=admin2, icd=pneumonia,
               status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED,
               feedback_status=ReviewStatus.NOT_SELECTED, claimed=Decimal("150.00"),
               approved=Decimal("140.00"), date_from=date(2025, 4, 10),
               date_to=date(2025, 4, 12), date_claimed=date(2025, 4, 15), visit_type="E",
               care_type="IPD", pre_authorization=True, items=[para])
    c3 = claim("CLM003", health_facility=hf3, status=ClaimStatus.PROCESSED,
               review_status=ReviewStatus.DELIVERED, feedback_status=ReviewStatus.DELIVERED,
               claimed=Decimal("100.00"), approved=Decimal("100.00"),
               date_from=date(2025, 5, 1), date_to=date(2025, 5, 1),
               date_claimed=date(2025, 5, 2), date_processed=date(2025, 5, 20),
               visit_type="R", care_type="OPD", services=[xray],
               items=[(scene.item, {"validity_to": DELETED})])  # a deleted line: not searched
    c4 = claim("CLM004", insuree=banda, status=ClaimStatus.VALUATED,
               claimed=Decimal("300.00"), approved=Decimal("250.00"),
               valuated=Decimal("240.00"), batch_run=run, date_from=date(2025, 6, 1),
               date_to=date(2025, 6, 3), date_claimed=date(2025, 6, 5),
               date_processed=date(2025, 6, 10), care_type="OPD", items=[scene.item, para])
    rejected = claim("REJ005", status=ClaimStatus.REJECTED, claimed=Decimal("20.00"),
                     date_from=date(2025, 2, 1), date_claimed=date(2025, 2, 2),
                     date_processed=date(2025, 2, 3), care_type="OPD")
    c6 = claim("CLM006", restore=rejected, claimed=Decimal("20.00"), care_type="OPD",
               date_from=date(2025, 2, 1), date_claimed=date(2025, 2, 10))
    claim("DEL007", validity_to=DELETED, claimed=Decimal("75.00"))
    ClaimAttachment.objects.bulk_create([
        ClaimAttachment(claim=c1, title="Prescription", filename="rx.pdf"),
        ClaimAttachment(claim=c3, title="Withdrawn", validity_to=DELETED),
        ClaimAttachment(claim=c4, title="Invoice", filename="invoice.pdf"),
        ClaimAttachment(claim=c4, title="Discharge note", filename="discharge.pdf"),
    ])
    foreign = make_claim_scene(other_tenant)
    make_claim(other_tenant, code="CLM001", insuree=foreign.insuree,
               health_facility=foreign.facility, icd=foreign.diagnosis,
               claimed=Decimal("99.00"), items=[foreign.item])
    return SimpleNamespace(
        scene=scene, north=north, south=south, hf2=hf2, hf3=hf3, admin2=admin2, banda=banda,
        para=para, xray=xray, pneumonia=pneumonia, run=run, claims=[c1, c2, c3, c4, c6],
        rejected=rejected, foreign=foreign,
    )


VISIBLE = ["CLM001", "CLM002", "CLM003", "CLM004", "CLM006"]

# (filter as the web app writes it, the claims it leaves); `{name}` is taken from the world.
FILTERS = [
    ("status: 4", ["CLM002"]),
    ("status: 1", []),  # the rejected claim is restored: hidden unless showRestored
    ("status_Gt: 4", ["CLM003", "CLM004"]),
    ("status_Gt: 2", ["CLM002", "CLM003", "CLM004"]),
    ("feedbackStatus: 8", ["CLM003"]),
    ("feedbackStatus: 2", ["CLM002"]),
    ("reviewStatus: 4", ["CLM002"]),
    ("reviewStatus: 1", ["CLM001", "CLM004", "CLM006"]),
    ('code_Icontains: "m00"', VISIBLE),
    ('code_Icontains: "lm003"', ["CLM003"]),
    ('insuree_ChfId: "222222222"', ["CLM002", "CLM004"]),
    ('insuree_ChfId: "22222222"', []),
    ('claimed_Gte: "100.00"', ["CLM002", "CLM003", "CLM004"]),
    ('claimed_Lte: "100.00"', ["CLM001", "CLM003", "CLM006"]),
    ('claimed_Gte: "100.00", claimed_Lte: "200.00"', ["CLM002", "CLM003"]),
    ('claimed_Gte: "100.01"', ["CLM002", "CLM004"]),
    ("claimed_Gte: 100.01", ["CLM002", "CLM004"]),
    ("claimed_Gte: 100", ["CLM002", "CLM003", "CLM004"]),
    ('dateFrom_Gte: "2025-04-10"', ["CLM002", "CLM003", "CLM004"]),
    ('dateFrom_Lt: "2025-04-10"', ["CLM001", "CLM006"]),
    ('dateTo_Lte: "2025-04-12"', ["CLM001", "CLM002"]),
    ('dateClaimed_Gte: "2025-05-02"', ["CLM003", "CLM004"]),
    ('dateClaimed_Lte: "2025-03-05"', ["CLM001", "CLM006"]),
    ('dateClaimed_Gte: "2025-03-06", dateClaimed_Lte: "2025-05-01"', ["CLM002"]),
    ('dateProcessed_Gte: "2025-05-20"', ["CLM003", "CLM004"]),
    ('dateProcessed_Lte: "2025-05-20"', ["CLM003"]),
    ('items: ["PARA"]', ["CLM002", "CLM004"]),
    ('items: ["AMOX"]', ["CLM001", "CLM004"]),  # CLM003's AMOX line is deleted
    ('items: ["AMOX", "PARA"]', ["CLM001", "CLM002", "CLM004"]),
    ('items: ["NONE"]', []),
    ('services: ["XRAY"]', ["CLM003"]),
    ('services: ["CONS", "XRAY"]', ["CLM001", "CLM003"]),
    ('icd_Id: "{pneumonia_id}"', ["CLM002"]),
    ('icd_Id: "{malaria_id}"', ["CLM001", "CLM003", "CLM004", "CLM006"]),
    ('icd_Id: "{pneumonia_pk}"', ["CLM002"]),  # a numeric id works too
    ('visitType: "E"', ["CLM002"]),
    ('visitType: "R"', ["CLM003"]),
    ('careType: "IPD"', ["CLM002"]),
    ('careType: "OPD"', ["CLM001", "CLM003", "CLM004", "CLM006"]),
    ("attachmentStatus: 1", ["CLM001", "CLM004"]),
    ("attachmentStatus: 2", ["CLM002", "CLM003", "CLM006"]),  # CLM003's one is deleted
    ("preAuthorization: true", ["CLM002"]),
    ("preAuthorization: false", ["CLM001", "CLM003", "CLM004", "CLM006"]),
    ("showRestored: true", ["CLM001", "CLM002", "CLM003", "CLM004", "CLM006", "REJ005"]),
    ("showRestored: false", VISIBLE),
    ("showRestored: true, status: 1", ["REJ005"]),
    ('healthFacility_Uuid: "{hf2}"', ["CLM002"]),
    ('healthFacility_Uuid: "{hf1}"', ["CLM001", "CLM004", "CLM006"]),
    ('healthFacility_Location_Uuid: "{north_district}"', ["CLM002"]),
    ('healthFacility_Location_Uuid: "{south_district}"', ["CLM003"]),
    ('healthFacility_Location_Parent_Uuid: "{north_region}"', ["CLM002"]),
    ('healthFacility_Location_Parent_Uuid: "{south_region}"', ["CLM003"]),
    ('admin_Uuid: "{admin2}"', ["CLM002"]),
    ('admin_Uuid: "{admin1}"', ["CLM001"]),
    ('batchRun_Id: "{run}"', ["CLM004"]),
    ("batchRun_Id: {run_pk}", ["CLM004"]),
    # Filters combine (AND), as the web app stacks them.
    ('status_Gt: 2, insuree_ChfId: "222222222", careType: "OPD"', ["CLM004"]),
]


def world_values(world) -> dict[str, str]:
    return {
        "pneumonia_id": to_global_id("DiagnosisGQLType", world.pneumonia.pk),
        "malaria_id": to_global_id("DiagnosisGQLType", world.scene.diagnosis.pk),
        "hf1": world.scene.facility.uuid, "hf2": world.hf2.uuid,
        "north_district": world.north.district.uuid, "south_district": world.south.district.uuid,
        "north_region": world.north.region.uuid, "south_region": world.south.region.uuid,
        "admin1": world.scene.admin.uuid, "admin2": world.admin2.uuid,
        "run": to_global_id("BatchRunGQLType", world.run.pk), "run_pk": world.run.pk,
        "pneumonia_pk": world.pneumonia.pk,
    }


@pytest.mark.parametrize(("arguments", "expected"), FILTERS, ids=[f[0] for f in FILTERS])
def test_every_searcher_filter_keeps_what_it_should(gql, world, reader, arguments, expected):
    arguments = arguments.format(**world_values(world))

    response = gql(claims_query(f'{arguments}, orderBy: ["code"], first: 10'), user=reader)

    assert codes(response) == expected
    assert response.data["claims"]["totalCount"] == len(expected)


def test_without_filters_the_searcher_lists_the_valid_claims_of_the_tenant(gql, world, reader):
    response = gql(claims_query('orderBy: ["code"]'), user=reader)

    assert codes(response) == VISIBLE  # not REJ005 (restored), DEL007 (deleted), T2's CLM001
    by_code = {edge["node"]["code"]: edge["node"] for edge in response.data["claims"]["edges"]}
    assert by_code["CLM004"]["attachmentsCount"] == 2
    assert by_code["CLM003"]["attachmentsCount"] == 0
    assert by_code["CLM006"]["restoreId"] == world.rejected.pk
    assert by_code["CLM002"]["healthFacility"]["code"] == "HF2"
    assert by_code["CLM002"]["insuree"]["lastName"] == "Banda"


def test_relay_ids_of_the_searcher_identify_the_rows(gql, world, reader):
    node = gql(claims_query('code_Icontains: "CLM002"'), user=reader) \
        .data["claims"]["edges"][0]["node"]

    assert from_global_id(node["healthFacility"]["id"]) == ("HealthFacilityGQLType",
                                                            str(world.hf2.pk))
    assert from_global_id(node["insuree"]["id"]) == ("InsureeGQLType", str(world.banda.pk))
    assert node["uuid"] == str(world.claims[1].uuid)


ORDERINGS = [
    ('["code"]', ["CLM001", "CLM002", "CLM003", "CLM004", "CLM006"]),
    ('["-code"]', ["CLM006", "CLM004", "CLM003", "CLM002", "CLM001"]),
    ('["-dateClaimed"]', ["CLM004", "CLM003", "CLM002", "CLM001", "CLM006"]),
    ('["dateClaimed"]', ["CLM006", "CLM001", "CLM002", "CLM003", "CLM004"]),
    ('"-dateFrom"', ["CLM004", "CLM003", "CLM002", "CLM001", "CLM006"]),
    ('"dateFrom"', ["CLM006", "CLM001", "CLM002", "CLM003", "CLM004"]),
    ('["claimed"]', ["CLM006", "CLM001", "CLM003", "CLM002", "CLM004"]),
    ('["-claimed"]', ["CLM004", "CLM002", "CLM003", "CLM001", "CLM006"]),
    # Ties keep the order of creation (the primary key breaks them).
    ('["healthFacility__code"]', ["CLM001", "CLM004", "CLM006", "CLM002", "CLM003"]),
    ('["-healthFacility__code"]', ["CLM003", "CLM002", "CLM006", "CLM004", "CLM001"]),
    ('["insuree__last_name"]', ["CLM002", "CLM004", "CLM001", "CLM003", "CLM006"]),
    ('["insuree__last_name", "-dateClaimed"]', ["CLM004", "CLM002", "CLM003", "CLM001",
                                                 "CLM006"]),
]


@pytest.mark.parametrize(("order", "expected"), ORDERINGS, ids=[o[0] for o in ORDERINGS])
def test_searcher_sorts_by_the_whitelisted_fields(gql, world, reader, order, expected):
    response = gql(claims_query(f"orderBy: {order}"), user=reader)

    assert codes(response) == expected


def test_searcher_sorts_by_approved_amount(gql, world, reader):
    # Entered claims have no approved amount; databases disagree on where nulls go.
    ascending = gql(claims_query('status_Gt: 2, orderBy: ["approved"]'), user=reader)
    descending = gql(claims_query('status_Gt: 2, orderBy: "-approved"'), user=reader)

    assert codes(ascending) == ["CLM003", "CLM002", "CLM004"]  # 100, 140, 250
    assert codes(descending) == ["CLM004", "CLM002", "CLM003"]


def test_random_order_returns_every_claim_once(gql, world, reader):
    response = gql(claims_query('orderBy: ["?"], first: 10'), user=reader)

    assert sorted(codes(response)) == VISIBLE
    assert response.data["claims"]["totalCount"] == 5


@pytest.mark.parametrize("order", ['["validityTo"]', '"insuree__dob"', '["tenant"]',
                                   '["auditUser__password"]'])
def test_sorting_by_other_fields_is_refused(gql, world, reader, order):
    response = gql(claims_query(f"orderBy: {order}"), user=reader)

    assert len(response.errors) == 1
    assert response.error_messages[0].startswith("Cannot order by")
    assert response.data["claims"] is None


def test_relay_paging_walks_the_list_forwards_and_backwards(gql, world, reader):
    def page(arguments):
        response = gql(claims_query(f'orderBy: ["code"], {arguments}'), user=reader)
        return codes(response), response.data["claims"]

    first, body = page("first: 2")
    assert first == ["CLM001", "CLM002"]
    assert body["totalCount"] == 5
    assert body["pageInfo"]["hasNextPage"] is True
    second, body = page(f'first: 2, after: "{body["pageInfo"]["endCursor"]}"')
    assert second == ["CLM003", "CLM004"]
    assert body["pageInfo"]["hasNextPage"] is True
    assert body["totalCount"] == 5
    third, body = page(f'first: 2, after: "{body["pageInfo"]["endCursor"]}"')
    assert third == ["CLM006"]
    assert body["pageInfo"]["hasNextPage"] is False

    last, body = page("last: 2")
    assert last == ["CLM004", "CLM006"]
    assert body["pageInfo"]["hasPreviousPage"] is True
    before, body = page(f'last: 2, before: "{body["pageInfo"]["startCursor"]}"')
    assert before == ["CLM002", "CLM003"]


def test_paging_keeps_the_filters(gql, world, reader):
    response = gql(claims_query('status_Gt: 2, orderBy: ["-dateClaimed"], first: 1'),
                   user=reader)

    assert codes(response) == ["CLM004"]
    assert response.data["claims"]["totalCount"] == 3
    assert response.data["claims"]["pageInfo"]["hasNextPage"] is True


def test_searcher_without_first_returns_a_default_page(gql, world, reader):
    response = gql(claims_query(), user=reader)

    assert sorted(codes(response)) == VISIBLE


def test_an_undecodable_row_id_is_refused_with_a_message(gql, world, reader):
    response = gql(claims_query('icd_Id: "not-an-id"'), user=reader)

    assert response.data["claims"] is None
    assert "icd__id" in response.error_messages[0]


# ---------------------------------------------------------------------------------------------
# One claim as the claim page shows it.
# ---------------------------------------------------------------------------------------------

def build_detailed_claim(tenant, *, lines: int = 2) -> Claim:
    """A reviewed claim with every relation the claim page reads set: a facility in a district
    with price lists and a contract, a referring hospital, the clerk, five diagnoses slots (two
    used), the feedback, the rejected claim it restores, a document, and `lines` valid lines:
    two (amoxicillin, consultation), three (and a rejected paracetamol), or more (each further
    one with its own item or service and product); plus a deleted line that must not show."""
    scene = make_claim_scene(tenant)
    chain = make_location_chain(tenant, "C")
    chain.region.name, chain.district.name = "Central", "Lilongwe"
    chain.region.save()
    chain.district.save()
    facility = scene.facility
    facility.name, facility.level, facility.location = ("Kawale Health Centre",
                                                        FacilityLevel.HEALTH_CENTRE,
                                                        chain.district)
    facility.contract_start_date, facility.contract_end_date = date(2025, 1, 1), \
        date(2025, 12, 31)
    facility.save()
    hospital = make_facility(tenant, code="KCH", name="Kamuzu Central Hospital",
                             level=FacilityLevel.HOSPITAL, location=chain.district)
    insuree = scene.insuree
    insuree.last_name, insuree.other_names = "Mwale", "Chikondi"
    insuree.save()
    officer = Officer.objects.create(tenant=tenant, code="EO1", last_name="Tembo",
                                     other_names="Esther")
    rejected = make_claim(tenant, code="CLM0041", insuree=insuree, health_facility=facility,
                          icd=scene.diagnosis, status=ClaimStatus.REJECTED,
                          claimed=Decimal("37.00"), date_from=date(2025, 3, 1),
                          date_claimed=date(2025, 3, 2), date_processed=date(2025, 3, 3))
    para = make_item(tenant, code="PARA", name="Paracetamol 500 mg", price=Decimal("0.50"),
                     maximum_amount=Decimal("20.00"))
    items = [(scene.item, {"qty_provided": Decimal("10"), "price_asked": Decimal("2.50"),
                           "price_adjusted": Decimal("2.50"), "qty_approved": Decimal("8"),
                           "price_approved": Decimal("2.50"), "product": scene.product,
                           "justification": "Protocol: 8 tablets",
                           "explanation": "Twice a day"}),
             (para, {"qty_provided": Decimal("2"), "price_asked": Decimal("0.50"),
                     "status": LineStatus.REJECTED,
                     "rejection_reason": RejectionReason.NOT_IN_PRICE_LIST}),
             (scene.item, {"qty_provided": Decimal("1"), "validity_to": DELETED})]
    services = [(scene.service, {"qty_provided": Decimal("1"), "price_asked": Decimal("12.00"),
                                 "price_adjusted": Decimal("10.00"),
                                 "qty_approved": Decimal("1"),
                                 "price_approved": Decimal("10.00"),
                                 "product": scene.product})]
    for n in range(max(lines - 3, 0)):  # more lines, each with its own item or service
        if n % 2:
            services.append((make_service(tenant, price=Decimal("5.00")),
                             {"product": make_product(tenant)}))
        else:
            items.append((make_item(tenant, price=Decimal("1.00")),
                          {"product": make_product(tenant)}))
    if lines < 3:
        items.pop(1)
    claim = make_claim(
        tenant, code="CLM0042", insuree=insuree, health_facility=facility, admin=scene.admin,
        icd=scene.diagnosis, icd_1=Diagnosis.objects.get(code="J18"), restore=rejected,
        status=ClaimStatus.CHECKED, review_status=ReviewStatus.DELIVERED,
        feedback_status=ReviewStatus.DELIVERED, claimed=Decimal("38.00"),
        approved=Decimal("30.00"), date_from=date(2025, 3, 1), date_to=date(2025, 3, 3),
        date_claimed=date(2025, 3, 4), visit_type="R", care_type="OPD",
        patient_condition="H", refer_from=hospital, referral_code="REF-7731",
        guarantee_id="GN-2025-0042", explanation="Fever for three days; malaria RDT positive.",
        adjustment="Amoxicillin cut to 8 tablets (protocol).",
        # Keys in PostgreSQL's jsonb order (shorter first), so both databases answer alike.
        json_ext={"pages": 2, "source": "paper form"}, items=items, services=services,
    )
    Feedback.objects.create(claim=claim, officer=officer, feedback_date=date(2025, 3, 10),
                            care_rendered=True, payment_asked=False, drug_prescribed=True,
                            drug_received=True, asessment=4)
    ClaimAttachment.objects.create(claim=claim, title="Referral letter", filename="ref.pdf",
                                   mime="application/pdf", date=date(2025, 3, 1))
    return claim


def test_claim_page_reads_every_relation(gql, tenant, reader):
    claim = build_detailed_claim(tenant, lines=3)

    response = gql(CLAIM_DETAIL, {"uuid": str(claim.uuid)}, user=reader)

    assert response.errors == [], response.errors
    data = response.data["claim"]
    assert data["code"] == "CLM0042"
    assert data["restore"]["code"] == "CLM0041"
    assert data["restoreId"] == claim.restore_id
    assert data["healthFacility"]["location"]["parent"]["name"] == "Central"
    assert data["admin"]["healthFacility"]["location"]["code"] == "CD"
    assert data["referFrom"]["code"] == "KCH"
    assert data["referTo"] is None
    assert [d and d["code"] for d in (data["icd"], data["icd1"], data["icd2"])] == \
        ["B50", "J18", None]
    assert data["feedback"]["officerId"] == claim.feedback.officer_id
    assert [line["item"]["code"] for line in data["items"]] == ["AMOX", "PARA"]  # not deleted
    assert data["items"][1]["rejectionReason"] == 2
    assert data["services"][0]["service"]["code"] == "CONS"
    assert data["attachmentsCount"] == 1


def test_claim_by_uuid_answers_null_for_unknown_malformed_and_deleted(gql, world, reader):
    deleted = Claim.objects.get(code="DEL007")
    for uuid in ("not-a-uuid", "00000000-0000-0000-0000-000000000000", str(deleted.uuid)):
        response = gql(CLAIM_DETAIL, {"uuid": uuid}, user=reader)
        assert response.errors == []
        assert response.data == {"claim": None}


# ---------------------------------------------------------------------------------------------
# Query counts: the SQL a page costs does not depend on its size.
# ---------------------------------------------------------------------------------------------

SEARCHER_PAGE = f"""
query ($first: Int) {{ claims(first: $first, orderBy: ["-dateClaimed"]) {{
  totalCount {PAGE_INFO} edges {{ node {{ {SEARCHER_NODE} }} }} }} }}
"""


def test_searcher_query_count_does_not_grow_with_the_page(gql, tenant, reader,
                                                          django_assert_max_num_queries):
    scene = make_claim_scene(tenant)
    facilities = [scene.facility, *(make_facility(tenant) for _ in range(4))]
    insurees = [scene.insuree, *make_family_with_insurees(
        tenant, members=[{} for _ in range(8)])[1]]
    rejected = make_claim(tenant, code="REJ", insuree=scene.insuree,
                          health_facility=scene.facility, icd=scene.diagnosis,
                          status=ClaimStatus.REJECTED)
    Claim.objects.bulk_create(
        Claim(tenant=tenant, code=f"B{n:04d}", insuree=insurees[n % len(insurees)],
              health_facility=facilities[n % len(facilities)], icd=scene.diagnosis,
              admin=scene.admin, date_from=date(2025, 3, 1), date_claimed=date(2025, 3, 2),
              claimed=Decimal(n), restore=rejected if n == 7 else None,
              json_ext={"n": n})
        for n in range(120)
    )
    ClaimAttachment.objects.bulk_create(ClaimAttachment(claim=claim, title="Scan")
                                        for claim in Claim.objects.filter(code__endswith="3"))
    gql(SEARCHER_PAGE, {"first": 10}, user=reader)  # warm the module configuration cache

    with CaptureQueriesContext(connection) as small:
        response = gql(SEARCHER_PAGE, {"first": 10}, user=reader)
    assert response.errors == [], response.errors
    assert len(response.data["claims"]["edges"]) == 10
    # The user, their rights, the count, the page (facility, insuree, attachments joined).
    assert len(small) <= 8, [q["sql"] for q in small]

    with django_assert_max_num_queries(len(small)):
        response = gql(SEARCHER_PAGE, {"first": 100}, user=reader)
    assert response.errors == [], response.errors
    assert len(response.data["claims"]["edges"]) == 100
    assert response.data["claims"]["totalCount"] == 120  # the rejected one is restored
    nodes = [edge["node"] for edge in response.data["claims"]["edges"]]
    assert {node["attachmentsCount"] for node in nodes} == {0, 1}
    assert len({node["insuree"]["chfId"] for node in nodes}) == len(insurees)


def test_claim_query_count_does_not_grow_with_its_lines(gql, tenant, other_tenant, make_user,
                                                        django_assert_max_num_queries):
    small = build_detailed_claim(tenant, lines=2)
    large = build_detailed_claim(other_tenant, lines=30)
    for claim in (small, large):  # referred to a hospital too: both referral facilities set
        Claim.objects.filter(pk=claim.pk).update(refer_to=claim.refer_from)
    readers = {small: make_user([SEARCH], username="reader-1"),
               large: make_user([SEARCH], tenant=other_tenant, username="reader-2")}
    for claim, user in readers.items():  # warm the module configuration cache
        gql(CLAIM_DETAIL, {"uuid": str(claim.uuid)}, user=user)

    with CaptureQueriesContext(connection) as measured:
        response = gql(CLAIM_DETAIL, {"uuid": str(small.uuid)}, user=readers[small])
    assert response.errors == [], response.errors
    assert len(response.data["claim"]["items"]) + len(response.data["claim"]["services"]) == 2
    assert response.data["claim"]["referTo"]["location"]["parent"]["code"] == "CR"
    # The user, their rights, the claim with every relation joined, its items, its services.
    assert len(measured) <= 5, [q["sql"] for q in measured]

    with django_assert_max_num_queries(len(measured)):
        response = gql(CLAIM_DETAIL, {"uuid": str(large.uuid)}, user=readers[large])
    assert response.errors == [], response.errors
    assert len(response.data["claim"]["items"]) + len(response.data["claim"]["services"]) == 30
    products = {line["product"]["uuid"] for line in response.data["claim"]["items"]
                if line["product"] is not None}
    assert len(products) == 15  # the amoxicillin's and one for each further item


# ---------------------------------------------------------------------------------------------
# Snapshots of what the SPA reads (ids and uuids replaced by what they stand for).
# ---------------------------------------------------------------------------------------------

def scrub(value, key: str | None = None):
    """Ids differ from run to run: a relay id becomes `<its type>`, a numeric id (also in a
    download link) `<pk>`, a uuid `<uuid>` (null stays null: the snapshot shows what is
    missing)."""
    if isinstance(value, dict):
        return {k: scrub(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if value is None:
        return None
    if key == "uuid":
        return "<uuid>"
    if key in ("restoreId", "officerId"):
        return "<pk>"
    if key == "url" and str(value).startswith("/api/claim/attach?id="):
        return "/api/claim/attach?id=<pk>"
    if key == "id":
        text = str(value)
        return "<pk>" if text.isdigit() else f"<{from_global_id(text)[0]}>"
    return value


def test_searcher_response_snapshot(gql, world, reader, snapshot):
    response = gql(claims_query('orderBy: ["code"], first: 10'), user=reader)

    assert response.errors == [], response.errors
    snapshot.assert_match(scrub(response.data))


def test_claim_response_snapshot(gql, tenant, reader, snapshot):
    claim = build_detailed_claim(tenant, lines=3)

    response = gql(CLAIM_DETAIL, {"uuid": str(claim.uuid)}, user=reader)

    assert response.errors == [], response.errors
    snapshot.assert_match(scrub(response.data))


# ---------------------------------------------------------------------------------------------
# Row security.
# ---------------------------------------------------------------------------------------------

CLAIM_CODE = 'query ($uuid: String!) { claim(uuid: $uuid) { code claimed } }'


def test_another_tenants_claims_never_show(gql, world, reader, make_user, other_tenant):
    foreign_claim = Claim.objects.get(tenant=other_tenant)
    foreigner = make_user([SEARCH], tenant=other_tenant, username="foreigner")

    mine = gql(claims_query("showRestored: true"), user=reader)
    theirs = gql(claims_query("showRestored: true"), user=foreigner)
    by_uuid = gql(CLAIM_CODE, {"uuid": str(foreign_claim.uuid)}, user=reader)
    searched = gql(claims_query('insuree_ChfId: "111111111", claimed_Gte: "99.00", '
                                'claimed_Lte: "99.00"'), user=reader)

    assert "99.00" not in {edge["node"]["claimed"] for edge in mine.data["claims"]["edges"]}
    assert mine.data["claims"]["totalCount"] == 6
    assert [(e["node"]["code"], e["node"]["claimed"]) for e in theirs.data["claims"]["edges"]] \
        == [("CLM001", "99.00")]
    assert by_uuid.errors == []
    assert by_uuid.data == {"claim": None}
    assert codes(searched) == []  # T2's CLM001: same insurance number, 99.00
    assert gql(CLAIM_CODE, {"uuid": str(foreign_claim.uuid)}, user=foreigner) \
        .data["claim"] == {"code": "CLM001", "claimed": "99.00"}


def test_a_claim_administrator_sees_only_their_facilitys_claims(gql, world, make_user):
    clerk = make_user([SEARCH], username="clerk")
    clerk.health_facility = world.scene.facility
    clerk.save()
    other_facility_claim = Claim.objects.get(code="CLM002")

    listed = gql(claims_query('orderBy: ["code"]'), user=clerk)
    restored = gql(claims_query('showRestored: true, orderBy: ["code"]'), user=clerk)
    filtered = gql(claims_query(f'healthFacility_Uuid: "{world.hf2.uuid}"'), user=clerk)
    foreign = gql(CLAIM_CODE, {"uuid": str(other_facility_claim.uuid)}, user=clerk)
    own = gql(CLAIM_DETAIL, {"uuid": str(world.claims[0].uuid)}, user=clerk)

    assert codes(listed) == ["CLM001", "CLM004", "CLM006"]
    assert codes(restored) == ["CLM001", "CLM004", "CLM006", "REJ005"]
    assert codes(filtered) == []
    assert foreign.errors == []
    assert foreign.data == {"claim": None}
    assert own.errors == []
    assert own.data["claim"]["code"] == "CLM001"


def test_searching_claims_needs_right_111001(gql, world, make_user):
    clerk_without_search = make_user([111002, 111005], username="no-search")

    for document, variables in ((claims_query(), None),
                                (CLAIM_CODE, {"uuid": str(world.claims[0].uuid)})):
        response = gql(document, variables, user=clerk_without_search)
        assert response.error_messages == ["Unauthorized"]
        assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"
        anonymous = gql(document, variables)
        assert anonymous.error_messages == ["Authentication required"]


# ---------------------------------------------------------------------------------------------
# The other queries of the claim pages.
# ---------------------------------------------------------------------------------------------

CLAIM_ATTACHMENTS = """
query ($claimUuid: UUID) { claimAttachments(claim_Uuid: $claimUuid) { totalCount edges { node {
  id type title date filename url generalType mime
  predefinedType { claimAttachmentType isAutogenerated }
} } } }
"""


def test_claim_attachments_of_one_claim(gql, world, reader, snapshot):
    invoice_type = ClaimAttachmentType.objects.create(claim_attachment_type="Invoice")
    claim = world.claims[3]  # CLM004: an invoice and a discharge note
    ClaimAttachment.objects.filter(claim=claim, title="Invoice").update(
        type="invoice", date=date(2025, 6, 5), mime="application/pdf",
        predefined_type=invoice_type)
    ClaimAttachment.objects.filter(claim=claim, title="Discharge note").update(
        mime="application/pdf", url="https://files.example.org/discharge.pdf")
    ClaimAttachment.objects.create(claim=claim, title="Withdrawn", validity_to=DELETED)
    invoice = ClaimAttachment.objects.get(claim=claim, title="Invoice")

    response = gql(CLAIM_ATTACHMENTS, {"claimUuid": str(claim.uuid)}, user=reader)

    assert response.errors == [], response.errors
    nodes = sorted((edge["node"] for edge in response.data["claimAttachments"]["edges"]),
                   key=lambda node: node["title"])
    assert response.data["claimAttachments"]["totalCount"] == 2
    assert from_global_id(nodes[1]["id"]) == ("ClaimAttachmentGQLType", str(invoice.pk))
    # No stored link: the download endpoint, with the id the web app decodes from `id`.
    assert nodes[1]["url"] == f"/api/claim/attach?id={invoice.pk}"
    assert nodes[0]["url"] == "https://files.example.org/discharge.pdf"
    snapshot.assert_match(scrub(nodes))


def test_claim_attachments_follow_the_claims_row_security(gql, world, reader, make_user,
                                                          other_tenant):
    clerk = make_user([SEARCH], username="clerk-hf2")
    clerk.health_facility = world.hf2
    clerk.save()
    foreigner = make_user([SEARCH], tenant=other_tenant, username="foreigner")
    hf1_claim = world.claims[0]  # CLM001 at HF1, with a prescription

    def titles(user, claim):
        response = gql(CLAIM_ATTACHMENTS, {"claimUuid": str(claim.uuid)}, user=user)
        assert response.errors == [], response.errors
        return [edge["node"]["title"] for edge in response.data["claimAttachments"]["edges"]]

    assert titles(reader, hf1_claim) == ["Prescription"]
    assert titles(foreigner, hf1_claim) == []
    assert titles(clerk, hf1_claim) == []  # another facility's claim


CLAIM_ADMINS = """
query ($search: String, $hf: String, $region: String, $district: String, $first: Int) {
  claimAdmins(search: $search, healthFacility_Uuid: $hf, regionUuid: $region,
              districtUuid: $district, first: $first, orderBy: ["code"]) {
    totalCount edges { node { id uuid code lastName otherNames
      healthFacility { id uuid code name location { uuid code parent { uuid code } } } } }
  }
}
"""


def test_claim_admin_picker_filters(gql, world, reader):
    ClaimAdmin.objects.create(tenant=world.scene.facility.tenant, code="CA3", last_name="Zulu",
                              other_names="Mary", health_facility=world.hf3)
    ClaimAdmin.objects.create(tenant=world.scene.facility.tenant, code="CA9", last_name="Gone",
                              other_names="Old", health_facility=world.hf3,
                              validity_to=DELETED)

    def admins(**variables):
        response = gql(CLAIM_ADMINS, variables, user=reader)
        assert response.errors == [], response.errors
        return [edge["node"]["code"] for edge in response.data["claimAdmins"]["edges"]]

    assert admins() == ["CA1", "CA2", "CA3"]  # not the deleted one, nor T2's CA1
    assert admins(search="phi") == ["CA2"]  # last name
    assert admins(search="ca3") == ["CA3"]  # code
    assert admins(search="anna") == ["CA1"]  # other names
    assert admins(hf=str(world.hf2.uuid)) == ["CA2"]
    # The app declares these Strings: one that is not a uuid finds nothing, and is no error.
    assert admins(hf="not-a-uuid") == []
    assert admins(district="D1") == []
    assert admins(region=str(world.south.region.uuid)) == ["CA3"]
    assert admins(district=str(world.north.district.uuid)) == ["CA2"]
    assert admins(district=str(world.south.district.uuid), search="phi") == []
    page = gql(CLAIM_ADMINS, {"first": 1}, user=reader).data["claimAdmins"]
    assert page["totalCount"] == 3
    assert [edge["node"]["code"] for edge in page["edges"]] == ["CA1"]
    node = gql(CLAIM_ADMINS, {"search": "CA2"}, user=reader) \
        .data["claimAdmins"]["edges"][0]["node"]
    assert (node["lastName"], node["otherNames"]) == ("Phiri", "John")
    assert node["healthFacility"]["location"]["parent"]["code"] == "NR"


CLAIM_OFFICERS = """
query ($search: String, $first: Int) { claimOfficers(search: $search, first: $first,
  orderBy: ["code"]) { totalCount edges { node { id uuid code lastName otherNames } } } }
"""


def test_claim_officer_picker(gql, tenant, other_tenant, reader):
    Officer.objects.create(tenant=tenant, code="EO1", last_name="Tembo", other_names="Esther")
    Officer.objects.create(tenant=tenant, code="EO2", last_name="Zulu", other_names="Peter")
    Officer.objects.create(tenant=tenant, code="EO3", last_name="Retired", other_names="Rex",
                           validity_to=DELETED)
    Officer.objects.create(tenant=other_tenant, code="EO4", last_name="Tembo",
                           other_names="Foreign")

    def officers(**variables):
        response = gql(CLAIM_OFFICERS, variables, user=reader)
        assert response.errors == [], response.errors
        return [(edge["node"]["code"], edge["node"]["lastName"])
                for edge in response.data["claimOfficers"]["edges"]]

    assert officers(first=20) == [("EO1", "Tembo"), ("EO2", "Zulu")]
    assert officers(search="tem", first=20) == [("EO1", "Tembo")]
    assert officers(search="eo2", first=20) == [("EO2", "Zulu")]
    assert officers(first=1) == [("EO1", "Tembo")]


def test_claim_attachment_types(gql, reader):
    ClaimAttachmentType.objects.bulk_create([
        ClaimAttachmentType(claim_attachment_type="Referral letter"),
        ClaimAttachmentType(claim_attachment_type="Claim form", is_autogenerated=True),
        ClaimAttachmentType(claim_attachment_type="Lab portal", claim_general_type="URL"),
    ])

    # The attachment form's type picker (fe-claim 1.10) also asks whether a type is a link.
    response = gql("""{ claimAttachmentType(first: 10, orderBy: ["claimAttachmentType"]) {
      totalCount edges { node { id claimAttachmentType isAutogenerated claimGeneralType } } } }""",
                   user=reader)

    assert response.errors == [], response.errors
    nodes = [edge["node"] for edge in response.data["claimAttachmentType"]["edges"]]
    assert [(n["claimAttachmentType"], n["isAutogenerated"], n["claimGeneralType"])
            for n in nodes] == [("Claim form", True, "FILE"), ("Lab portal", False, "URL"),
                                ("Referral letter", False, "FILE")]


VALIDATE_CODE = "query ($claimCode: String!) { isValid: validateClaimCode(claimCode: $claimCode) }"


def test_validate_claim_code(gql, world, make_user, other_tenant):
    clerk = make_user([111002], username="entry-clerk")
    foreign_clerk = make_user([111002], tenant=other_tenant, username="foreign-clerk")

    def valid(code, user=clerk, **extra):
        document = VALIDATE_CODE
        if extra:
            document = """query ($claimCode: String!, $hf: String) {
              isValid: validateClaimCode(claimCode: $claimCode, healthFacilityUuid: $hf) }"""
        response = gql(document, {"claimCode": code, **extra}, user=user)
        assert response.errors == [], response.errors
        return response.data["isValid"]

    assert valid("CLM001") is False  # used
    assert valid("CLM999") is True  # free
    assert valid("DEL007") is True  # only a deleted claim had it
    assert valid("REJ005") is False  # a rejected claim still holds its code
    assert valid("CLM004", user=foreign_clerk) is True  # another tenant's code
    assert valid("CLM001", hf=str(world.hf2.uuid)) is True  # codes are per facility
    assert valid("CLM002", hf=str(world.hf2.uuid)) is False
    no_right = gql(VALIDATE_CODE, {"claimCode": "X"}, user=make_user([SEARCH]))
    assert no_right.error_messages == ["Unauthorized"]


SAME_DIAGNOSIS = """
query ($chfid: String, $icd: String, $statusGt: Int) {
  claimWithSameDiagnosis(chfid: $chfid, icd: $icd, status_Gt: $statusGt,
                         orderBy: ["date_claimed"]) {
    totalCount edges { node { uuid code dateFrom dateTo dateClaimed status
      healthFacility { code name } } }
  }
}
"""


def test_claim_with_same_diagnosis(gql, world, reader):
    def same(**variables):
        response = gql(SAME_DIAGNOSIS, variables, user=reader)
        assert response.errors == [], response.errors
        return codes(response, "claimWithSameDiagnosis")

    # Mwale's malaria claims: rejected ones too (REJ005), never T2's claim of the same number.
    assert same(chfid="111111111", icd="B50") == ["REJ005", "CLM006", "CLM001", "CLM003"]
    assert same(chfid="111111111", icd="B50", statusGt=2) == ["CLM003"]
    assert same(chfid="111111111", icd=str(world.scene.diagnosis.pk), statusGt=2) == ["CLM003"]
    assert same(chfid="222222222", icd="J18") == ["CLM002"]
    assert same(chfid="222222222", icd="J18", statusGt=4) == []
    assert same(chfid="111111111", icd="J18") == []


FSP = """
query ($code: String!, $date: Date) { fspFromClaim(insureeCode: $code, dateClaimed: $date) {
  id uuid code name level location { code parent { code } } } }
"""


def test_first_point_of_service_is_the_insurees_facility(gql, world, reader, other_tenant):
    world.scene.insuree.health_facility = world.hf2
    world.scene.insuree.save()
    world.foreign.insuree.health_facility = world.foreign.facility  # same insurance number
    world.foreign.insuree.save()

    def fsp(code):
        response = gql(FSP, {"code": code, "date": "2025-03-05"}, user=reader)
        assert response.errors == [], response.errors
        return response.data["fspFromClaim"]

    found = fsp("111111111")
    assert (found["code"], found["name"], found["location"]["parent"]["code"]) == \
        ("HF2", "North Hospital", "NR")
    assert from_global_id(found["id"]) == ("HealthFacilityGQLType", str(world.hf2.pk))
    assert fsp("222222222") is None  # no first point of service recorded
    assert fsp("999999999") is None


def test_claim_rejection_reasons(gql, reader, make_user):
    response = gql("{ claimRejectionReasons { code label } }", user=make_user())

    assert response.errors == [], response.errors
    reasons = {r["code"]: r["label"] for r in response.data["claimRejectionReasons"]}
    assert reasons[2] == "not in the facility's price list"
    assert reasons[-1] == "rejected by the medical officer"
    assert reasons[0] == "accepted"
    assert reasons[30] == "pre-authorization required but none valid"
    assert reasons[31] == "pre-authorization quantity used up"
    assert set(reasons) == {int(r) for r in RejectionReason}
    assert gql("{ claimRejectionReasons { code } }").error_messages == \
        ["Authentication required"]


VARIANCE = """
query ($variance: Int) { claims(diagnosisVariance: $variance, orderBy: ["code"]) {
  edges { node { code } } } }
"""


def test_claims_above_their_diagnosis_average(gql, tenant, other_tenant, reader):
    """The reviews page's variance filter (openIMIS `diagnosisVariance`): claims asking more than
    N % above the average approved of their main diagnosis over the last year, and claims whose
    diagnosis had no claim in that year."""
    scene = make_claim_scene(tenant)
    pneumonia = Diagnosis.objects.get(code="J18")
    recent = date.today().replace(day=1)

    def claim(code, claimed, approved, icd=scene.diagnosis, claimed_on=recent, tenant=tenant,
              scene=scene):
        return make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                          icd=icd, services=[scene.service], code=code, date_from=claimed_on,
                          date_claimed=claimed_on, claimed=Decimal(claimed),
                          approved=None if approved is None else Decimal(approved))

    claim("AVG1", "90", "90")
    claim("AVG2", "110", "110")  # malaria: average approved 100
    claim("HIGH", "121", None)  # more than 20 % above
    claim("EDGE", "120", None)  # exactly 20 % above: not more
    claim("OLDPN", "5", "5", icd=pneumonia, claimed_on=recent.replace(year=recent.year - 2))
    other = make_claim_scene(other_tenant)
    claim("T2LOW", "1", "1", tenant=other_tenant, scene=other)  # not in T1's average

    response = gql(VARIANCE, {"variance": 20}, user=reader)

    assert response.errors == [], response.errors
    assert [e["node"]["code"] for e in response.data["claims"]["edges"]] == ["HIGH", "OLDPN"]
