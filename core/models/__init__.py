"""Core models: the framework (tenants, users, configuration, mutation log) and the registers."""

from core.models.framework import (
    FieldControl,
    Language,
    ModuleConfiguration,
    MutationLog,
    Role,
    RoleRight,
    Tenant,
    User,
)
from core.models.registers import (
    Diagnosis,
    Family,
    HealthFacility,
    Insuree,
    InsureePolicy,
    ItemsPricelist,
    ItemsPricelistDetail,
    Location,
    MedicalItem,
    MedicalService,
    Officer,
    Policy,
    Product,
    ProductItem,
    ProductService,
    ServicesPricelist,
    ServicesPricelistDetail,
)
from core.models.sessions import LoginThrottleEntry, RefreshToken

__all__ = [
    "Diagnosis", "Family", "FieldControl", "HealthFacility", "Insuree", "InsureePolicy",
    "ItemsPricelist", "ItemsPricelistDetail", "Language", "Location", "LoginThrottleEntry",
    "MedicalItem", "MedicalService", "ModuleConfiguration", "MutationLog", "Officer", "Policy",
    "Product", "ProductItem", "ProductService", "RefreshToken", "Role", "RoleRight",
    "ServicesPricelist", "ServicesPricelistDetail", "Tenant", "User",
]
