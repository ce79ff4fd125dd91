"""Download file names: a name with control characters is refused on every way in (create,
update, a claim's nested attachments, approval documents), and every download offers whatever
name is stored under a header that cannot be split or misread (RFC 6266 / 5987)."""

import pytest
from graphql_jwt.shortcuts import get_token

from core.files import safe_filename
from core.gql.errors import MutationError
from core.http import content_disposition
from openimis_approval import records
from openimis_approval.models import ApprovalDocument, ApprovalRequest
from openimis_claim.models import Claim, ClaimAttachment
from openimis_claim.services.attachments import attachment_for
from tests.claim.test_mutations import (
    DOCUMENT,
    DOCUMENT_BASE64,
    _new_attachment,
    claim_input,
    download,
    make_attachment,
    make_claim,
    mutate,
)
from tests.factories import make_claim_scene

pytestmark = pytest.mark.django_db

CRLF_NAME = "scan.pdf\r\nSet-Cookie: stolen=1"


@pytest.fixture
def scene(tenant, settings):
    settings.CLAIM_ATTACHMENTS_ROOT = ""
    return make_claim_scene(tenant)


def refusal(found: str) -> list[dict]:
    return [{"message": f"filename may not contain control characters (found {found})",
             "detail": "filename", "code": "invalid_filename"}]


@pytest.mark.parametrize(("name", "found"), [
    (CRLF_NAME, "U+000D"), ("a\nb.pdf", "U+000A"), ("bell\x07.pdf", "U+0007"),
    ("invoice\u202efdp.exe", "U+202E"),
], ids=["CR/LF", "LF", "BEL", "bidi override"])
def test_create_attachment_refuses_a_name_with_control_characters(gql, scene, officer, name,
                                                                  found):
    claim = make_claim(scene, "AT-1")

    result = mutate(gql, officer, "createClaimAttachment",
                    **{**_new_attachment(claim), "filename": name})

    assert result.error == refusal(found)
    assert not ClaimAttachment.objects.exists()


def test_update_attachment_refuses_a_name_with_control_characters(gql, scene, officer):
    attachment = make_attachment(make_claim(scene, "AT-1"))

    result = mutate(gql, officer, "updateClaimAttachment", id=str(attachment.pk),
                    filename=CRLF_NAME)

    assert result.error == refusal("U+000D")
    attachment.refresh_from_db()
    assert attachment.filename == "prescription.pdf"


def test_a_claim_with_such_an_attachment_is_refused_whole(gql, scene, officer):
    result = mutate(gql, officer, "createClaim", **claim_input(scene, attachments=[
        {"title": "Scan", "filename": CRLF_NAME, "mime": "application/pdf",
         "document": DOCUMENT_BASE64}]))

    assert result.error == refusal("U+000D")
    assert not Claim.objects.exists()


def test_an_approval_document_with_such_a_name_is_refused(gql, scene, make_user):
    request = ApprovalRequest.objects.create(tenant=scene.facility.tenant, number="PA-1",
                                             insuree=scene.insuree,
                                             health_facility=scene.facility)
    user = make_user(list(range(112001, 112014)), username="pa")

    with pytest.raises(MutationError) as refused:
        records.add_document(user, {"request_uuid": str(request.uuid),
                                    "document_type": "LAB_RESULT", "filename": CRLF_NAME,
                                    "mime": "application/pdf", "document": DOCUMENT_BASE64})

    assert refused.value.errors == refusal("U+000D")
    assert not ApprovalDocument.objects.exists()


def test_a_plain_name_with_unicode_and_quotes_is_kept(gql, scene, officer):
    claim = make_claim(scene, "AT-1")

    result = mutate(gql, officer, "createClaimAttachment",
                    **{**_new_attachment(claim), "filename": 'Résumé "final".pdf'})

    assert result.status == 2
    assert ClaimAttachment.objects.get().filename == 'Résumé "final".pdf'


@pytest.mark.parametrize(("stored", "header"), [
    ("prescription.pdf", 'attachment; filename="prescription.pdf"'),
    (CRLF_NAME, "attachment; filename=\"scan.pdfSet-Cookie: stolen=1\""),
    ('say "hi".pdf', "attachment; filename=\"say _hi_.pdf\"; "
                     "filename*=UTF-8''say%20%22hi%22.pdf"),
    ("Résumé.pdf", "attachment; filename=\"Resume.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"),
    ("检查.pdf", "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E6%A3%80%E6%9F%A5.pdf"),
    ("../../etc/passwd", 'attachment; filename=".._.._etc_passwd"'),
    ("C:\\scans\\x;y.pdf", 'attachment; filename="C:_scans_x;y.pdf"'),
    ("", 'attachment; filename="attachment-<pk>"'),
], ids=["plain", "CR/LF stored earlier", "quotes", "accents", "no ASCII", "folders",
        "windows folders", "none"])
def test_any_stored_name_downloads_under_a_safe_header(client, scene, officer, stored, header):
    # Written straight to the table, as rows saved before names were checked may be.
    attachment = make_attachment(make_claim(scene, "AT-1"), filename=stored)

    response = download(client, attachment.pk, officer)

    assert response.status_code == 200
    assert response.content == DOCUMENT
    assert response["Content-Disposition"] == header.replace("<pk>", str(attachment.pk))


def test_the_header_never_carries_a_line_break_or_control_character():
    names = ["a\r\nb", "\x00\x01\x7f", "\u2028x\u2029", "\u202egpj.exe", "x" * 1000, "\t\\"]

    for name in names:
        header = content_disposition(name)
        assert all(32 <= ord(c) < 127 for c in header), header
        assert len(safe_filename(name)) <= 255


def test_a_5000_digit_id_is_simply_not_found(gql, scene, officer):
    make_attachment(make_claim(scene, "AT-1"))

    result = mutate(gql, officer, "updateClaimAttachment", id="9" * 5000, title="x")

    assert attachment_for(officer, "9" * 5000) is None
    assert attachment_for(officer, "\u00b2") is None
    assert result.error[0]["code"] == "not_found"
    assert ClaimAttachment.objects.get().title == "Prescription"


def test_a_printed_claim_is_offered_under_the_same_safe_header(client, scene, officer):
    # Claim codes may hold "/", which is no part of a file name.
    claim = make_claim(scene, "HF/2025/7")

    response = client.get("/api/claim/print/", {"uuid": str(claim.uuid)},
                          HTTP_AUTHORIZATION=f"JWT {get_token(officer)}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="claim-HF_2025_7.pdf"'
