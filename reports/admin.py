"""Django admin of report templates: shown, not edited.

A template is saved through `saveReportOverride`, which keeps it only once it renders with the
report's sample data; an edit here would skip that check, so the page is read-only. Tenant users
see their tenant's templates and, read-only, those shared by all tenants."""

from django.contrib import admin

from core.admin_base import TenantModelAdmin
from reports.models import ReportDefinition


@admin.register(ReportDefinition)
class ReportDefinitionAdmin(TenantModelAdmin):
    list_display = ("name", "tenant", "valid_from", "valid_to", "created_by", "created_at")
    list_filter = ("tenant", "name")
    search_fields = ("name",)
    view_only = True
    shows_shared_rows = True
