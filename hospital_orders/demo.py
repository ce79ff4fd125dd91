"""Demo laboratory and imaging orders, and the approvals the hospital asked for them.

Requests are made from the orders through the order helpers (`create_approval_request`: the
create mutation, its rights, its log) by a hospital user of the tenant who holds the create
right (the demo's `clerk` in DEMO1, `admin2` in DEMO2), often from a template; then the
hospital's and the scheme's reviewer's steps run through the approval services with the
documents and calls that go with them, each at its moment of a timeline over hours and days
(`openimis_approval.demo.happening_at`), so the dashboard, metrics and turnaround report have
real figures. Same seed and day, same rows."""

from __future__ import annotations

import base64
import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.demo import DemoSize
from core.gql.errors import MutationError
from core.gql.policy import holds_rights
from core.models import Tenant, User
from core.registers.codes import PolicyStatus
from core.registers.models import Diagnosis, HealthFacility, InsureePolicy, MedicalService
from core.registers.seeding import SeedResult
from hospital_orders.models import (
    HospitalOrder,
    ImagingOrder,
    ImagingOrderLine,
    LaboratoryOrder,
    LaboratoryOrderLine,
    Modality,
    Specimen,
)
from openimis_approval import records, services
from openimis_approval.codes import Priority
from openimis_approval.demo import decision_hours, demo_midnight, happening_at
from openimis_approval.gql.mutations import CreateApprovalRequestMutation
from openimis_approval.models import ApprovalTemplate

# Who acts, first found of the tenant holding the right: the hospital's desk, the reviewer.
DESK_USERS = ("clerk", "admin2", "Admin")
REVIEWER_USERS = ("reviewer", "admin2", "Admin")

# What the doctors order: (modality or specimen, body site, service codes, indication, ICD,
# priorities, template key).
IMAGING = [
    (Modality.CT, "Head", ["O006"], "Head injury with brief loss of consciousness, vomiting",
     "S06", [Priority.EMERGENCY, Priority.EMERGENCY, Priority.STAT, Priority.URGENT], "ct"),
    (Modality.CT, "Head", ["O006"], "New severe headache, worst of life", "R51",
     [Priority.STAT, Priority.URGENT], "ct"),
    (Modality.MRI, "Lumbar spine", ["O007"], "Low back pain radiating to the left leg for eight "
     "weeks despite physiotherapy", "M54", [Priority.ROUTINE, Priority.URGENT], "mri"),
    (Modality.MRI, "Lumbar spine", ["O007", "O009"], "Suspected disc prolapse; physiotherapy "
     "to follow", "M51", [Priority.ROUTINE], "mri"),
    (Modality.XRAY, "Chest", ["O004"], "Cough for three weeks, night sweats", "R05",
     [Priority.ROUTINE], None),
]
LABORATORY = [
    (Specimen.BLOOD, ["O001", "O002"], "Fever for three days", "B50", [Priority.URGENT]),
    (Specimen.URINE, ["O003"], "Dysuria and frequency", "N39", [Priority.ROUTINE]),
    (Specimen.BLOOD, ["O010", "O001"], "Type 2 diabetes, quarterly control", "E11",
     [Priority.ROUTINE]),
]
TEMPLATES = {
    "ct": {"name": "CT head after injury or acute headache", "request_type": "RADIOLOGY",
           "priority": Priority.URGENT,
           "service_description": "CT scan of the head without contrast",
           "clinical_justification": "Acute neurological presentation; CT needed to exclude "
                                     "haemorrhage before treatment is decided.",
           "required_documents": ["CLINICAL_NOTES"]},
    "mri": {"name": "MRI lumbar spine, persistent radicular pain", "request_type": "RADIOLOGY",
            "priority": Priority.ROUTINE,
            "service_description": "MRI of the lumbar spine",
            "clinical_justification": "Radicular pain over six weeks despite conservative "
                                      "treatment; surgery is considered.",
            "required_documents": ["CLINICAL_NOTES", "PHYSIOTHERAPY_REPORT"]},
}
# How a request's story ends, with its weight.
STORIES = [("approve", 45), ("info_then_approve", 12), ("info_then_deny", 4), ("deny", 6),
           ("deny_appeal", 6), ("waiting", 12), ("draft", 5), ("cancel", 3)]
CONTACTS = ["M. Mushi, scheme call centre", "Dr A. Lyimo, medical officer",
            "J. Kimaro, claims desk"]


def seed_orders(tenant: Tenant, size: DemoSize) -> SeedResult:
    """About one order per four demo claims (at least 12; none without demo claims), most of
    them imaging; requests for those needing approval. A tenant with orders is left alone."""
    result = SeedResult()
    if size.claims <= 0 or ImagingOrder.objects.filter(tenant=tenant).exists() or \
            LaboratoryOrder.objects.filter(tenant=tenant).exists():
        return result
    desk = _acting(tenant, DESK_USERS)
    reviewer = _acting(tenant, REVIEWER_USERS) or desk
    facilities = [f for f in HealthFacility.objects.filter(
        tenant=tenant, validity_to__isnull=True).order_by("code")
        if f.services_pricelist_id and (desk is None or desk.health_facility_id in (None, f.pk))]
    today = size.today or timezone.localdate()
    covered = list(InsureePolicy.objects.filter(
        policy__tenant=tenant, policy__status=PolicyStatus.ACTIVE, validity_to__isnull=True,
        effective_date__lte=today - timedelta(days=45), expiry_date__gte=today)
        .select_related("insuree").order_by("pk"))
    if not facilities or not covered:
        return result
    rng = random.Random(f"{size.seed}:{tenant.code}:orders")  # noqa: S311 - demo data
    seeder = _Seeder(tenant, rng, desk, reviewer, demo_midnight(today), result)
    with transaction.atomic():
        seeder.templates()
        for n in range(max(12, size.claims // 4)):
            order, template = seeder.order(n, rng.choice(facilities),
                                           rng.choice(covered).insuree)
            if order is not None and order.requires_approval() and desk is not None and \
                    rng.random() < 0.9:
                seeder.story(order, template)
    return result


def _acting(tenant: Tenant, usernames: tuple[str, ...]) -> User | None:
    """The first of the demo users named, of this tenant, holding the create right."""
    for username in usernames:
        user = User.objects.filter(username=username, tenant=tenant, is_active=True).first()
        if user is not None and holds_rights(CreateApprovalRequestMutation.policy(), user):
            return user
    return None


def _done(outcome) -> None:
    """A bulk service reports a refused row in its outcome; demo data must not carry on."""
    if outcome.errors:
        raise MutationError(errors=outcome.errors)


def pdf(lines: list[str]) -> bytes:
    """A small, valid one-page PDF showing `lines` (a referral letter, a report)."""
    text = " T* ".join("(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                       + ") Tj" for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 56 780 Td {text} ET".encode("latin-1", "replace")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


class _Seeder:
    def __init__(self, tenant: Tenant, rng: random.Random, desk: User | None,
                 reviewer: User | None, before: datetime, result: SeedResult) -> None:
        self.tenant, self.rng, self.desk, self.reviewer = tenant, rng, desk, reviewer
        self.before, self.result = before, result
        self.services = {s.code: s for s in MedicalService.objects.filter(
            tenant=tenant, validity_to__isnull=True)}
        self.diagnoses = {d.code: d for d in Diagnosis.objects.filter(
            code__in=[row[4] for row in IMAGING] + [row[3] for row in LABORATORY])}
        self.template_ids: dict[str, int] = {}

    def templates(self) -> None:
        if self.desk is None:
            return
        for key, fields in TEMPLATES.items():
            template = ApprovalTemplate.objects.filter(tenant=self.tenant, name=fields["name"],
                                                       validity_to__isnull=True).first()
            if template is None:
                outcome = records.create_template(self.desk, dict(fields))
                template = ApprovalTemplate.objects.get(uuid=outcome.uuids[0])
                self.result.add("approval templates", 1)
            self.template_ids[key] = template.pk

    def order(self, n: int, facility: HealthFacility,
              insuree) -> tuple[HospitalOrder | None, str | None]:
        """An order of the kinds above, and the template key its request would use."""
        rng = self.rng
        imaging = rng.random() < 0.65
        if imaging:
            modality, site, codes, indication, icd, priorities, template = rng.choice(IMAGING)
            model, line_model, prefix = ImagingOrder, ImagingOrderLine, "IMG"
            extra = {"modality": modality, "body_site": site}
        else:
            specimen, codes, indication, icd, priorities = rng.choice(LABORATORY)
            model, line_model, prefix, template = LaboratoryOrder, LaboratoryOrderLine, "LAB", None
            extra = {"specimen": specimen}
        if any(code not in self.services for code in codes):
            return None, None
        priority = rng.choice(priorities)
        ordered_at = self.before - timedelta(days=rng.randint(1, 45),
                                             hours=24 - rng.uniform(7.5, 16))
        planned = ordered_at.date() if priority in (Priority.EMERGENCY, Priority.STAT) else \
            ordered_at.date() + timedelta(days=rng.randint(1, 5))
        order = model.objects.create(
            tenant=self.tenant, number=f"{prefix}-{n + 1:06d}", insuree=insuree,
            health_facility=facility, ordered_by=self.desk, ordered_at=ordered_at,
            planned_date=planned, priority=priority, icd=self.diagnoses.get(icd),
            clinical_indication=indication, **extra)
        for code in codes:
            line_model.objects.create(order=order, service=self.services[code],
                                      quantity=Decimal("1"))
        self.result.add("laboratory orders" if not imaging else "imaging orders", 1)
        return order, template

    # --- A request's story ---------------------------------------------------------------------

    def story(self, order: HospitalOrder, template: str | None) -> None:
        rng = self.rng
        ending = rng.choices([s for s, _ in STORIES], weights=[w for _, w in STORIES])[0]
        if ending == "waiting" and order.priority == Priority.EMERGENCY:
            ending = "approve"  # an emergency is decided within hours, not left waiting
        at = order.ordered_at + timedelta(minutes=rng.uniform(15, 120))
        fields = {"client_mutation_id": f"demo-{order.number}"}
        if template and rng.random() < 0.75:
            fields["template_id"] = str(self.template_ids[template])
        with happening_at(at):
            request = order.create_approval_request(self.desk, **fields)
        self.result.add("approval requests from orders", 1)
        uuid = str(request.uuid)
        if ending == "draft":
            return
        if ending == "cancel":
            with happening_at(at + timedelta(hours=rng.uniform(1, 30))):
                _done(services.cancel_requests(self.desk, [uuid],
                                               "The patient was referred elsewhere"))
            return
        at += timedelta(minutes=rng.uniform(5, 40))
        self.document(uuid, at, "CLINICAL_NOTES", order)
        self.document(uuid, at + timedelta(minutes=2), "REFERRAL", order, as_pdf=True)
        if "PHYSIOTHERAPY_REPORT" in TEMPLATES.get(template or "", {}).get(
                "required_documents", []):
            self.document(uuid, at + timedelta(minutes=3), "PHYSIOTHERAPY_REPORT", order)
        submitted = at + timedelta(minutes=rng.uniform(10, 90))
        with happening_at(submitted):
            _done(services.submit_requests(self.desk, [uuid]))
        decided = submitted + timedelta(hours=decision_hours(rng, request.priority))
        review = submitted + (decided - submitted) * rng.uniform(0.1, 0.4)
        if ending == "waiting" or decided >= self.before:
            if review < self.before and rng.random() < 0.6:
                with happening_at(review):
                    _done(services.start_review(self.reviewer, [uuid]))
            self.call(uuid, min(submitted + timedelta(hours=rng.uniform(2, 30)),
                                self.before - timedelta(minutes=5)), order, follow_up=True)
            return
        with happening_at(review):
            _done(services.start_review(self.reviewer, [uuid]))
        if rng.random() < 0.5:
            self.call(uuid, review + (decided - review) / 3, order)
        if ending.startswith("info"):
            asked = review + (decided - review) / 2
            with happening_at(asked):
                services.request_info(self.reviewer, uuid, "Please send the examination "
                                      "findings and what treatment was tried")
            supplied = asked + timedelta(hours=rng.uniform(2, 30))
            self.document(uuid, supplied, "EXAMINATION_FINDINGS", order, as_pdf=True)
            with happening_at(supplied + timedelta(minutes=10)):
                services.supply_info(self.desk, uuid, "Examination findings attached; "
                                     "analgesics and rest tried for two weeks")
            decided = max(decided, supplied) + timedelta(hours=rng.uniform(1, 20))
            if decided >= self.before:
                return
        if ending in ("approve", "info_then_approve"):
            with happening_at(decided):
                services.decide_request(self.reviewer, {"uuid": uuid, "decision": "APPROVE"})
            return
        with happening_at(decided):
            services.decide_request(self.reviewer, {
                "uuid": uuid, "decision": "DENY", "denial_code": "MN01",
                "denial_reason": "Clinical findings do not yet justify the study; "
                                 "conservative treatment first"})
        if ending == "deny_appeal":
            appealed = decided + timedelta(hours=rng.uniform(20, 96))
            if appealed >= self.before:
                return
            self.document(uuid, appealed - timedelta(minutes=20), "SPECIALIST_OPINION", order,
                          as_pdf=True)
            with happening_at(appealed):
                services.submit_appeal(self.desk, uuid, "The specialist's opinion shows "
                                       "progressive neurological deficit")
            answered = appealed + timedelta(hours=rng.uniform(24, 150))
            if answered < self.before:
                with happening_at(answered):
                    services.decide_appeal(self.reviewer, {
                        "uuid": uuid, "decision": "APPROVE" if rng.random() < 0.7 else "DENY",
                        "reason": "Reviewed by the appeal panel with the specialist's "
                                  "opinion"})

    def document(self, uuid: str, at: datetime, kind: str, order: HospitalOrder,
                 as_pdf: bool = False) -> None:
        title = kind.replace("_", " ").capitalize()
        lines = [f"{title} for order {order.number}", f"Patient {order.insuree.chf_id}",
                 f"Indication: {order.clinical_indication}",
                 f"Written {at:%Y-%m-%d %H:%M} at {order.health_facility.name}"]
        content = pdf(lines) if as_pdf else ("\n".join(lines) + "\n").encode()
        with happening_at(at):
            records.add_document(self.desk, {
                "request_uuid": uuid, "document_type": kind, "title": title,
                "filename": f"{order.number}-{kind.lower()}.{'pdf' if as_pdf else 'txt'}",
                "mime": "application/pdf" if as_pdf else "text/plain",
                "document": base64.b64encode(content).decode()})
        self.result.add("approval documents", 1)

    def call(self, uuid: str, at: datetime, order: HospitalOrder,
             follow_up: bool = False) -> None:
        rng = self.rng
        email = rng.random() < 0.4
        with happening_at(at):
            records.log_communication(self.desk, {
                "request_uuid": uuid, "communication_type": "EMAIL" if email else "PHONE",
                "contact_person": rng.choice(CONTACTS),
                "contact_number": "preauth@scheme.example" if email else "+255 22 211 0000",
                "subject": f"Status of the request for {order.number}",
                "message": "Asked when a decision can be expected",
                "response": "Under review; the medical officer has the file",
                "outcome": "Follow up" if follow_up else "Informed",
                "follow_up_required": follow_up,
                "follow_up_date": (at + timedelta(days=2)).date() if follow_up else None})
        self.result.add("approval communications", 1)
