from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core import admin_registers  # noqa: F401  (registers the register models)
from core.models import (
    FieldControl,
    Language,
    ModuleConfiguration,
    MutationLog,
    Role,
    RoleRight,
    Tenant,
    User,
)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "uuid")
    search_fields = ("code", "name")


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort_order")


class RoleRightInline(admin.TabularInline):
    model = RoleRight
    extra = 1


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "tenant", "is_system", "validity_to")
    list_filter = ("tenant", "is_system")
    search_fields = ("name",)
    inlines = [RoleRightInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
    filter_horizontal = ("roles", "districts", "groups", "user_permissions")


class FieldControlInline(admin.TabularInline):
    model = FieldControl
    extra = 0


@admin.register(ModuleConfiguration)
class ModuleConfigurationAdmin(admin.ModelAdmin):
    list_display = ("module", "layer", "is_exposed", "version")
    list_filter = ("layer", "is_exposed")
    inlines = [FieldControlInline]


@admin.register(MutationLog)
class MutationLogAdmin(admin.ModelAdmin):
    list_display = ("request_date_time", "mutation", "user", "status", "client_mutation_label")
    list_filter = ("status", "module")
    search_fields = ("client_mutation_id", "client_mutation_label", "mutation")
    readonly_fields = [f.name for f in MutationLog._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
