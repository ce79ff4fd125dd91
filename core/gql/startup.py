"""What the web app asks for at start-up: languages, the user's profile and districts."""

from __future__ import annotations

import graphene
from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from graphene_django import DjangoObjectType
from graphene_django.registry import get_global_registry

from core.gql.policy import authenticated, public, requires
from core.models import Language, User
from core.registers.gql.types import HealthFacilityGQLType, LocationGQLType, OfficerGQLType
from core.registers.queries import user_districts
from core.scoping import row_visible

# The user's own records in other modules, shown when the module is loaded: the web app reads
# `claimAdmin` to know the user enters claims for one facility.
PROFILE_RELATIONS = {"claim_admin": "claim.ClaimAdmin"}


class LanguageGQLType(DjangoObjectType):
    class Meta:
        model = Language
        fields = ("code", "name", "sort_order")


class InteractiveUserGQLType(graphene.ObjectType):
    """openIMIS' "interactive user" half of a login; here the same row as the user."""

    id = graphene.Int()
    uuid = graphene.UUID()
    language = graphene.Field(LanguageGQLType)
    last_name = graphene.String()
    other_names = graphene.String()
    email = graphene.String()
    phone = graphene.String()
    health_facility_id = graphene.Int()
    rights = graphene.List(graphene.NonNull(graphene.Int))

    def resolve_id(self, info) -> int:
        return self.pk

    def resolve_rights(self, info) -> list[int]:
        return sorted(self.rights)


def _own_record(field_name: str, model_label: str) -> graphene.Dynamic:
    """A field typed by another module's GraphQL type, present only when that module is
    loaded (core never imports it)."""

    def field() -> graphene.Field | None:
        try:
            model = apps.get_model(model_label)
        except LookupError:
            return None
        gql_type = get_global_registry().get_type_for_model(model)
        if gql_type is None:
            return None

        def resolve(user, info):
            try:
                record = getattr(user, field_name)
            except ObjectDoesNotExist:
                return None
            return record if row_visible(info.context.user, record) else None

        return graphene.Field(gql_type, resolver=resolve)

    return graphene.Dynamic(field)


class CurrentUserGQLType(graphene.ObjectType):
    """The logged-in user as the web app's shell reads it (menus follow `rights`). Only ever
    the caller's own profile: other users are shown through `UserGQLType`, without it."""

    id = graphene.ID(description="The user's uuid.")
    uuid = graphene.UUID()
    username = graphene.String()
    rights = graphene.List(graphene.NonNull(graphene.Int))
    email = graphene.String()
    first_name = graphene.String()
    last_name = graphene.String()
    other_names = graphene.String()
    phone = graphene.String()
    is_superuser = graphene.Boolean()
    tenant_code = graphene.String()
    i_user = graphene.Field(InteractiveUserGQLType)
    officer = graphene.Field(OfficerGQLType)
    health_facility = graphene.Field(HealthFacilityGQLType)
    claim_admin = _own_record("claim_admin", PROFILE_RELATIONS["claim_admin"])

    def resolve_id(self, info) -> str:
        return str(self.uuid)

    def resolve_rights(self, info) -> list[int]:
        return sorted(self.rights)

    def resolve_tenant_code(self, info) -> str | None:
        return self.tenant.code if self.tenant_id else None

    def resolve_i_user(self, info):
        return self

    def resolve_officer(self, info):
        try:
            return self.officer
        except ObjectDoesNotExist:
            return None

    def resolve_health_facility(self, info):
        facility = self.health_facility
        return facility if facility is not None and row_visible(info.context.user, facility) \
            else None


def _profile(user) -> User:
    """The caller's row with everything the profile shows, in one query."""
    related = ["tenant", "language", "health_facility__location__parent",
               "health_facility__items_pricelist", "health_facility__services_pricelist",
               "officer__location__parent"]
    names = {f.name for f in User._meta.get_fields()}
    related += [name for name in PROFILE_RELATIONS if name in names]
    return User.objects.select_related(*related).get(pk=user.pk)


class StartupQuery:
    """Root fields mixed into core's Query."""

    languages = public(graphene.List(
        graphene.NonNull(LanguageGQLType),
        description="The languages users may choose (a global catalogue; no login needed)."))
    user_districts = authenticated(graphene.List(
        graphene.NonNull(LocationGQLType),
        description="The districts the caller works in "
                    "(see core.registers.queries.user_districts)."))
    user = requires("gql_query_users_profile_perms", graphene.Field(
        CurrentUserGQLType, description="The caller's own profile."))

    def resolve_languages(self, info):
        return Language.objects.all()

    def resolve_user_districts(self, info):
        return user_districts(info.context.user)

    def resolve_user(self, info):
        return _profile(info.context.user)
