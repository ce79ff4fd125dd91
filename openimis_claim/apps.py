from django.apps import apps

from core import modules

DEFAULT_CFG = {
    # Rights (openIMIS defaults, API.md "Codes").
    "gql_query_claims_perms": ["111001"],
    "gql_mutation_create_claims_perms": ["111002"],
    "gql_mutation_update_claims_perms": ["111010"],
    "gql_mutation_delete_claims_perms": ["111004"],
    "gql_query_claim_load_perms": ["111005"],
    "gql_query_claim_print_perms": ["111006"],
    # The claims overview report (counts and amounts by status and facility for a period).
    "gql_query_claims_overview_perms": ["111001"],
    # Batch runs (the searcher's batch-run filter): anyone who may search claims.
    "gql_query_batch_runs_perms": ["111001"],
    "gql_mutation_submit_claims_perms": ["111007"],
    "gql_mutation_deliver_claim_review_perms": ["111008"],
    "gql_mutation_deliver_claim_feedback_perms": ["111009"],
    "gql_mutation_select_claim_feedback_review_perms": ["111010"],
    "gql_mutation_process_claims_perms": ["111011"],
    "gql_mutation_restore_claims_perms": ["111012"],
    "gql_mutation_valuate_claim_perms": ["111101"],
    "gql_mutation_claim_attachments_perms": ["111010"],
    # Adjudication: openIMIS' switch that submits claims without the default checks (lines pass
    # at the price asked), and eligibility rules to leave out (core.registers.eligibility.
    # SWITCHABLE_RULES).
    "default_validations_disabled": False,
    "disabled_rules": [],
    # Pickers on the claim page: any user of the tenant.
    "gql_query_claim_admins_perms": [],
    "gql_query_claim_officers_perms": [],
    "gql_query_claim_attachment_types_perms": [],
    # Attachments: stored under this folder (empty: CLAIM_ATTACHMENTS_ROOT from the environment;
    # both empty: in the database), with these limits.
    "attachments_root": "",
    "attachment_max_bytes": 5_000_000,
    "attachment_mime_types": ["application/pdf", "image/jpeg", "image/png", "image/tiff",
                              "text/plain"],
}


# What each role a scheme ships holds of the claim rights (core.roles). The clerk enters, fixes,
# submits and prints the facility's claims; review, feedback and processing are the scheme's.
# The clerk also holds the review right (111008): the openIMIS web app opens the claim form
# only for a user holding it; a review by a facility user is still refused by the service.
ROLE_RIGHTS = {
    "clerk": ("gql_query_claims_perms", "gql_mutation_create_claims_perms",
              "gql_mutation_update_claims_perms", "gql_query_claim_load_perms",
              "gql_query_claim_print_perms", "gql_mutation_submit_claims_perms",
              "gql_mutation_claim_attachments_perms", "gql_mutation_deliver_claim_review_perms"),
    "medical_officer": ("gql_query_claims_perms", "gql_query_claim_load_perms",
                        "gql_query_claim_print_perms", "gql_mutation_deliver_claim_review_perms",
                        "gql_mutation_deliver_claim_feedback_perms",
                        "gql_mutation_select_claim_feedback_review_perms",
                        "gql_mutation_process_claims_perms", "gql_mutation_valuate_claim_perms"),
    "viewer": ("gql_query_claims_perms",),
    "scheme_admin": ("gql_query_claims_perms", "gql_query_claims_overview_perms"),
}


class ClaimConfig(modules.OpenIMISModule):
    name = "openimis_claim"
    label = "claim"
    module_name = "claim"
    verbose_name = "Claims"
    requires = ("core",)
    DEFAULT_CFG = DEFAULT_CFG
    ROLE_RIGHTS = ROLE_RIGHTS
    demo_seeder = "openimis_claim.demo.seed_claims"

    def ready(self) -> None:
        from core.registers.eligibility import coverage_usage, coverage_usage_loader
        from openimis_claim.usage import coverage_usage as claims_usage
        from openimis_claim.usage import load_claim_usage

        coverage_usage.connect(claims_usage, dispatch_uid="openimis-claim-coverage-usage")
        coverage_usage_loader.connect(load_claim_usage,
                                      dispatch_uid="openimis-claim-coverage-usage-loader")
        if apps.is_installed("reports"):
            from openimis_claim.reports import register

            register()
