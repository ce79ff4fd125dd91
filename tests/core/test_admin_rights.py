"""The Django admin's own rules beyond the tenant scope: workflow state only through the services
(actions run the GraphQL mutations), and a tenant's staff cannot raise anyone's rights."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from core.codes import MutationStatus
from core.models import MutationLog, Role, RoleRight, User
from openimis_approval.codes import ApprovalStatus
from openimis_approval.models import ApprovalLine, ApprovalRequest, ApprovalStatusHistory
from openimis_approval.signals import approval_status_changed
from openimis_claim.codes import ClaimStatus
from openimis_claim.models import ClaimStatusHistory
from tests.factories import make_claim, make_claim_scene

pytestmark = pytest.mark.django_db

APPROVALS = "/admin/approval/approvalrequest/"
CLAIMS = "/admin/claim/claim/"
USERS = "/admin/core/user/"
ROLES = "/admin/core/role/"
SUBMIT_APPROVALS = "run_SubmitApprovalRequestsMutation"
SUBMIT_CLAIMS = "run_SubmitClaimsMutation"


@pytest.fixture
def scene(tenant):
    return make_claim_scene(tenant)


@pytest.fixture
def tenant_admin(tenant) -> User:
    """The demo's `Admin`: superuser and staff, of tenant T1."""
    return User.objects.create_user(username="Admin", password="pass-word-1", tenant=tenant,
                                    is_superuser=True, is_staff=True)


def _staff(make_user, rights, *perms: str, username: str = "staff") -> User:
    """A tenant's staff member (not a superuser) with openIMIS rights and Django permissions."""
    user = make_user(rights, username=username)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label,
                                                         codename=codename))
    return User.objects.get(pk=user.pk)


def _draft_approval(tenant, scene) -> ApprovalRequest:
    request = ApprovalRequest.objects.create(tenant=tenant, number="PA-1", insuree=scene.insuree,
                                             health_facility=scene.facility, icd=scene.diagnosis,
                                             policy=scene.policy)
    ApprovalLine.objects.create(request=request, item=scene.item, qty_requested=Decimal("2"),
                                price_requested=Decimal("2.50"))
    return request


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Workflow state ---------------------------------------------------------------------------


def test_an_approval_cannot_be_approved_by_hand(client, tenant, scene, tenant_admin):
    request = _draft_approval(tenant, scene)
    client.force_login(tenant_admin)

    page = client.get(f"{APPROVALS}{request.pk}/change/")
    response = client.post(f"{APPROVALS}{request.pk}/change/", {
        "status": ApprovalStatus.APPROVED, "authorization_number": "AUTH-BY-HAND",
        "version": "7", "number": request.number, "insuree": scene.insuree.pk,
        "health_facility": scene.facility.pk, "request_type": "OTHER", "priority": "ROUTINE"})

    request.refresh_from_db()
    assert page.status_code == 200
    assert b'name="status"' not in page.content
    assert response.status_code == 403
    assert (request.status, request.authorization_number, request.version) == \
        (ApprovalStatus.DRAFT, "", 0)
    assert not ApprovalStatusHistory.objects.exists()


def test_a_claim_status_and_amounts_cannot_be_set_by_hand(client, tenant, scene, tenant_admin):
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=scene.diagnosis, items=[scene.item], code="HAND-1")
    client.force_login(tenant_admin)

    response = client.post(f"{CLAIMS}{claim.pk}/change/", {
        "status": ClaimStatus.VALUATED, "approved": "999.00", "valuated": "999.00"})
    deleted = client.post(f"{CLAIMS}{claim.pk}/delete/", {"post": "yes"})

    claim.refresh_from_db()
    assert (response.status_code, deleted.status_code) == (403, 403)
    assert (claim.status, claim.approved, claim.valuated, claim.validity_to) == \
        (ClaimStatus.ENTERED, None, None, None)
    assert not ClaimStatusHistory.objects.exists()


def test_the_submit_action_moves_approvals_through_the_service(client, tenant, scene,
                                                               tenant_admin):
    request = _draft_approval(tenant, scene)
    moves = []

    def record(sender, request, user, from_status, to_status, **kwargs):
        moves.append((request.number, user.username, from_status, to_status))

    approval_status_changed.connect(record)
    client.force_login(tenant_admin)
    try:
        response = client.post(APPROVALS, {"action": SUBMIT_APPROVALS,
                                           "_selected_action": [request.pk]})
    finally:
        approval_status_changed.disconnect(record)

    request.refresh_from_db()
    log = MutationLog.objects.get()
    assert response.status_code == 302
    assert _messages(response) == ["Submit selected requests: 1 done."]
    assert (request.status, request.version) == (ApprovalStatus.SUBMITTED, 1)
    assert list(request.history.values_list("from_status", "to_status", "user__username")) == \
        [("DRAFT", "SUBMITTED", "Admin")]
    assert moves == [("PA-1", "Admin", "DRAFT", "SUBMITTED")]
    assert (log.mutation, log.status, log.user, log.uuids, log.client_mutation_label) == \
        ("SubmitApprovalRequestsMutation", MutationStatus.SUCCESS, tenant_admin,
         [str(request.uuid)], "admin: Submit selected requests")


def test_an_action_refused_by_the_service_reports_its_error(client, tenant, scene,
                                                            tenant_admin):
    request = _draft_approval(tenant, scene)
    request.status = ApprovalStatus.CANCELLED
    request.save()
    client.force_login(tenant_admin)

    response = client.post(APPROVALS, {"action": SUBMIT_APPROVALS,
                                       "_selected_action": [request.pk]})

    request.refresh_from_db()
    assert _messages(response) == ["Submit selected requests: PA-1: Approval request PA-1 is "
                                   "CANCELLED; it cannot move to SUBMITTED"]
    assert request.status == ApprovalStatus.CANCELLED
    assert MutationLog.objects.get().status == MutationStatus.ERROR


def test_an_action_needs_the_modules_rights(client, tenant, scene, make_user):
    request = _draft_approval(tenant, scene)
    viewer = _staff(make_user, [112001], "approval.view_approvalrequest")  # may search only
    client.force_login(viewer)

    response = client.post(APPROVALS, {"action": SUBMIT_APPROVALS,
                                       "_selected_action": [request.pk]})

    request.refresh_from_db()
    assert _messages(response) == ["Submit selected requests: you do not hold the rights it "
                                   "needs."]
    assert request.status == ApprovalStatus.DRAFT
    assert not MutationLog.objects.exists()


def test_the_submit_action_checks_claims_through_the_service(client, tenant, other_tenant,
                                                             scene, tenant_admin):
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=scene.diagnosis, items=[scene.item], services=[scene.service],
                       code="ACT-1")
    other = make_claim_scene(other_tenant)
    foreign = make_claim(other_tenant, insuree=other.insuree, health_facility=other.facility,
                         icd=other.diagnosis, items=[other.item], code="ACT-2")
    client.force_login(tenant_admin)

    response = client.post(CLAIMS, {"action": SUBMIT_CLAIMS,
                                    "_selected_action": [claim.pk, foreign.pk]})

    claim.refresh_from_db()
    foreign.refresh_from_db()
    assert _messages(response) == ["Submit selected claims: 1 done."]
    assert (claim.status, claim.claimed, claim.approved) == \
        (ClaimStatus.CHECKED, Decimal("12.00"), Decimal("12.00"))
    assert list(claim.history.values_list("field", "from_status", "to_status",
                                          "user__username")) == \
        [("status", ClaimStatus.ENTERED, ClaimStatus.CHECKED, "Admin")]
    assert foreign.status == ClaimStatus.ENTERED


# --- Users and roles --------------------------------------------------------------------------


def _user_form(user: User, **changes) -> dict:
    data = {"username": user.username, "last_name": user.last_name, "email": user.email,
            "other_names": user.other_names, "language": user.language_id,
            "date_joined_0": "2025-01-01", "date_joined_1": "00:00:00", "is_active": "on",
            "roles": [r.pk for r in user.roles.all()]}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_tenant_admin_adds_users_to_its_own_tenant_only(client, tenant, other_tenant,
                                                          tenant_admin):
    client.force_login(tenant_admin)

    response = client.post(f"{USERS}add/", {
        "username": "newcomer", "password1": "a-long-pass-word-9", "usable_password": "true",
        "password2": "a-long-pass-word-9", "tenant": other_tenant.pk})

    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(username="newcomer").tenant == tenant


def test_a_tenant_admin_cannot_make_a_superuser(client, tenant, tenant_admin, make_user):
    member = make_user([], username="member")
    client.force_login(tenant_admin)

    page = client.get(f"{USERS}{member.pk}/change/")
    response = client.post(f"{USERS}{member.pk}/change/",
                           _user_form(member, is_superuser="on", is_staff="on"))

    member.refresh_from_db()
    assert b'name="is_superuser"' not in page.content
    assert response.status_code == 302
    assert (member.is_superuser, member.is_staff, member.tenant) == (False, True, tenant)


def test_roles_offered_are_the_tenants_and_the_shared_ones(client, tenant, other_tenant,
                                                           tenant_admin):
    own = Role.objects.create(tenant=tenant, name="Own")
    shared = Role.objects.create(tenant=None, name="Shared")
    Role.objects.create(tenant=other_tenant, name="Foreign")
    client.force_login(tenant_admin)

    page = client.get(f"{USERS}add/")
    member = User.objects.create_user(username="m", tenant=tenant)
    change = client.get(f"{USERS}{member.pk}/change/")
    roles = client.get(ROLES)
    shared_page = client.post(f"{ROLES}{shared.pk}/change/", {"name": "Mine now"})

    assert page.status_code == 200
    assert set(change.context["adminform"].form.fields["roles"].queryset) == {own, shared}
    assert set(roles.context["cl"].queryset) == {own, shared}
    assert shared_page.status_code == 403
    assert Role.objects.get(pk=shared.pk).name == "Shared"


def test_staff_cannot_grant_rights_they_do_not_hold(client, make_user):
    staff = _staff(make_user, [111001], "core.view_user", "core.change_user",
                   "core.view_role", "core.change_role", "core.add_roleright",
                   "core.change_roleright", "core.view_roleright")
    modest = Role.objects.create(tenant=staff.tenant, name="Modest")
    RoleRight.objects.create(role=modest, right_id=111001)
    mighty = Role.objects.create(tenant=staff.tenant, name="Mighty")
    RoleRight.objects.create(role=mighty, right_id=121701)
    client.force_login(staff)

    page = client.get(f"{USERS}{staff.pk}/change/")
    offered = set(page.context["adminform"].form.fields["roles"].queryset)
    escalate = client.post(f"{USERS}{staff.pk}/change/",
                           _user_form(staff, roles=[modest.pk, mighty.pk]))
    add_right = client.post(f"{ROLES}{modest.pk}/change/", {
        "name": "Modest", "rights-TOTAL_FORMS": "2", "rights-INITIAL_FORMS": "1",
        "rights-0-id": modest.rights.get().pk, "rights-0-role": modest.pk,
        "rights-0-right_id": "111001", "rights-1-role": modest.pk, "rights-1-right_id": "121701"})

    assert mighty not in offered
    assert modest in offered
    assert escalate.status_code == 200  # the form, with its error
    assert mighty not in staff.roles.all()
    assert add_right.status_code == 200
    assert "You may grant only rights you hold yourself; you do not hold 121701." in \
        add_right.content.decode()
    assert sorted(modest.rights.values_list("right_id", flat=True)) == [111001]
    assert client.get(f"{ROLES}{mighty.pk}/change/").context["has_change_permission"] is False


def test_staff_cannot_change_a_superuser_or_a_mightier_user(client, tenant, make_user,
                                                             tenant_admin):
    staff = _staff(make_user, [111001], "core.view_user", "core.change_user")
    mightier = make_user([111001, 121701], username="mightier")
    client.force_login(staff)

    password = client.post(f"{USERS}{tenant_admin.pk}/password/",
                           {"password1": "taken-over-9", "password2": "taken-over-9"})
    change = client.post(f"{USERS}{mightier.pk}/change/", _user_form(mightier, is_active=None))

    tenant_admin.refresh_from_db()
    mightier.refresh_from_db()
    assert (password.status_code, change.status_code) == (403, 403)
    assert tenant_admin.check_password("pass-word-1")
    assert mightier.is_active


def test_another_tenants_raw_id_shows_no_label(client, tenant, other_tenant, scene,
                                               tenant_admin):
    foreign = make_claim_scene(other_tenant)
    foreign.insuree.last_name = "Secret-Foreign-Name"
    foreign.insuree.save()
    client.force_login(tenant_admin)

    response = client.post(f"/admin/core/insuree/{scene.insuree.pk}/change/", {
        "chf_id": scene.insuree.chf_id, "last_name": "x", "other_names": "y", "dob": "1980-01-01",
        "family": foreign.family.pk, "validity_from_0": "2025-01-01",
        "validity_from_1": "00:00:00"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "Secret-Foreign-Name" not in response.content.decode()
    scene.insuree.refresh_from_db()
    assert scene.insuree.family == scene.family
