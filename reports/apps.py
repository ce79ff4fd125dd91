from core import modules

DEFAULT_CFG = {
    "gql_query_reports_perms": [],
    "gql_mutation_reports_override_perms": ["131201"],
    "render_timeout_seconds": 20,
    "render_max_memory_mb": 256,
    "max_pdf_bytes": 20_000_000,
    # How long a PDF rendered by `renderReport` is kept for download.
    "output_keep_hours": 72,
}


class ReportsConfig(modules.OpenIMISModule):
    name = "reports"
    label = "report"
    module_name = "report"
    verbose_name = "Reports"
    requires = ("core",)
    DEFAULT_CFG = DEFAULT_CFG
    # The scheme administrator keeps the report templates (core.roles).
    ROLE_RIGHTS = {"scheme_admin": ("gql_mutation_reports_override_perms",)}
