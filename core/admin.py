"""Django admin of the framework: tenants, users and their rights, configuration, the mutation log.

Every class builds on `core.admin_base` (tenant scope, locked workflow fields). Users and roles
add one rule: a tenant's staff cannot give anyone more than they hold themselves, nor make a
superuser or a user of another tenant.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.utils import timezone
from graphql_jwt.refresh_token.models import RefreshToken as LibraryRefreshToken

from core.admin_base import TenantModelAdmin, TenantTabularInline, is_platform_user
from core.models import (
    FieldControl,
    Language,
    ModuleConfiguration,
    MutationLog,
    RefreshToken,
    Role,
    RoleRight,
    Tenant,
    User,
)
from core.registers import admin as registers_admin  # noqa: F401  (registers the register models)


def _beyond(user) -> frozenset[int] | None:
    """The rights `user` may not hand out: None for a superuser (they hold every right)."""
    return None if user.is_superuser else user.rights


def roles_within_rights(user, roles):
    """Roles that give nothing `user` does not hold (all roles for a superuser)."""
    if user.is_superuser:
        return roles
    foreign = RoleRight.objects.filter(role=OuterRef("pk")).exclude(right_id__in=user.rights)
    return roles.exclude(Exists(foreign))


@admin.register(Tenant)
class TenantAdmin(TenantModelAdmin):
    platform_only = True
    list_display = ("code", "name", "uuid")
    search_fields = ("code", "name")


@admin.register(Language)
class LanguageAdmin(TenantModelAdmin):
    list_display = ("code", "name", "sort_order")


class RoleRightForm(forms.ModelForm):
    """`held`: the rights the editing user may grant (None: any)."""

    held: frozenset[int] | None = None

    def clean_right_id(self) -> int:
        right_id = self.cleaned_data["right_id"]
        if self.held is not None and right_id not in self.held:
            raise forms.ValidationError(
                f"You may grant only rights you hold yourself; you do not hold {right_id}.",
                code="right_not_held")
        return right_id


class RoleRightInline(TenantTabularInline):
    model = RoleRight
    form = RoleRightForm
    extra = 1
    shows_shared_rows = True

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = type("RoleRightForm", (self.form,), {"held": _beyond(request.user)})
        return super().get_formset(request, obj, **kwargs)


@admin.register(Role)
class RoleAdmin(TenantModelAdmin):
    list_display = ("name", "tenant", "is_system", "validity_to")
    list_filter = ("tenant", "is_system")
    search_fields = ("name",)
    inlines = [RoleRightInline]
    shows_shared_rows = True

    def may_write(self, request, obj=None) -> bool:
        """A tenant's staff change only the roles that give nothing beyond their own rights."""
        if obj is not None and not roles_within_rights(
                request.user, Role.objects.filter(pk=obj.pk)).exists():
            return False
        return super().may_write(request, obj)


@admin.register(User)
class UserAdmin(TenantModelAdmin, DjangoUserAdmin):
    list_display = (
        "username", "last_name", "other_names", "tenant", "health_facility", "is_active"
    )
    list_filter = ("tenant", "is_active", "is_superuser")
    search_fields = ("username", "last_name", "other_names", "email")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("openIMIS", {"fields": (
            "tenant", "health_facility", "other_names", "phone", "language", "roles", "districts"
        )}),
    )
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("openIMIS", {"fields": ("tenant",)}))
    filter_horizontal = ("roles", "districts", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        """Only the platform operator makes superusers; only a superuser gives admin access
        and Django permissions (a tenant superuser holds them all: nothing beyond their own)."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not is_platform_user(request.user):
            readonly.append("is_superuser")
            if not request.user.is_superuser:
                readonly += ["is_staff", "groups", "user_permissions"]
        return readonly

    def may_write(self, request, obj=None) -> bool:
        """A tenant's staff who are not superusers change only users holding no right beyond
        theirs (so never a superuser, whose password they could otherwise reset)."""
        editor = request.user
        if obj is not None and not editor.is_superuser and (
                obj.is_superuser or not obj.rights <= editor.rights):
            return False
        return super().may_write(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "roles":
            kwargs["queryset"] = roles_within_rights(
                request.user, self.choices_for(request, db_field, kwargs.get("using")))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TenantModelAdmin, DjangoGroupAdmin):
    """Django permission groups are deployment-wide: a tenant's change would reach others."""

    platform_only = True


# The library's own table is emptied by the migration to hashed tokens (core.RefreshToken).
admin.site.unregister(LibraryRefreshToken)


@admin.register(RefreshToken)
class RefreshTokenAdmin(TenantModelAdmin):
    """Sessions, not credentials: only hashes are stored. The platform operator sees them and
    revokes them (a revoked token no longer refreshes)."""

    platform_only = True
    list_display = ("user", "created", "revoked", "expired")
    list_filter = ("revoked",)
    search_fields = ("user__username",)
    fields = ("user", "created", "revoked")
    readonly_fields = ("user", "created", "revoked")
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(boolean=True, description="expired")
    def expired(self, token) -> bool:
        return token.is_expired()

    @admin.action(description="Revoke the selected refresh tokens")
    def revoke(self, request, queryset) -> None:
        count = queryset.filter(revoked__isnull=True).update(revoked=timezone.now())
        self.message_user(request, f"{count} refresh token(s) revoked.")


class FieldControlInline(TenantTabularInline):
    model = FieldControl
    extra = 0


@admin.register(ModuleConfiguration)
class ModuleConfigurationAdmin(TenantModelAdmin):
    """Deployment-wide (rights codes among them): the platform operator's alone."""

    platform_only = True
    list_display = ("module", "layer", "is_exposed", "version")
    list_filter = ("layer", "is_exposed")
    inlines = [FieldControlInline]


@admin.register(MutationLog)
class MutationLogAdmin(TenantModelAdmin):
    list_display = ("request_date_time", "mutation", "user", "status", "client_mutation_label")
    list_filter = ("status", "module")
    search_fields = ("client_mutation_id", "client_mutation_label", "mutation")
