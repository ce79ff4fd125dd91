"""Core models: the framework (tenants, users, configuration, mutation log) and the registers."""

from core.models.configuration import FieldControl, ModuleConfiguration
from core.models.framework import Language, MutationLog, Role, RoleRight, Tenant, User
from core.models.sessions import LoginThrottleEntry, RefreshToken
from core.registers.models import (
    ConfirmationType,
    Diagnosis,
    Education,
    Family,
    FamilyType,
    GenderType,
    HealthFacility,
    IdentificationType,
    Insuree,
    InsureePhoto,
    InsureePolicy,
    InsureeStatusReason,
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
    Profession,
    Relation,
    ServicePackageItem,
    ServicePackageService,
    ServicesPricelist,
    ServicesPricelistDetail,
)

__all__ = [
    "ConfirmationType", "Diagnosis", "Education", "Family", "FamilyType", "FieldControl",
    "GenderType", "HealthFacility", "IdentificationType", "Insuree", "InsureePhoto",
    "InsureePolicy", "InsureeStatusReason", "ItemsPricelist", "ItemsPricelistDetail", "Language",
    "Location", "LoginThrottleEntry", "MedicalItem", "MedicalService", "ModuleConfiguration",
    "MutationLog", "Officer", "Policy", "Product", "ProductItem", "ProductService", "Profession",
    "RefreshToken", "Relation", "Role", "RoleRight", "ServicePackageItem", "ServicePackageService",
    "ServicesPricelist", "ServicesPricelistDetail", "Tenant", "User",
]
