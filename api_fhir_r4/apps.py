from core import modules

DEFAULT_CFG = {
    # A search page: `_count` when given (at most `max_page_size`), else this.
    "default_page_size": 10,
    "max_page_size": 200,
    # The currency of every Money we send (openIMIS keeps amounts without one).
    "currency": "USD",
    # Rest-hook subscriptions: who may manage them, and how deliveries are retried.
    "gql_mutation_subscriptions_perms": ["191001"],
    "subscription_max_attempts": 6,
    "subscription_timeout_seconds": 10,
    # The first retry waits this long, each next one twice as long (at most an hour).
    "subscription_retry_seconds": 30,
    # Endpoints on loopback or private networks (a hospital's own network, a test receiver).
    "subscription_allow_private_endpoints": False,
}


class FhirR4Config(modules.OpenIMISModule):
    """FHIR R4 over the same services, rights and tenant rules as GraphQL: the openIMIS
    Android apps, OpenHIM mediators and payers' systems (Da Vinci PAS) use it unchanged. The
    rights of a resource are those of the module that owns its rows (a Claim needs the claim
    module's, a Patient core's insuree right)."""

    name = "api_fhir_r4"
    label = "api_fhir_r4"
    module_name = "api_fhir_r4"
    verbose_name = "FHIR R4 API"
    requires = ("core", "openimis_claim")
    DEFAULT_CFG = DEFAULT_CFG
    # The scheme administrator manages the rest-hook subscriptions of partner systems
    # (core.roles).
    ROLE_RIGHTS = {"scheme_admin": ("gql_mutation_subscriptions_perms",)}

    def ready(self) -> None:
        from api_fhir_r4 import subscriptions
        from api_fhir_r4.resources import load

        load()
        subscriptions.connect()
