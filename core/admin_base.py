"""The one base of every Django admin page: the admin obeys the same tenant scope and the same
workflow services as the API, so a staff login is no way around either.

- Rows: every page's queryset passes through `core.scoping.scope_queryset` (change, delete and
  history pages of another tenant's row answer like a missing row); a superuser without tenant
  (the platform operator) sees every tenant.
- Choices: every ForeignKey and ManyToMany choice (selects, raw-id inputs and their labels,
  autocomplete, list filters) is limited the same way.
- Tenant: a tenant user's new rows get their tenant; the tenant field is locked to it.
- Deployment-wide rows (models without tenant: catalogues, configuration) are read-only for tenant
  users; `platform_only` pages (tenants, module configuration, Django groups, refresh tokens) are
  hidden from them. Rows shared by all tenants (a role without tenant) are read-only for them too.
- Workflow: a model's `workflow_fields` (status, amounts, decisions; `"__all__"` for history and
  ledger rows) are never editable here; state changes are admin actions that run the GraphQL
  mutation itself (`mutation_action`): same rights, service, history, signals and mutation log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter, widgets
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField

from core.codes import MutationStatus
from core.gql.mutations import OpenIMISMutation
from core.gql.policy import holds_rights
from core.models import Tenant
from core.scoping import scope_queryset

# Django's own deployment-wide catalogues, offered as choices (permissions, groups, content
# types) without a tenant; any other model must declare `tenant_path`.
GLOBAL_MODELS = frozenset({"auth.Permission", "auth.Group", "contenttypes.ContentType"})
ALL_FIELDS = "__all__"


def is_platform_user(user) -> bool:
    """The platform operator: an active superuser without tenant."""
    return bool(user.is_active and user.is_superuser and user.tenant_id is None)


def workflow_fields(model: type[Model]) -> frozenset[str]:
    """The fields of `model` only its workflow services write (its `workflow_fields`)."""
    declared = getattr(model, "workflow_fields", ())
    if declared == ALL_FIELDS:
        return frozenset(f.name for f in model._meta.get_fields() if f.concrete)
    return frozenset(declared)


def written_by_services_only(model: type[Model]) -> bool:
    return getattr(model, "workflow_fields", ()) == ALL_FIELDS


def _tenant_path(model: type[Model]) -> str | None:
    return getattr(model, "tenant_path", None)


def row_tenant_id(obj: Model) -> int | None:
    """The tenant a row belongs to, following its `tenant_path` (None: shared or global)."""
    path = _tenant_path(type(obj))
    if path is None:
        return None
    *hops, last = path.split("__")
    holder = obj
    for hop in hops:
        holder = getattr(holder, hop)
        if holder is None:
            return None
    return getattr(holder, f"{last}_id")


def has_tenant_field(model: type[Model]) -> bool:
    try:
        field = model._meta.get_field("tenant")
    except FieldDoesNotExist:
        return False
    return field.is_relation and field.related_model is Tenant


def visible_rows(user, queryset: QuerySet, *, shared: bool = False) -> QuerySet:
    """What `user` may see of `queryset` in the admin: the tenant scope, plus, with `shared`,
    the rows without tenant that every tenant uses (roles, report templates)."""
    model = queryset.model
    if model._meta.label in GLOBAL_MODELS:
        return queryset
    scoped = scope_queryset(user, queryset)
    path = _tenant_path(model)
    if shared and path is not None and user.tenant_id is not None:
        scoped = scoped | queryset.filter(**{f"{path}__isnull": True})
    return scoped


class ScopedRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """A raw-id input that names the chosen row only when the user may see it: typing another
    tenant's id shows no label (the form then refuses the id as an invalid choice)."""

    def __init__(self, rel, admin_site, attrs=None, using=None, *, queryset: QuerySet) -> None:
        super().__init__(rel, admin_site, attrs, using)
        self.queryset = queryset

    def label_and_url_for_value(self, value) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        try:
            visible = self.queryset.filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            visible = False
        return super().label_and_url_for_value(value) if visible else ("", "")


class TenantScopedMixin:
    """What model admins and inlines share (see the module docstring).

    `platform_only`: only the platform operator sees the page. `view_only`: nobody adds, changes
    or deletes rows here (services own them). `shows_shared_rows`: tenant users also see, read
    only, rows without tenant."""

    platform_only: bool = False
    view_only: bool = False
    shows_shared_rows: bool = False

    # Rows ------------------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.platform_only:
            return queryset if is_platform_user(request.user) else queryset.none()
        return visible_rows(request.user, queryset, shared=self.shows_shared_rows)

    # Permissions -----------------------------------------------------------------------------

    def may_write(self, request, obj: Model | None = None) -> bool:
        """Whether the user may add, change or delete here (Django's model permissions still
        apply on top). `obj` is the row, or an inline's parent row."""
        user = request.user
        if self.view_only or written_by_services_only(self.model):
            return False
        if is_platform_user(user):
            return True
        if self.platform_only or user.tenant_id is None or _tenant_path(self.model) is None:
            return False
        return obj is None or _tenant_path(type(obj)) is None or row_tenant_id(obj) is not None

    def has_module_permission(self, request) -> bool:
        if self.platform_only and not is_platform_user(request.user):
            return False
        return super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        if self.platform_only and not is_platform_user(request.user):
            return False
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return self.may_write(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.may_write(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.may_write(request, obj) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        declared = tuple(super().get_readonly_fields(request, obj))
        names = {f.name for f in self.model._meta.get_fields() if f.concrete}
        locked = sorted((workflow_fields(self.model) & names) - set(declared))
        return declared + tuple(locked)

    # Choices ---------------------------------------------------------------------------------

    def choices_for(self, request, db_field, using: str | None) -> QuerySet:
        """The rows `db_field` may point to: the user's, ordered as the related admin orders."""
        related = db_field.remote_field.model
        base = self.get_field_queryset(using, db_field, request)
        if base is None:
            base = related._default_manager.using(using).all()
        related_admin = self.admin_site._registry.get(related)
        shared = getattr(related_admin, "shows_shared_rows", False)
        return visible_rows(request.user, base, shared=shared)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        using = kwargs.get("using")
        user = request.user
        if db_field.remote_field.model is Tenant and not is_platform_user(user):
            kwargs.update(queryset=Tenant.objects.filter(pk=user.tenant_id),
                          initial=user.tenant_id, disabled=True)
        elif "queryset" not in kwargs:
            kwargs["queryset"] = self.choices_for(request, db_field, using)
        if "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = ScopedRawIdWidget(db_field.remote_field, self.admin_site,
                                                 using=using, queryset=kwargs["queryset"])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = self.choices_for(request, db_field, kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TenantModelAdmin(TenantScopedMixin, admin.ModelAdmin):
    """The base of every ModelAdmin of every module."""

    def get_list_filter(self, request):
        """Tenant users get no tenant filter, and filters on a relation offer only the related
        rows their visible rows use (Django's default lists every row of the related table)."""
        filters = super().get_list_filter(request)
        if is_platform_user(request.user):
            return filters
        kept = []
        for entry in filters:
            name = entry if isinstance(entry, str) else (
                entry[0] if isinstance(entry, (tuple, list)) else None)
            if name is None:
                kept.append(entry)
                continue
            field = get_fields_from_path(self.model, name)[-1]
            if not field.is_relation:
                kept.append(entry)
            elif field.related_model is not Tenant:
                kept.append((name, RelatedOnlyFieldListFilter))
        return kept

    def save_model(self, request, obj, form, change) -> None:
        if not is_platform_user(request.user) and has_tenant_field(type(obj)):
            obj.tenant_id = request.user.tenant_id
        super().save_model(request, obj, form, change)


class TenantInlineMixin(TenantScopedMixin):
    """The base of every inline. Rows with a tenant of their own (insurees of a family) are
    added and changed on their own page, where their tenant is set and checked."""

    def may_write(self, request, obj: Model | None = None) -> bool:
        return not has_tenant_field(self.model) and super().may_write(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        """The rows' hidden id fields accept only rows the user may see (Django offers every
        row of the table there, though it then looks rows up among the parent's only)."""
        formset = super().get_formset(request, obj, **kwargs)
        rows = self.get_queryset(request)

        class ScopedFormSet(formset):
            def add_fields(self, form, index) -> None:
                super().add_fields(form, index)
                pk = form.fields.get(self.model._meta.pk.name)
                if isinstance(pk, ModelChoiceField):
                    pk.queryset = rows

        return ScopedFormSet


class TenantTabularInline(TenantInlineMixin, admin.TabularInline):
    pass


class TenantStackedInline(TenantInlineMixin, admin.StackedInline):
    pass


def _error_lines(errors: list[dict[str, Any]] | None) -> list[str]:
    lines = []
    for entry in errors or []:
        if "list" in entry:
            lines += [f"{entry.get('title')}: {item.get('message')}" for item in entry["list"]]
        else:
            lines.append(str(entry.get("message")))
    return lines


def mutation_action(mutation: type[OpenIMISMutation], description: str):
    """An admin action that runs `mutation` on the selected rows' uuids exactly as the GraphQL
    API would for the same user: its policy (the module's configured rights key), service,
    history, signals, one transaction and a mutation log."""

    def action(model_admin, request, queryset) -> None:
        if not holds_rights(mutation.policy(), request.user):
            model_admin.message_user(request, f"{description}: you do not hold the rights "
                                              "it needs.", messages.ERROR)
            return
        uuids = [str(u) for u in queryset.values_list("uuid", flat=True)]
        log = mutation.run(request.user, {
            "uuids": uuids, "client_mutation_label": f"admin: {description}"})
        failed = _error_lines(log.error)
        done = len(log.uuids or [])
        if done:
            model_admin.message_user(request, f"{description}: {done} done.", messages.SUCCESS)
        for line in failed:
            model_admin.message_user(request, f"{description}: {line}", messages.ERROR)
        if log.status != MutationStatus.SUCCESS and not failed:
            model_admin.message_user(request, f"{description}: failed.", messages.ERROR)

    action.__name__ = f"run_{mutation.__name__}"
    return admin.action(description=description)(action)
