from core import modules

DEFAULT_CFG = {
    # Rights (DESIGN.md section 6).
    "gql_query_approvals_perms": ["112001"],
    # Downloading a request's documents (`/api/approval/document`): whoever may read the
    # request, as its documents' names and types are part of it; add "112010" to narrow it.
    "gql_query_approval_documents_perms": ["112001"],
    "gql_mutation_create_approvals_perms": ["112002"],
    "gql_mutation_update_approvals_perms": ["112003"],
    "gql_mutation_cancel_approvals_perms": ["112004"],
    "gql_mutation_submit_approvals_perms": ["112005"],
    "gql_mutation_review_approvals_perms": ["112006"],
    "gql_mutation_decide_approvals_perms": ["112007"],
    "gql_mutation_submit_appeal_perms": ["112008"],
    "gql_mutation_decide_appeal_perms": ["112009"],
    "gql_mutation_approval_documents_perms": ["112010"],
    "gql_mutation_approval_templates_perms": ["112011"],
    "gql_query_approval_print_perms": ["112012"],
    "gql_query_approval_dashboard_perms": ["112013"],
    # Decision due time per priority, in hours.
    "decision_due_hours": {"EMERGENCY": 1, "STAT": 24, "URGENT": 72, "ROUTINE": 168},
    "max_appeal_levels": 2,
    # An approval is valid this many days from its effective date unless the decision says.
    "default_validity_days": 30,
    # Claim lines whose item or service requires pre-authorization pass only with a granted
    # approval (openimis_approval.claims_hook); False stops that (a payer outage), logged.
    "enforce_on_claims": True,
    # The facility has this many days to answer an information request; after them the
    # hourly job (`expire_info_requests`) either denies the request ("deny", with the code and
    # reason below) or puts it back before a reviewer ("flag": UNDER_REVIEW, history says why).
    "info_response_days": 14,
    "info_request_expiry": "deny",
    "info_expiry_denial_code": "INFO_NOT_SUPPLIED",
    "info_expiry_denial_reason": "The information requested was not supplied by its deadline",
    # A deadline may be extended once, by at most this many days, with a reason.
    "max_extension_days": 14,
    # Requests that pass every evaluation condition may be approved without a reviewer.
    "auto_approve_priorities": [],
    # Request documents: these limits; stored where claim attachments are (claim's
    # attachments_root / CLAIM_ATTACHMENTS_ROOT, else in the database).
    "document_max_bytes": 10_000_000,
    "document_mime_types": ["application/pdf", "image/jpeg", "image/png", "image/tiff",
                            "text/plain"],
}


# What each role a scheme ships holds of the approval rights (core.roles). The hospital's clerk
# files a request and sees it through (documents, calls, appeal, cancellation); the scheme's
# medical officer reviews, asks, decides and hears appeals; templates are the scheme admin's.
ROLE_RIGHTS = {
    "clerk": ("gql_query_approvals_perms", "gql_query_approval_documents_perms",
              "gql_mutation_create_approvals_perms", "gql_mutation_update_approvals_perms",
              "gql_mutation_cancel_approvals_perms", "gql_mutation_submit_approvals_perms",
              "gql_mutation_submit_appeal_perms", "gql_mutation_approval_documents_perms",
              "gql_query_approval_print_perms"),
    "medical_officer": ("gql_query_approvals_perms", "gql_query_approval_documents_perms",
                        "gql_mutation_review_approvals_perms",
                        "gql_mutation_decide_approvals_perms",
                        "gql_mutation_decide_appeal_perms",
                        "gql_mutation_approval_documents_perms",
                        "gql_query_approval_print_perms", "gql_query_approval_dashboard_perms"),
    "viewer": ("gql_query_approvals_perms", "gql_query_approval_documents_perms"),
    "scheme_admin": ("gql_query_approvals_perms", "gql_mutation_approval_templates_perms",
                     "gql_query_approval_dashboard_perms"),
}


class ApprovalConfig(modules.OpenIMISModule):
    name = "openimis_approval"
    label = "approval"
    module_name = "approval"
    verbose_name = "Pre-authorization"
    requires = ("core", "openimis_claim")
    demo_seeder = "openimis_approval.demo.seed_approvals"
    DEFAULT_CFG = DEFAULT_CFG
    ROLE_RIGHTS = ROLE_RIGHTS

    def ready(self) -> None:
        from django.apps import apps

        # Without claims the start-up check reports the missing requirement (openimis.E001).
        if apps.is_installed("openimis_claim"):
            from openimis_approval import claims_hook

            claims_hook.connect()
        if apps.is_installed("reports"):
            from openimis_approval.reports import register

            register()
