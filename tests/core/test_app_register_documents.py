"""The web app's own register documents (openIMIS fe-location 1.8.0, fe-insuree 1.11.0,
fe-medical 1.9.0, fe-claim 1.10.0) get data and no errors, with the variable types the app
declares. Each document is copied from the package source or from the documents the built app
sent (`../shared/spa/operations/`); only literal values (ids, insurance numbers) are the
scene's."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.registers.codes import FacilityLevel, InsureeStatus, MaritalStatus, PackageType
from core.registers.models import (
    ConfirmationType,
    Education,
    FamilyType,
    IdentificationType,
    InsureePhoto,
    Profession,
    Relation,
    ServicePackageItem,
    ServicePackageService,
)
from core.roles import CLERK, role_rights
from tests.factories import (
    make_facility,
    make_family_with_insurees,
    make_item,
    make_location,
    make_location_chain,
    make_service,
)

pytestmark = pytest.mark.django_db

# fe-location src/actions.js healthFacilityFullPath (UserHealthFacilityLoader, at start-up for a
# user with a facility), as sent: operations/08-healthFacilities.graphql.
USER_HEALTH_FACILITY = """{
  healthFacilities(id: "%s")
  {

pageInfo { hasNextPage, hasPreviousPage, startCursor, endCursor}
edges
{
  node
  {
    id,uuid,code,name,level,servicesPricelist{id, uuid},itemsPricelist{id, uuid},contractStartDate,contractEndDate,location{id,uuid,code,name,type, parent{id,uuid,code,name,type}}
  }
}
  }
}"""  # noqa: E501

# fe-location src/pickers/HealthFacilityPicker.js (claim filters, claim form):
# operations/12-HealthFacilityPicker.graphql.
HEALTH_FACILITY_PICKER = """
    query HealthFacilityPicker ($str: String, $region: String, $district: [String], $level: String) {
      healthFacilities: healthFacilitiesStr(first: 20, str: $str, regionUuid: $region, districtsUuids: $district, level: $level) {
        edges {
          node {
            id
            uuid
            code
            name
            level
            servicesPricelist{id, uuid}
            itemsPricelist{id, uuid}
            location {id,uuid,code,name,type parent { id,uuid,code,name,type }}
          }
        }
      }
    }
"""  # noqa: E501

# fe-location src/pickers/HealthFacilityReferPicker.js (claim form: referral facility).
HEALTH_FACILITY_REFER_PICKER = """
    query HealthFacilityPicker ($str: String, $level: String) {
      healthFacilities: healthFacilitiesStr(first: 20, str: $str, level: $level) {
        edges {
          node {
            id
            uuid
            code
            name
            level
            servicesPricelist{id, uuid}
            itemsPricelist{id, uuid}
          }
        }
      }
    }
"""

# fe-insuree src/actions.js fetchInsuree (InsureeChfIdPicker: the claim form's insurance number
# lookup): operations/20-insurees.graphql.
INSUREE_LOOKUP = """{
  insurees(chfId:"%s", ignoreLocation:true)
  {

pageInfo { hasNextPage, hasPreviousPage, startCursor, endCursor}
edges
{
  node
  {
    id,uuid,chfId,lastName,otherNames,dob,age,validityFrom,validityTo,gender{code},status,family{id,uuid,poverty,confirmationNo,confirmationType{code, isConfirmationNumberRequired},familyType{code},address,validityFrom,validityTo,headInsuree{id,uuid,chfId,lastName,otherNames,dob,age,validityFrom,validityTo,photo{id,uuid,date,folder,filename,officerId,photo},gender{code, gender},education{id},profession{id},marital,cardIssued,currentVillage{id, uuid, code, name, type, parent{id,uuid,code,name,type,parent{id,uuid,code,name,type,parent{id,uuid,code,name,type}}}},currentAddress,typeOfId{code},passport,relationship{id},head,status,statusDate,statusReason{code,insureeStatusReason},email,phone,healthFacility{id, uuid, code, name, level, servicesPricelist{id, uuid}, itemsPricelist{id, uuid}, contractStartDate, contractEndDate, location{id,uuid,code,name,type, parent{id,uuid,code,name,type}}}},location{id, uuid, code, name, type, parent{id,uuid,code,name,type,parent{id,uuid,code,name,type,parent{id,uuid,code,name,type}}}},clientMutationId},photo{folder,filename,photo},gender{code, gender, altLanguage},healthFacility{id, uuid, code, name, level, servicesPricelist{id, uuid}, itemsPricelist{id, uuid}, contractStartDate, contractEndDate, location{id,uuid,code,name,type, parent{id,uuid,code,name,type}}}
  }
}
  }
}"""  # noqa: E501

# fe-insuree src/actions.js fetchInsureesForPicker with INSUREE_FULL_PROJECTION, as the
# InsureePicker (fe-claim's claim history report) builds it: filters, then `first`.
INSUREE_PICKER = """{
  insurees(chfId_Istartswith: "%s",first: 10)
  {
    totalCount

pageInfo { hasNextPage, hasPreviousPage, startCursor, endCursor}
edges
{
  node
  {
    id,uuid,chfId,lastName,otherNames,dob,age,validityFrom,validityTo,family{id,uuid,poverty,confirmationNo,confirmationType{code, isConfirmationNumberRequired},familyType{code},address,validityFrom,validityTo,headInsuree{id,uuid,chfId,lastName,otherNames,dob,age,validityFrom,validityTo,photo{id,uuid,date,folder,filename,officerId,photo},gender{code, gender},education{id},profession{id},marital,cardIssued,currentVillage{id, uuid, code, name, type, parent{id,uuid,code,name,type,parent{id,uuid,code,name,type,parent{id,uuid,code,name,type}}}},currentAddress,typeOfId{code},passport,relationship{id},head,status,statusDate,statusReason{code,insureeStatusReason},email,phone,healthFacility{id, uuid, code, name, level, servicesPricelist{id, uuid}, itemsPricelist{id, uuid}, contractStartDate, contractEndDate, location{id,uuid,code,name,type, parent{id,uuid,code,name,type}}}},location{id, uuid, code, name, type, parent{id,uuid,code,name,type,parent{id,uuid,code,name,type,parent{id,uuid,code,name,type}}}},clientMutationId},photo{id,uuid,date,folder,filename,officerId,photo},gender{code, gender},education{id},profession{id},marital,cardIssued,currentVillage{id, uuid, code, name, type, parent{id,uuid,code,name,type,parent{id,uuid,code,name,type,parent{id,uuid,code,name,type}}}},currentAddress,typeOfId{code},passport,relationship{id},head,status,jsonExt,statusDate,statusReason{code,insureeStatusReason},email,phone,healthFacility{id, uuid, code, name, level, servicesPricelist{id, uuid}, itemsPricelist{id, uuid}, contractStartDate, contractEndDate, location{id,uuid,code,name,type, parent{id,uuid,code,name,type}}}
  }
}
  }
}"""  # noqa: E501

# fe-medical src/pickers/DiagnosisPicker.js: operations/22-DiagnosisPicker.graphql.
DIAGNOSIS_PICKER = """
    query DiagnosisPicker ($search: String) {
      diagnosesStr(str: $search, first: 20) {
        edges {
          node {
            id
            code
            name

          }
        }
      }
    }
"""

# fe-medical src/pickers/ServicePicker.js (claim form, services panel; claim filters):
# operations/23-medicalServicesStr.graphql.
SERVICE_PICKER = """query ($searchString: String, $pricelistUuid: UUID, $date: Date) {
      medicalServicesStr(str: $searchString, first: 20, pricelistUuid: $pricelistUuid, date: $date) {
        edges {
          node {
            id name code price packagetype maximumAmount manualPrice

        serviceserviceSet{
          service{
            id
            code
            name
          }
          priceAsked
          qtyProvided
          scpDate
        }
        servicesLinked{
          item{
            id
            code
            name
          }
          priceAsked
          qtyProvided
          pcpDate
        }
          }
        }
      }
    }"""  # noqa: E501

# fe-claim src/pickers/MedicalServiceFilterPicker.js (medical.ServiceFilterPicker), no extra
# fragment.
SERVICE_FILTER_PICKER = """query ($searchString: String, $pricelistUuid: UUID, $date: Date) {
      medicalServicesStr(str: $searchString, first: 20, pricelistUuid: $pricelistUuid, date: $date) {
        edges {
          node {
            id name code price packagetype
            
          }
        }
      }
    }"""  # noqa: E501, W293

# fe-medical src/pickers/ItemPicker.js (claim form, items panel; claim filters):
# operations/24-medicalItemsStr.graphql.
ITEM_PICKER = """query ($searchString: String, $first: Int, $pricelistUuid: UUID, $date: Date) {
      medicalItemsStr(str: $searchString, first: $first, pricelistUuid: $pricelistUuid, date: $date) {
        edges {
          node {
            id name code price quantity maximumAmount

          }
        }
      }
    }"""  # noqa: E501


# fe-location src/actions.js fetchLocationsStr (LocationPicker of the claim reports), a
# municipality within a district, as `_entityAndFilters` and `_pageAndEdges` build it.
LOCATIONS_STR = """
      {
        locationsStr(type: "W",str: "%s",parent_Parent_Uuid: "%s")
        {
          
    pageInfo { hasNextPage, hasPreviousPage, startCursor, endCursor}
    edges
    {
      node
      {
        id,uuid,type,code,name,parent{id,uuid,code,name,type,parent{id,uuid,code,name,type,parent{id,uuid,code,name,type}}}
      }
    }
        }
      }
      """  # noqa: W293

# fe-location src/actions.js fetchParentLocationsStr and fetchLocationsByUuids.
PARENT_LOCATIONS_STR = """
    {
      locationsStr(type: "D",str: "",first: 20,parent_Uuid_In: ["%s"])
      {
        
    pageInfo { hasNextPage, hasPreviousPage, startCursor, endCursor}
    edges
    {
      node
      {
        id,uuid,type,code,name,parent{id,uuid,code,name,type}
      }
    }
      }
    }"""  # noqa: W293
LOCATIONS_BY_UUIDS = """
      {
        locationsStr(uuid_In: ["%s","%s"])
        {
          
    pageInfo { hasNextPage, hasPreviousPage, startCursor, endCursor}
    edges
    {
      node
      {
        id,uuid,type,code,name,parent{id,uuid,code,name,type,parent{id,uuid,code,name,type,parent{id,uuid,code,name,type}}}
      }
    }
        }
      }
      """  # noqa: W293

def relay_id(type_name: str, pk: int) -> str:
    """What the app builds: `btoa("HealthFacilityGQLType:" + user.health_facility_id)`."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def nodes(response, root: str) -> list[dict]:
    assert response.errors == [], response.errors
    return [edge["node"] for edge in response.data[root]["edges"]]


@pytest.fixture
def area(tenant):
    """Two districts of one region, and one of another region; a facility in each."""
    north = make_location_chain(tenant, prefix="N")
    north2 = make_location(tenant, "D", north.region, code="N2D", name="North two")
    south = make_location_chain(tenant, prefix="S")
    return {
        "north": north, "north2": north2, "south": south,
        "hc": make_facility(tenant, code="HC01", name="Moshi Health Centre",
                            location=north.district, items=[], services=[],
                            level=FacilityLevel.HEALTH_CENTRE),
        "hosp": make_facility(tenant, code="HOSP1", name="Hai Hospital", location=north2,
                              level=FacilityLevel.HOSPITAL),
        "south_hc": make_facility(tenant, code="HC02", name="Pwani Health Centre",
                                  location=south.district),
    }


@pytest.fixture
def clerk(make_user, area):
    user = make_user(role_rights(CLERK), username="clerk")
    user.health_facility = area["hc"]
    user.save()
    return user


# Start-up: the user's facility by relay id -------------------------------------------------


def test_the_clerks_facility_by_its_relay_id_at_start_up(gql, clerk, area):
    facility = area["hc"]

    response = gql(USER_HEALTH_FACILITY % relay_id("HealthFacilityGQLType", facility.pk),
                   user=clerk)

    (node,) = nodes(response, "healthFacilities")
    assert node["uuid"] == str(facility.uuid)
    assert node["code"] == "HC01"
    assert node["itemsPricelist"]["uuid"] == str(facility.items_pricelist.uuid)
    assert node["location"]["code"] == "ND"
    assert node["location"]["parent"] == {
        "id": relay_id("LocationGQLType", area["north"].region.pk),
        "uuid": str(area["north"].region.uuid), "code": "NR",
        "name": area["north"].region.name, "type": "R"}


def test_a_facility_by_its_number_too(gql, clerk, area):
    response = gql(USER_HEALTH_FACILITY % area["hosp"].pk, user=clerk)

    assert [n["code"] for n in nodes(response, "healthFacilities")] == ["HOSP1"]


def test_an_id_that_is_none_is_a_clear_error(gql, clerk, area):
    response = gql(USER_HEALTH_FACILITY % "not-an-id", user=clerk)

    assert response.status_code == 200
    assert response.data == {"healthFacilities": None}
    assert "Enter an id or a relay global id." in response.error_messages[0]


def test_another_tenants_facility_by_id_is_not_found(gql, clerk, other_tenant):
    theirs = make_facility(other_tenant, code="THEIRS")

    response = gql(USER_HEALTH_FACILITY % relay_id("HealthFacilityGQLType", theirs.pk),
                   user=clerk)

    assert nodes(response, "healthFacilities") == []


# The facility pickers --------------------------------------------------------------------


def test_the_facility_picker_lists_the_region_and_districts_picked(gql, make_user, area):
    officer = make_user(role_rights(CLERK))
    north = area["north"]

    by_region = gql(HEALTH_FACILITY_PICKER, {"region": str(north.region.uuid),
                                              "district": [None], "str": ""}, user=officer)
    by_district = gql(HEALTH_FACILITY_PICKER, {"region": str(north.region.uuid),
                                                "district": [str(north.district.uuid)],
                                                "str": ""}, user=officer)
    by_name = gql(HEALTH_FACILITY_PICKER, {"district": [None], "str": "health"}, user=officer)
    by_level = gql(HEALTH_FACILITY_PICKER, {"level": "H", "district": [None]}, user=officer)

    assert [n["code"] for n in nodes(by_region, "healthFacilities")] == ["HC01", "HOSP1"]
    (node,) = nodes(by_district, "healthFacilities")
    assert node["code"] == "HC01"
    assert node["location"]["parent"]["code"] == "NR"
    assert node["servicesPricelist"]["uuid"] == str(area["hc"].services_pricelist.uuid)
    assert [n["code"] for n in nodes(by_name, "healthFacilities")] == ["HC01", "HC02"]
    assert [n["code"] for n in nodes(by_level, "healthFacilities")] == ["HOSP1"]


def test_the_facility_picker_keeps_to_the_districts_the_user_works_in(gql, clerk, area):
    """A claim administrator works in their facility's district
    (core.registers.queries.user_districts): the picker offers that district's facilities only."""
    response = gql(HEALTH_FACILITY_PICKER, {"district": [None], "str": ""}, user=clerk)

    assert [n["code"] for n in nodes(response, "healthFacilities")] == ["HC01"]


def test_the_referral_picker_lists_facilities_by_name(gql, make_user, area, other_tenant):
    make_facility(other_tenant, code="HC09", name="Moshi Health Centre (theirs)")

    response = gql(HEALTH_FACILITY_REFER_PICKER, {"str": "moshi", "level": None},
                   user=make_user(role_rights(CLERK)))

    assert [(n["code"], n["level"]) for n in nodes(response, "healthFacilities")] == [
        ("HC01", "C")]


# The insurance number lookup -------------------------------------------------------------


@pytest.fixture
def household(tenant, area):
    """A poor household: its head with a photo, an ID card and a profession; a daughter."""
    north = area["north"]
    photo = InsureePhoto.objects.create(tenant=tenant, folder="2025/02",
                                        filename="100000001_20250203.png", photo="iVBORw0K",
                                        date=date(2025, 2, 3))
    family, insurees = make_family_with_insurees(
        tenant,
        head={"chf_id": "100000001", "last_name": "Mushi", "other_names": "Juma",
              "dob": date(1980, 5, 17), "marital": MaritalStatus.MARRIED,
              "education": Education.objects.get(education="Secondary school"),
              "profession": Profession.objects.get(profession="Farmer"),
              "type_of_id": IdentificationType.objects.get(code="N"), "passport": "N1234567",
              "card_issued": True, "photo": photo, "current_village": north.village,
              "current_address": "Plot 12, Kiboriloni", "health_facility": area["hc"],
              "phone": "+255 754 123456"},
        members=[{"chf_id": "100000002", "last_name": "Mushi", "other_names": "Neema",
                  "dob": date(2015, 5, 17), "gender": "F",
                  "relationship": Relation.objects.get(relation="Son/Daughter")}],
        location=north.village, address="Plot 12, Kiboriloni", poverty=True,
        family_type=FamilyType.objects.get(code="H"),
        confirmation_type=ConfirmationType.objects.get(code="C"), confirmation_no="CP-0042")
    return family, insurees


def test_the_insurance_number_lookup_gives_the_insuree_and_their_family(gql, clerk, household,
                                                                        area):
    family, (head, daughter) = household

    response = gql(INSUREE_LOOKUP % "100000002", user=clerk)

    (node,) = nodes(response, "insurees")
    assert node["chfId"] == "100000002"
    assert node["age"] == daughter.age_on(date.today())
    assert node["gender"] == {"code": "F", "gender": "Female", "altLanguage": "Féminin"}
    assert node["status"] == InsureeStatus.ACTIVE
    assert node["photo"] is None
    assert node["validityTo"] is None
    assert node["healthFacility"] is None
    found = node["family"]
    assert found["uuid"] == str(family.uuid)
    assert (found["poverty"], found["confirmationNo"], found["familyType"]) == (
        True, "CP-0042", {"code": "H"})
    assert found["confirmationType"] == {"code": "C", "isConfirmationNumberRequired": True}
    assert found["clientMutationId"] is None
    assert found["location"]["parent"]["parent"]["parent"]["code"] == "NR"
    head_node = found["headInsuree"]
    assert head_node["chfId"] == "100000001"
    assert head_node["age"] == head.age_on(date.today())
    assert head_node["gender"] == {"code": "M", "gender": "Male"}
    assert head_node["education"] == {"id": Education.objects.get(education="Secondary school").pk}
    assert head_node["profession"] == {"id": Profession.objects.get(profession="Farmer").pk}
    assert (head_node["marital"], head_node["cardIssued"], head_node["passport"]) == (
        "M", True, "N1234567")
    assert head_node["typeOfId"] == {"code": "N"}
    assert head_node["relationship"] is None
    assert head_node["currentAddress"] == "Plot 12, Kiboriloni"
    assert head_node["currentVillage"]["parent"]["parent"]["parent"]["code"] == "NR"
    assert head_node["photo"] == {
        "id": str(head.photo.pk), "uuid": str(head.photo.uuid), "date": "2025-02-03",
        "folder": "2025/02", "filename": "100000001_20250203.png", "officerId": None,
        "photo": "iVBORw0K"}
    assert (head_node["status"], head_node["statusDate"], head_node["statusReason"]) == (
        "AC", None, None)
    assert head_node["healthFacility"]["code"] == "HC01"


def test_the_insuree_picker_finds_insurees_by_the_start_of_their_number(gql, clerk,
                                                                        household):
    response = gql(INSUREE_PICKER % "10000000", user=clerk)

    found = nodes(response, "insurees")
    assert response.data["insurees"]["totalCount"] == 2
    assert [(n["chfId"], n["relationship"]) for n in found] == [
        ("100000001", None),
        ("100000002", {"id": Relation.objects.get(relation="Son/Daughter").pk})]
    assert found[0]["jsonExt"] is None


# The medical pickers -----------------------------------------------------------------------


@pytest.fixture
def malaria_package(tenant):
    """A package (P) holding a consultation, a test and two drugs, on a facility's list."""
    consult = make_service(tenant, code="C001", name="Consultation", price=Decimal("6.00"))
    test = make_service(tenant, code="O002", name="Malaria RDT", price=Decimal("1.50"))
    alu = make_item(tenant, code="0004", name="Artemether/lumefantrine", price=Decimal("0.45"))
    package = make_service(tenant, code="P001", name="Malaria package", price=Decimal("18.30"),
                           packagetype=PackageType.PACKAGE)
    ServicePackageService.objects.create(parent=package, service=consult,
                                         qty_provided=Decimal("1"), price_asked=Decimal("6.00"))
    ServicePackageService.objects.create(parent=package, service=test,
                                         qty_provided=Decimal("1"), price_asked=Decimal("1.50"))
    ServicePackageItem.objects.create(parent=package, item=alu, qty_provided=Decimal("24"),
                                      price_asked=Decimal("0.45"))
    facility = make_facility(tenant, services=[package, consult], items=[alu])
    return facility, package


def test_the_service_picker_gives_what_a_package_holds(gql, clerk, malaria_package):
    facility, _package = malaria_package

    response = gql(SERVICE_PICKER, {"pricelistUuid": str(facility.services_pricelist.uuid),
                                    "date": "2025-03-01"}, user=clerk)

    by_code = {n["code"]: n for n in nodes(response, "medicalServicesStr")}
    assert sorted(by_code) == ["C001", "P001"]
    found = by_code["P001"]
    assert (found["packagetype"], found["manualPrice"], found["price"]) == ("P", False, "18.30")
    assert [(s["service"]["code"], s["qtyProvided"], s["priceAsked"])
            for s in found["serviceserviceSet"]] == [("C001", "1.00", "6.00"),
                                                     ("O002", "1.00", "1.50")]
    assert [(i["item"]["code"], i["qtyProvided"], i["priceAsked"])
            for i in found["servicesLinked"]] == [("0004", "24.00", "0.45")]
    assert found["servicesLinked"][0]["pcpDate"]
    assert found["serviceserviceSet"][0]["scpDate"]
    simple = by_code["C001"]
    assert (simple["packagetype"], simple["serviceserviceSet"], simple["servicesLinked"]) == (
        "S", [], [])


def test_the_claim_filters_service_picker_without_a_price_list(gql, clerk, malaria_package):
    response = gql(SERVICE_FILTER_PICKER, {"searchString": "malaria", "pricelistUuid": None,
                                           "date": None}, user=clerk)

    assert [(n["code"], n["packagetype"]) for n in nodes(response, "medicalServicesStr")] == [
        ("O002", "S"), ("P001", "P")]


def test_the_item_picker_takes_the_price_list_as_a_uuid(gql, clerk, malaria_package):
    facility, _package = malaria_package

    response = gql(ITEM_PICKER, {"pricelistUuid": str(facility.items_pricelist.uuid),
                                 "first": 20, "date": "2025-03-01"}, user=clerk)

    assert [(n["code"], n["price"]) for n in nodes(response, "medicalItemsStr")] == [
        ("0004", "0.45")]


def test_a_price_list_that_is_not_a_uuid_is_a_clear_error(gql, clerk):
    response = gql(ITEM_PICKER, {"pricelistUuid": "nope", "first": 20}, user=clerk)

    assert response.status_code == 400
    assert "pricelistUuid" in response.error_messages[0]


def test_the_diagnosis_picker(gql, clerk):
    response = gql(DIAGNOSIS_PICKER, {"search": "E11.9"}, user=clerk)

    assert [n["code"] for n in nodes(response, "diagnosesStr")] == ["E11.9"]


# The same SQL at any page size ---------------------------------------------------------------


def _described_insurees(tenant, area) -> None:
    """101 households as fully described as `household`'s head: every relation set."""
    education, profession = Education.objects.first(), Profession.objects.first()
    relation, id_type = Relation.objects.first(), IdentificationType.objects.first()
    village = area["north"].village
    for n in range(101):
        photo = InsureePhoto.objects.create(tenant=tenant, folder="f", filename=f"{n}.png",
                                            photo="iVBORw0K", date=date(2025, 1, 1))
        person = {"education": education, "profession": profession, "type_of_id": id_type,
                  "current_village": village, "health_facility": area["hc"], "photo": photo,
                  "relationship": relation}
        make_family_with_insurees(
            tenant, head={"chf_id": f"5{n:08d}", **person}, location=village,
            family_type=FamilyType.objects.first(),
            confirmation_type=ConfirmationType.objects.first())


def _packages(tenant, area) -> dict:
    """101 package services, each holding an item and a service, on one price list."""
    consult = make_service(tenant, code="C001")
    drug = make_item(tenant, code="0001")
    packages = []
    for n in range(101):
        package = make_service(tenant, code=f"P{n:03d}", packagetype=PackageType.PACKAGE)
        ServicePackageService.objects.create(parent=package, service=consult,
                                             qty_provided=Decimal("1"), price_asked=Decimal("1"))
        ServicePackageItem.objects.create(parent=package, item=drug, qty_provided=Decimal("2"),
                                          price_asked=Decimal("1"))
        packages.append(package)
    facility = make_facility(tenant, services=packages)
    return {"pricelistUuid": str(facility.services_pricelist.uuid), "date": "2025-03-01"}


def _facilities(tenant, area) -> dict:
    for _ in range(101):
        make_facility(tenant, location=area["north"].district, items=[], services=[])
    return {"district": [None], "str": ""}


@pytest.mark.parametrize(("document", "root", "build"), [
    (INSUREE_PICKER.replace("first: 10", "first: %%d") % "5", "insurees",
     _described_insurees),
    (INSUREE_LOOKUP.replace('chfId:"%s"', 'chfId_Istartswith:"5", first: %d'), "insurees",
     _described_insurees),
    (SERVICE_PICKER.replace("first: 20", "first: %d"), "medicalServicesStr", _packages),
    (HEALTH_FACILITY_PICKER.replace("first: 20", "first: %d"), "healthFacilities", _facilities),
], ids=["insureePicker", "insureeLookup", "medicalServicesStr", "healthFacilitiesStr"])
def test_the_apps_lists_cost_the_same_at_10_and_100(gql, tenant, make_user, area, document,
                                                    root, build, django_assert_max_num_queries):
    user = make_user([101101, 101001])  # reads insurees and families, works everywhere
    variables = build(tenant, area) or {}
    gql(document % 10, variables, user=user)  # warm the module configuration cache
    with CaptureQueriesContext(connection) as small:
        response = gql(document % 10, variables, user=user)
    assert len(nodes(response, root)) == 10

    with django_assert_max_num_queries(len(small)):
        response = gql(document % 100, variables, user=user)

    assert len(nodes(response, root)) == 100



# The location pickers --------------------------------------------------------------------


def test_the_location_picker_searches_within_a_region_or_district(gql, clerk, area,
                                                                 other_tenant):
    north, south = area["north"], area["south"]
    make_location_chain(other_tenant, prefix="N")

    within = gql(LOCATIONS_STR % ("", north.region.uuid), user=clerk)
    named = gql(LOCATIONS_STR % (north.municipality.name[-3:], north.region.uuid), user=clerk)
    elsewhere = gql(LOCATIONS_STR % ("", south.region.uuid), user=clerk)

    (node,) = nodes(within, "locationsStr")
    assert (node["code"], node["type"], node["parent"]["code"]) == ("NW", "W", "ND")
    assert node["parent"]["parent"]["code"] == "NR"
    assert node["parent"]["parent"]["parent"] is None
    assert [n["code"] for n in nodes(named, "locationsStr")] == ["NW"]
    assert [n["code"] for n in nodes(elsewhere, "locationsStr")] == ["SW"]


def test_the_location_picker_by_parents_and_by_uuids(gql, clerk, area):
    north = area["north"]

    districts = gql(PARENT_LOCATIONS_STR % north.region.uuid, user=clerk)
    chosen = gql(LOCATIONS_BY_UUIDS % (north.village.uuid, area["south"].district.uuid),
                 user=clerk)

    assert sorted(n["code"] for n in nodes(districts, "locationsStr")) == ["N2D", "ND"]
    assert sorted(n["code"] for n in nodes(chosen, "locationsStr")) == ["NV", "SD"]
