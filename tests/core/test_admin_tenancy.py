"""Generated over every registered ModelAdmin: a tenant's admin sees and picks only its own
tenant's rows; a platform superuser (no tenant) sees every tenant's; workflow fields are never
editable."""

from __future__ import annotations

import uuid

import pytest
from django.contrib import admin
from django.db.models import Max, UUIDField
from django.forms import ModelChoiceField
from django.test import RequestFactory
from django.urls import reverse

from core.models import Tenant, User
from tests.core.admin_scene import make_global_rows, make_tenant_rows

pytestmark = pytest.mark.django_db

UNSET = object()
REGISTRY = sorted(admin.site._registry.items(), key=lambda entry: entry[0]._meta.label)
IDS = [model._meta.label for model, _ in REGISTRY]


@pytest.fixture
def rows(tenant, other_tenant):
    return {"T1": make_tenant_rows(tenant, "T1"), "T2": make_tenant_rows(other_tenant, "T2"),
            "global": make_global_rows()}


def _staff(username: str, tenant: Tenant | None) -> User:
    return User.objects.create_user(username=username, password="pass-word-1", tenant=tenant,
                                    is_superuser=True, is_staff=True)


@pytest.fixture
def tenant_admin(tenant, rows) -> User:
    """The demo's `Admin`: a superuser, with a tenant."""
    return _staff("tenant-admin", tenant)


@pytest.fixture
def platform_admin(rows) -> User:
    return _staff("platform-admin", None)


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _path(model) -> str | object | None:
    return getattr(model, "tenant_path", UNSET)


def _of_tenant(model, tenant: Tenant):
    return model._default_manager.filter(**{f"{_path(model)}_id": tenant.pk})


def _platform_only(model_admin) -> bool:
    return getattr(model_admin, "platform_only", False)


def _missing_pk(model):
    if isinstance(model._meta.pk, UUIDField):
        return uuid.uuid4()
    return (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1000


def _answer(response) -> tuple[int, str | None]:
    return response.status_code, getattr(response, "url", None)


def _like_missing(client, model, row) -> None:
    """Another tenant's row answers exactly as a row that does not exist: refused (403, 404
    or Django's redirect to the index saying it doesn't exist), never shown or changed."""
    missing = _missing_pk(model)
    for view in ("change", "delete", "history"):
        for method, data in (("get", None), ("post", {"post": "yes"})):
            if view == "history" and method == "post":
                continue
            call = getattr(client, method)
            foreign = call(_url(model, view, row.pk), data)
            absent = call(_url(model, view, missing), data)
            assert _answer(foreign) == _answer(absent), (view, method, row)
            assert foreign.status_code in (302, 403, 404), (view, method, row)
            if foreign.status_code == 302:
                assert foreign.url == reverse("admin:index")


def _choice_fields(response):
    """Every model choice field of the page's form and of its inlines' empty forms."""
    forms = [response.context["adminform"].form]
    forms += [inline.formset.empty_form for inline in response.context["inline_admin_formsets"]]
    for form in forms:
        for name, field in form.fields.items():
            if isinstance(field, ModelChoiceField):
                yield f"{type(form).__name__}.{name}", field.queryset


def _foreign_choices(queryset, own: Tenant, foreign: Tenant) -> list:
    model = queryset.model
    if model is Tenant:
        return [t for t in queryset if t.pk != own.pk]
    path = _path(model)
    if path is UNSET or path is None:
        return []
    return list(queryset.filter(**{f"{path}_id": foreign.pk}))


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=IDS)
def test_a_tenant_admin_sees_only_its_own_rows(client, tenant, other_tenant, tenant_admin,
                                               model, model_admin):
    client.force_login(tenant_admin)
    listing = client.get(_url(model, "changelist"))
    path = _path(model)

    if _platform_only(model_admin):
        assert listing.status_code == 403
        assert client.get(_url(model, "add")).status_code == 403
        return
    assert listing.status_code == 200
    shown = list(listing.context["cl"].queryset)
    if path is not None:
        foreign = list(_of_tenant(model, other_tenant))
        assert foreign, f"the scene has no {model.__name__} of T2"
        assert _of_tenant(model, tenant).exists(), f"the scene has no {model.__name__} of T1"
        assert not set(shown) & set(foreign)
        assert set(shown) >= set(_of_tenant(model, tenant))
        for row in foreign:
            _like_missing(client, model, row)
        assert model._default_manager.filter(pk__in=[r.pk for r in foreign]).count() == \
            len(foreign)
    for spec in listing.context["cl"].filter_specs:
        field = getattr(spec, "field", None)
        if field is None or not field.is_relation:
            continue
        related = field.remote_field.model
        assert related is not Tenant, f"{model.__name__} offers a tenant filter"
        pks = [pk for pk, _label in spec.lookup_choices]
        assert not _foreign_choices(related._default_manager.filter(pk__in=pks), tenant,
                                    other_tenant), spec.title

    pages = []
    if model_admin.has_add_permission(_request(tenant_admin)):
        pages.append(client.get(_url(model, "add")))
    own = _of_tenant(model, tenant).first() if path is not None else \
        model._default_manager.first()
    if own is not None:
        pages.append(client.get(_url(model, "change", own.pk)))
    for page in pages:
        assert page.status_code == 200
        for name, queryset in _choice_fields(page):
            assert not _foreign_choices(queryset, tenant, other_tenant), name


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=IDS)
def test_a_platform_admin_sees_every_tenant(client, tenant, other_tenant, platform_admin,
                                            model, model_admin):
    client.force_login(platform_admin)
    listing = client.get(_url(model, "changelist"))

    assert listing.status_code == 200
    shown = set(listing.context["cl"].queryset)
    if _path(model) not in (None, UNSET):
        for each in (tenant, other_tenant):
            assert set(_of_tenant(model, each)) <= shown
        foreign = _of_tenant(model, other_tenant).first()
        assert client.get(_url(model, "change", foreign.pk)).status_code == 200
    else:
        assert shown == set(model._default_manager.all())


def _request(user: User):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _workflow_fields(model) -> frozenset[str]:
    declared = getattr(model, "workflow_fields", ())
    if declared == "__all__":
        return frozenset(f.name for f in model._meta.get_fields() if f.concrete) | \
            frozenset(f.attname for f in model._meta.concrete_fields)
    return frozenset(declared)


def _editable(model_admin, request, obj) -> set[str]:
    """The fields a user may type into on the add form (obj None) or on obj's change form."""
    may = model_admin.has_change_permission(request, obj) if obj is not None else \
        model_admin.has_add_permission(request, *(() if isinstance(model_admin, admin.ModelAdmin)
                                                  else (None,)))
    if not may:
        return set()
    if isinstance(model_admin, admin.ModelAdmin):
        form = model_admin.get_form(request, obj)
    else:
        form = model_admin.get_formset(request, obj).form
    return set(form.base_fields)


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=IDS)
@pytest.mark.parametrize("who", ["tenant_admin", "platform_admin"])
def test_no_workflow_field_is_editable(request, tenant, who, model, model_admin):
    """Status, amounts, decisions, history and ledgers change only through the services."""
    user = request.getfixturevalue(who)
    http = _request(user)
    path = _path(model)
    obj = (_of_tenant(model, tenant).first() if path not in (None, UNSET)
           else model._default_manager.first())

    for candidate in (None, obj):
        editable = _editable(model_admin, http, candidate)
        assert not editable & _workflow_fields(model), (model.__name__, candidate)
        for inline in model_admin.get_inline_instances(http, candidate):
            inline_editable = _editable(inline, http, candidate)
            assert not inline_editable & _workflow_fields(inline.model), inline.model.__name__


def test_workflow_fields_are_declared_on_the_workflow_models():
    from openimis_approval.models import ApprovalLine, ApprovalRequest
    from openimis_claim.models import Claim, ClaimItem, ClaimService

    assert {"status", "review_status", "feedback_status", "claimed", "approved", "valuated",
            "remunerated"} <= _workflow_fields(Claim)
    for line in (ClaimItem, ClaimService):
        assert {"status", "price_approved", "price_valuated"} <= _workflow_fields(line)
    assert {"status", "authorization_number", "decided_by", "version"} <= \
        _workflow_fields(ApprovalRequest)
    assert {"decision", "qty_approved", "price_approved"} <= _workflow_fields(ApprovalLine)


def test_every_admin_uses_the_tenant_base():
    from core.admin_base import TenantInlineMixin, TenantModelAdmin

    for model, model_admin in REGISTRY:
        assert isinstance(model_admin, TenantModelAdmin), model.__name__
        for inline in model_admin.inlines:
            assert issubclass(inline, TenantInlineMixin), inline.__name__


def test_an_admin_outside_the_base_is_refused_at_start_up():
    from core.checks import check_admin_scoping
    from tests.sampleapp.models import Note

    assert check_admin_scoping() == []
    admin.site.register(Note, admin.ModelAdmin)
    try:
        errors = check_admin_scoping()
    finally:
        admin.site.unregister(Note)

    assert [(e.id, e.msg) for e in errors] == [(
        "openimis.E002", "django.contrib.admin.options.ModelAdmin (admin of sample.Note) "
        "does not build on core.admin_base.TenantModelAdmin.")]
