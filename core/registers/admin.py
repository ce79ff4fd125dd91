"""Django admin of the shared registers: every model, with search and filters, scoped to the
user's tenant by `core.admin_base`."""

from django.contrib import admin

from core.admin_base import TenantModelAdmin, TenantTabularInline
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


@admin.register(Location)
class LocationAdmin(TenantModelAdmin):
    list_display = ("code", "name", "type", "parent", "tenant", "validity_to")
    list_filter = ("type", "tenant")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(HealthFacility)
class HealthFacilityAdmin(TenantModelAdmin):
    list_display = ("code", "name", "level", "care_type", "location", "tenant",
                    "contract_end_date")
    list_filter = ("tenant", "level", "care_type")
    search_fields = ("code", "name")
    raw_id_fields = ("location", "items_pricelist", "services_pricelist")


@admin.register(MedicalItem)
class MedicalItemAdmin(TenantModelAdmin):
    list_display = ("code", "name", "type", "price", "care_type", "requires_preauthorization",
                    "tenant")
    list_filter = ("tenant", "type", "care_type", "requires_preauthorization")
    search_fields = ("code", "name")


class ServicePackageItemInline(TenantTabularInline):
    model = ServicePackageItem
    fk_name = "parent"
    raw_id_fields = ("item",)
    extra = 0


class ServicePackageServiceInline(TenantTabularInline):
    model = ServicePackageService
    fk_name = "parent"
    raw_id_fields = ("service",)
    extra = 0


@admin.register(MedicalService)
class MedicalServiceAdmin(TenantModelAdmin):
    list_display = ("code", "name", "category", "packagetype", "price", "care_type",
                    "requires_preauthorization", "tenant")
    list_filter = ("tenant", "category", "type", "packagetype", "care_type",
                   "requires_preauthorization")
    search_fields = ("code", "name")
    inlines = [ServicePackageItemInline, ServicePackageServiceInline]


class ItemsPricelistDetailInline(TenantTabularInline):
    model = ItemsPricelistDetail
    raw_id_fields = ("item",)
    extra = 0


class ServicesPricelistDetailInline(TenantTabularInline):
    model = ServicesPricelistDetail
    raw_id_fields = ("service",)
    extra = 0


@admin.register(ItemsPricelist)
class ItemsPricelistAdmin(TenantModelAdmin):
    list_display = ("name", "location", "date", "tenant")
    list_filter = ("tenant",)
    search_fields = ("name",)
    inlines = [ItemsPricelistDetailInline]


@admin.register(ServicesPricelist)
class ServicesPricelistAdmin(TenantModelAdmin):
    list_display = ("name", "location", "date", "tenant")
    list_filter = ("tenant",)
    search_fields = ("name",)
    inlines = [ServicesPricelistDetailInline]


@admin.register(Diagnosis)
class DiagnosisAdmin(TenantModelAdmin):
    list_display = ("code", "name", "validity_to")
    search_fields = ("code", "name")


@admin.register(Officer)
class OfficerAdmin(TenantModelAdmin):
    list_display = ("code", "last_name", "other_names", "location", "tenant")
    list_filter = ("tenant",)
    search_fields = ("code", "last_name", "other_names")
    raw_id_fields = ("location", "user")
    filter_horizontal = ("villages",)


class InsureeInline(TenantTabularInline):
    model = Insuree
    fields = ("chf_id", "last_name", "other_names", "dob", "gender", "head")
    extra = 0
    show_change_link = True


@admin.register(Family)
class FamilyAdmin(TenantModelAdmin):
    list_display = ("id", "head_insuree", "location", "tenant")
    list_filter = ("tenant", "poverty")
    search_fields = ("head_insuree__chf_id", "head_insuree__last_name")
    raw_id_fields = ("head_insuree", "location")
    inlines = [InsureeInline]


@admin.register(Insuree)
class InsureeAdmin(TenantModelAdmin):
    list_display = ("chf_id", "last_name", "other_names", "dob", "gender", "head", "status",
                    "tenant")
    list_filter = ("tenant", "gender", "head", "status", "card_issued")
    search_fields = ("chf_id", "last_name", "other_names", "phone", "passport")
    raw_id_fields = ("family", "current_village", "health_facility", "photo")


@admin.register(InsureePhoto)
class InsureePhotoAdmin(TenantModelAdmin):
    list_display = ("uuid", "folder", "filename", "date", "officer", "tenant")
    list_filter = ("tenant",)
    search_fields = ("filename", "insuree__chf_id")
    raw_id_fields = ("officer",)


class CatalogueAdmin(TenantModelAdmin):
    """openIMIS' global code tables: read-only for tenant users (`core.admin_base`)."""

    search_fields = ("alt_language",)
    ordering = ("sort_order",)


@admin.register(GenderType)
class GenderTypeAdmin(CatalogueAdmin):
    list_display = ("code", "gender", "alt_language", "sort_order")


@admin.register(Education)
class EducationAdmin(CatalogueAdmin):
    list_display = ("id", "education", "alt_language", "sort_order")


@admin.register(Profession)
class ProfessionAdmin(CatalogueAdmin):
    list_display = ("id", "profession", "alt_language", "sort_order")


@admin.register(Relation)
class RelationAdmin(CatalogueAdmin):
    list_display = ("id", "relation", "alt_language", "sort_order")


@admin.register(IdentificationType)
class IdentificationTypeAdmin(CatalogueAdmin):
    list_display = ("code", "identification_type", "alt_language", "sort_order")


@admin.register(FamilyType)
class FamilyTypeAdmin(CatalogueAdmin):
    list_display = ("code", "type", "alt_language", "sort_order")


@admin.register(ConfirmationType)
class ConfirmationTypeAdmin(CatalogueAdmin):
    list_display = ("code", "confirmationtype", "is_confirmation_number_required",
                    "alt_language", "sort_order")


@admin.register(InsureeStatusReason)
class InsureeStatusReasonAdmin(TenantModelAdmin):
    list_display = ("code", "insuree_status_reason", "status_type", "validity_to")
    list_filter = ("status_type",)
    search_fields = ("code", "insuree_status_reason")


class ProductItemInline(TenantTabularInline):
    model = ProductItem
    raw_id_fields = ("item",)
    extra = 0


class ProductServiceInline(TenantTabularInline):
    model = ProductService
    raw_id_fields = ("service",)
    extra = 0


@admin.register(Product)
class ProductAdmin(TenantModelAdmin):
    list_display = ("code", "name", "date_from", "date_to", "lump_sum", "tenant")
    list_filter = ("tenant",)
    search_fields = ("code", "name")
    filter_horizontal = ("contracted_facilities",)
    inlines = [ProductItemInline, ProductServiceInline]


class InsureePolicyInline(TenantTabularInline):
    model = InsureePolicy
    raw_id_fields = ("insuree",)
    extra = 0


@admin.register(Policy)
class PolicyAdmin(TenantModelAdmin):
    list_display = ("id", "family", "product", "start_date", "expiry_date", "status", "stage",
                    "tenant")
    list_filter = ("tenant", "status", "stage", "product")
    search_fields = ("family__head_insuree__chf_id", "product__code")
    raw_id_fields = ("family", "officer")
    date_hierarchy = "start_date"
    inlines = [InsureePolicyInline]


@admin.register(ProductItem)
class ProductItemAdmin(TenantModelAdmin):
    list_display = ("product", "item", "limitation_type", "limit_adult", "limit_no_adult")
    list_filter = ("product__tenant", "limitation_type")
    search_fields = ("product__code", "item__code", "item__name")
    raw_id_fields = ("product", "item")


@admin.register(ProductService)
class ProductServiceAdmin(TenantModelAdmin):
    list_display = ("product", "service", "limitation_type", "limit_adult", "limit_no_adult")
    list_filter = ("product__tenant", "limitation_type")
    search_fields = ("product__code", "service__code", "service__name")
    raw_id_fields = ("product", "service")
