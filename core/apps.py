from core import modules

DEFAULT_CFG = {
    # Rights (openIMIS codes). Lists: a caller needs every code listed; an empty list means any
    # authenticated user of the tenant.
    "gql_query_users_perms": ["121701"],
    "gql_query_users_profile_perms": [],
    "gql_query_roles_perms": ["122001"],
    "gql_query_mutation_logs_perms": [],
    # changePassword (a user's own password, with the current one): any logged-in user.
    "gql_mutation_change_password_perms": [],
    # Who may read every mutation log of their tenant, not just their own.
    "gql_query_mutation_logs_admin_perms": ["121801"],
    # Registers. Pickers of reference data are open to every user of the tenant.
    "gql_query_locations_perms": [],
    "gql_query_health_facilities_perms": [],
    "gql_query_diagnoses_perms": [],
    "gql_query_medical_items_perms": [],
    "gql_query_medical_services_perms": [],
    "gql_query_officers_perms": ["121501"],
    "gql_query_families_perms": ["101001"],
    "gql_query_insurees_perms": ["101101"],
    "gql_query_products_perms": ["121001"],
    "gql_query_policies_perms": ["101201"],
    "gql_query_eligibility_perms": ["101101"],
    # The claim page: an insuree's policies with what is left of them (openIMIS policy search),
    # and a facility's prices (reference data, like the item pickers).
    "gql_query_policies_by_insuree_perms": ["101201"],
    "gql_query_pricelists_perms": [],
    "age_of_majority": 18,
    "currency": "$",
}


# The register reads every desk role needs: families, insurees and their eligibility, policies
# (and an insuree's, on the claim page), products, officers.
REGISTER_READS = ("gql_query_families_perms", "gql_query_insurees_perms",
                  "gql_query_eligibility_perms", "gql_query_policies_perms",
                  "gql_query_policies_by_insuree_perms", "gql_query_products_perms",
                  "gql_query_officers_perms")

# What each role a scheme ships holds of core's rights (core.roles).
ROLE_RIGHTS = {
    "clerk": REGISTER_READS,
    "medical_officer": REGISTER_READS,
    "viewer": (),
    "scheme_admin": (*REGISTER_READS, "gql_query_users_perms", "gql_query_roles_perms",
                     "gql_query_mutation_logs_admin_perms"),
}


class CoreConfig(modules.OpenIMISModule):
    name = "core"
    module_name = "core"
    verbose_name = "openIMIS core"
    requires = ()
    DEFAULT_CFG = DEFAULT_CFG
    ROLE_RIGHTS = ROLE_RIGHTS

    def ready(self) -> None:
        # Registers the checks and receivers; `metrics` connects its Celery receivers in every
        # process (a task worker never loads the GraphQL schema that otherwise imports it).
        from core import checks, metrics, receivers  # noqa: F401
