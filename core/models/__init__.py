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

__all__ = [
    "Diagnosis", "Family", "FieldControl", "HealthFacility", "Insuree", "InsureePolicy",
    "ItemsPricelist", "ItemsPricelistDetail", "Language", "Location", "MedicalItem",
    "MedicalService", "ModuleConfiguration", "MutationLog", "Officer", "Policy", "Product",
    "ProductItem", "ProductService", "Role", "RoleRight", "ServicesPricelist",
    "ServicesPricelistDetail", "Tenant", "User",
]
