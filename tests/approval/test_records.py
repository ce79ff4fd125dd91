"""Request documents, the communication log and templates, at the service level."""

import base64
import hashlib
from datetime import date
from decimal import Decimal

import pytest

from core.gql.errors import MutationError
from core.models import ModuleConfiguration
from openimis_approval import records
from openimis_approval.models import (
    ApprovalCommunication,
    ApprovalDocument,
    ApprovalRequest,
    ApprovalTemplate,
)
from openimis_approval.services import _replace_lines
from tests.factories import make_claim_scene, make_facility, make_item

ALL_APPROVAL_RIGHTS = list(range(112001, 112014))
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


@pytest.fixture
def scene(tenant, make_user, settings):
    settings.CLAIM_ATTACHMENTS_ROOT = ""
    scene = make_claim_scene(tenant)
    scene.user = make_user(ALL_APPROVAL_RIGHTS, username="pa-officer")
    scene.request = new_request(scene, "PA-1")
    return scene


def new_request(scene, number, status="DRAFT", facility=None):
    facility = facility or scene.facility
    return ApprovalRequest.objects.create(tenant=facility.tenant, number=number, status=status,
                                          insuree=scene.insuree, health_facility=facility)


def add(scene, content=PDF, mime="application/pdf", request=None, **extra):
    data = {"request_uuid": str((request or scene.request).uuid), "document_type": "LAB_RESULT",
            "title": "Blood smear", "filename": "smear.pdf", "mime": mime,
            "document": b64(content), **extra}
    return records.add_document(scene.user, data)


def refused(code, call, *args):
    with pytest.raises(MutationError) as caught:
        call(*args)
    assert [e["code"] for e in caught.value.errors] == [code], caught.value.errors
    return caught.value.errors[0]


# --- Documents ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_document_is_kept_in_the_database_with_its_size_and_checksum(scene):
    outcome = add(scene)

    document = ApprovalDocument.objects.get()
    assert outcome.uuids == [str(scene.request.uuid)]
    assert outcome.json_ext["documentId"] == document.pk
    assert (document.document_type, document.title, document.mime, document.size) == (
        "LAB_RESULT", "Blood smear", "application/pdf", len(PDF))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (document.storage_path, document.uploaded_by) == ("", scene.user)
    assert records.read_document(document) == PDF


@pytest.mark.django_db
def test_a_document_goes_under_the_attachments_root_when_one_is_set(scene, settings, tmp_path):
    settings.CLAIM_ATTACHMENTS_ROOT = str(tmp_path)

    add(scene)

    document = ApprovalDocument.objects.get()
    assert document.content is None
    assert document.storage_path == (
        f"approval/{scene.request.tenant_id}/{scene.request.uuid}/{document.uuid}")
    assert (tmp_path / document.storage_path).read_bytes() == PDF
    assert records.read_document(document) == PDF


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "mime", "code"), [
    (PDF * 3, "application/pdf", "attachment_too_large"),
    (b"PK\x03\x04zip", "application/zip", "attachment_type"),
    (PNG, "application/pdf", "attachment_type"),  # declared PDF, content PNG
    (b"", "application/pdf", "required"),
])
def test_a_document_outside_the_configured_limits_is_refused(scene, content, mime, code):
    ModuleConfiguration.objects.create(module="approval", layer="be",
                                       config={"document_max_bytes": len(PDF) * 2})

    refused(code, add, scene, content, mime)
    assert not ApprovalDocument.objects.exists()


@pytest.mark.django_db
def test_a_document_that_is_not_base64_is_refused(scene):
    data = {"request_uuid": str(scene.request.uuid), "document_type": "X",
            "mime": "application/pdf", "document": "not base64!"}

    refused("invalid_document", records.add_document, scene.user, data)


@pytest.mark.django_db
def test_the_same_file_is_not_attached_twice_unless_the_first_was_deleted(scene):
    add(scene)
    refused("duplicate_document", add, scene)

    records.delete_document(scene.user, ApprovalDocument.objects.get().uuid)
    add(scene)
    assert ApprovalDocument.objects.filter(validity_to__isnull=True).count() == 1


@pytest.mark.django_db
def test_no_document_is_added_to_a_closed_request(scene):
    cancelled = new_request(scene, "PA-2", status="CANCELLED")

    error = refused("illegal_transition", add, scene, PDF, "application/pdf", cancelled)
    assert error["message"] == "Approval request PA-2 is CANCELLED; no documents can be added"


@pytest.mark.django_db
def test_a_document_is_withdrawn_softly_until_the_request_is_decided(scene):
    add(scene)
    document = ApprovalDocument.objects.get()

    records.delete_document(scene.user, str(document.pk))
    document.refresh_from_db()
    assert document.validity_to is not None
    refused("not_found", records.delete_document, scene.user, str(document.pk))

    approved = new_request(scene, "PA-3", status="APPROVED")
    add(scene, request=approved)
    kept = approved.documents.get()
    refused("illegal_transition", records.delete_document, scene.user, str(kept.uuid))


@pytest.mark.django_db
def test_another_tenants_or_facilitys_request_has_no_documents_to_touch(
        scene, make_user, other_tenant):
    add(scene)
    document = ApprovalDocument.objects.get()
    stranger = make_user(ALL_APPROVAL_RIGHTS, username="stranger", tenant=other_tenant)
    other_facility = make_facility(scene.facility.tenant, code="HF2")
    neighbour = make_user(ALL_APPROVAL_RIGHTS, username="neighbour")
    neighbour.health_facility = other_facility
    neighbour.save()

    for user in (stranger, neighbour):
        data = {"request_uuid": str(scene.request.uuid), "document_type": "X",
                "mime": "application/pdf", "document": b64(PDF + b"x")}
        refused("not_found", records.add_document, user, data)
        refused("not_found", records.delete_document, user, str(document.pk))
        assert not records.visible_documents(user).exists()


# --- Communication log ----------------------------------------------------------------------


def log(scene, request=None, user=None, **extra):
    data = {"request_uuid": str((request or scene.request).uuid), "communication_type": "PHONE",
            "contact_person": "Dr Okello", "contact_number": "+256 700 000000",
            "subject": "Smear result", "message": "Asked for the smear", **extra}
    return records.log_communication(user or scene.user, data)


@pytest.mark.django_db
def test_a_call_is_logged_with_its_follow_up(scene):
    outcome = log(scene, response="Will fax it", outcome="Promised",
                  follow_up_required=True, follow_up_date=date(2025, 3, 12))

    entry = ApprovalCommunication.objects.get()
    assert outcome.json_ext == {"communicationId": entry.pk}
    assert (entry.communication_type, entry.contact_person, entry.response, entry.outcome) == (
        "PHONE", "Dr Okello", "Will fax it", "Promised")
    assert (entry.follow_up_required, entry.follow_up_date, entry.user) == (
        True, date(2025, 3, 12), scene.user)


@pytest.mark.django_db
def test_a_follow_up_date_alone_asks_for_a_follow_up(scene):
    log(scene, follow_up_date=date(2025, 3, 12))

    assert ApprovalCommunication.objects.get().follow_up_required is True


@pytest.mark.django_db
@pytest.mark.parametrize(("extra", "code"), [
    ({"communication_type": "PIGEON"}, "invalid_choice"),
    ({"follow_up_required": True}, "required"),
    ({"subject": "", "message": "  "}, "required"),
])
def test_a_communication_needs_a_known_type_a_text_and_a_follow_up_date(scene, extra, code):
    with pytest.raises(MutationError) as caught:
        log(scene, **extra)
    assert caught.value.errors[0]["code"] == code
    assert not ApprovalCommunication.objects.exists()


@pytest.mark.django_db
def test_follow_ups_due_are_the_unanswered_ones_of_live_requests(scene, make_user,
                                                                   other_tenant):
    log(scene, follow_up_date=date(2025, 3, 10), subject="due")
    answered = new_request(scene, "PA-2")
    log(scene, request=answered, follow_up_date=date(2025, 3, 1), subject="answered")
    log(scene, request=answered, subject="called back")
    later = new_request(scene, "PA-3")
    log(scene, request=later, follow_up_date=date(2025, 3, 20), subject="later")
    cancelled = new_request(scene, "PA-4", status="CANCELLED")
    log(scene, request=cancelled, follow_up_date=date(2025, 3, 1), subject="cancelled")

    due = records.follow_ups_due(scene.user, date(2025, 3, 15))

    assert [entry.subject for entry in due] == ["due"]
    assert [e.subject for e in records.follow_ups_due(scene.user, date(2025, 3, 20))] == [
        "due", "later"]
    stranger = make_user(ALL_APPROVAL_RIGHTS, username="stranger", tenant=other_tenant)
    assert list(records.follow_ups_due(stranger, date(2025, 3, 20))) == []


# --- Templates ------------------------------------------------------------------------------


def template_data(scene, **extra):
    return {"name": "Malaria work-up", "request_type": "LABORATORY", "priority": "URGENT",
            "product_id": scene.product.pk, "service_description": "Malaria tests",
            "clinical_justification": "Fever for [days] days; travel to [region].",
            "required_documents": ["LAB_ORDER", " REFERRAL ", "LAB_ORDER", ""],
            "lines": [{"item_id": scene.item.pk, "qty_requested": Decimal("10")},
                      {"service_id": scene.service.pk}], **extra}


@pytest.mark.django_db
def test_a_template_keeps_its_presets_lines_and_required_documents(scene):
    outcome = records.create_template(scene.user, template_data(scene))

    template = ApprovalTemplate.objects.get()
    assert outcome.uuids == [str(template.uuid)]
    assert (template.tenant, template.product, template.request_type, template.priority) == (
        scene.facility.tenant, scene.product, "LABORATORY", "URGENT")
    assert template.required_documents == ["LAB_ORDER", "REFERRAL"]
    assert template.lines == [{"itemId": scene.item.pk, "qtyRequested": "10"},
                              {"serviceId": scene.service.pk, "qtyRequested": "1"}]
    assert template.usage_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("extra", "code"), [
    ({"name": " "}, "required"),
    ({"request_type": "DENTAL"}, "invalid_choice"),
    ({"priority": "LATER"}, "invalid_choice"),
    ({"product_id": 999999}, "not_found"),
    ({"lines": [{"qty_requested": 1}]}, "invalid_line"),
    ({"lines": [{"item_id": 999999}]}, "not_found"),
    ({"lines": [{"service_id": 1, "item_id": 1}]}, "invalid_line"),
    ({"lines": [{"item_id": None, "service_id": None}]}, "invalid_line"),
])
def test_a_template_is_checked(scene, extra, code):
    with pytest.raises(MutationError) as caught:
        records.create_template(scene.user, template_data(scene, **extra))
    assert caught.value.errors[0]["code"] == code
    assert not ApprovalTemplate.objects.exists()


@pytest.mark.django_db
def test_a_template_line_needs_a_positive_quantity_of_an_item_of_its_tenant(
        scene, other_tenant):
    foreign = make_item(other_tenant)
    for line, code in (({"item_id": scene.item.pk, "qty_requested": Decimal("0")},
                        "invalid_number"), ({"item_id": foreign.pk}, "not_found")):
        with pytest.raises(MutationError) as caught:
            records.create_template(scene.user, template_data(scene, lines=[line]))
        assert caught.value.errors[0]["code"] == code


@pytest.mark.django_db
def test_two_live_templates_of_a_tenant_do_not_share_a_name(scene):
    records.create_template(scene.user, template_data(scene))
    refused("duplicate_name", records.create_template, scene.user,
            template_data(scene, name="MALARIA WORK-UP"))

    records.delete_template(scene.user, str(ApprovalTemplate.objects.get().uuid))
    records.create_template(scene.user, template_data(scene))
    assert ApprovalTemplate.objects.filter(validity_to__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_template_is_updated_in_the_fields_given(scene):
    records.create_template(scene.user, template_data(scene))
    template = ApprovalTemplate.objects.get()

    records.update_template(scene.user, {"id": str(template.pk), "priority": "ROUTINE",
                                         "required_documents": [], "product_id": None})

    template.refresh_from_db()
    assert (template.name, template.priority, template.product) == (
        "Malaria work-up", "ROUTINE", None)
    assert template.required_documents == []
    assert len(template.lines) == 2


@pytest.mark.django_db
def test_another_tenants_template_is_not_found(scene, make_user, other_tenant):
    records.create_template(scene.user, template_data(scene))
    template = ApprovalTemplate.objects.get()
    stranger = make_user(ALL_APPROVAL_RIGHTS, username="stranger", tenant=other_tenant)

    refused("not_found", records.update_template, stranger, {"id": str(template.uuid),
                                                             "name": "Mine"})
    refused("not_found", records.delete_template, stranger, str(template.pk))
    refused("not_found", records.create_template, stranger,
            {"name": "Theirs", "product_id": scene.product.pk})
    assert not records.visible_templates(stranger).exists()


@pytest.mark.django_db
def test_applying_a_template_fills_what_the_request_lacks_and_counts_the_use(scene):
    records.create_template(scene.user, template_data(scene))
    template = records.template_for(scene.user, ApprovalTemplate.objects.get().uuid)
    request = ApprovalRequest(tenant=scene.facility.tenant, insuree=scene.insuree,
                              health_facility=scene.facility, number="PA-9")

    rows = records.apply_template(template, request, {"priority": "STAT",
                                                      "service_description": ""})

    assert (request.request_type, request.priority, request.service_description) == (
        "LABORATORY", "ROUTINE", "Malaria tests")  # the input's priority is the caller's
    assert request.clinical_justification.startswith("Fever for [days] days")
    assert rows == [{"item_id": scene.item.pk, "service_id": None, "qty_requested": "10"},
                    {"item_id": None, "service_id": scene.service.pk, "qty_requested": "1"}]
    assert template.usage_count == 1
    records.apply_template(template, request)
    assert ApprovalTemplate.objects.get().usage_count == 2

    request.save()
    _replace_lines(scene.user, request, rows)
    assert [(ln.qty_requested, ln.price_requested) for ln in request.lines.order_by("pk")] == [
        (Decimal("10"), Decimal("2.50")), (Decimal("1"), Decimal("10.00"))]


@pytest.mark.django_db
def test_a_template_does_not_apply_to_another_tenants_request(scene, other_tenant):
    records.create_template(scene.user, template_data(scene))
    template = ApprovalTemplate.objects.get()
    request = ApprovalRequest(tenant=other_tenant, number="PA-X")

    refused("not_found", records.apply_template, template, request)
    assert ApprovalTemplate.objects.get().usage_count == 0


@pytest.mark.django_db
def test_missing_documents_are_the_required_types_not_uploaded_yet(scene):
    records.create_template(scene.user, template_data(scene))
    template = ApprovalTemplate.objects.get()
    add(scene, document_type="REFERRAL")

    assert records.missing_documents(template, scene.request) == ["LAB_ORDER"]
