"""Framework models: tenants, users and their rights, the mutation log (module configuration:
`core.models.configuration`)."""

from __future__ import annotations

import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Aggregate, OuterRef, Subquery
from django.utils import timezone

from core.codes import MutationStatus
from core.scoping import own_facility_only


class Tenant(models.Model):
    """An insurance scheme or hospital group: every domain row belongs to exactly one."""

    tenant_path = None  # tenants are not scoped by tenant; see core.scoping

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=255)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Language(models.Model):
    tenant_path = None  # a global catalogue

    code = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=64)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A named set of rights; a tenant's own, or shared by all tenants when `tenant` is empty."""

    tenant_path = "tenant"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField(max_length=64)
    is_system = models.BooleanField(default=False)
    validity_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="core_role_name")]

    def __str__(self) -> str:
        return self.name


class RoleRight(models.Model):
    tenant_path = "role__tenant"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="rights")
    right_id = models.IntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role", "right_id"], name="core_role_right")]

    def __str__(self) -> str:
        return f"{self.role}: {self.right_id}"


_NOT_LOADED = object()


class CommaList(Aggregate):
    """Values joined by commas in one text: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS TEXT), ',')"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT",
                              template="%(function)s(%(expressions)s, ',')", **extra_context)


class OpenIMISUserManager(UserManager):
    def with_rights(self) -> models.QuerySet:
        """Users with the codes of their roles' rights read in the same statement (`rights`
        then costs no query): every authenticated request needs both."""
        codes = RoleRight.objects.filter(
            role__users=OuterRef("pk"), role__validity_to__isnull=True,
        ).order_by().values("role__users").annotate(codes=CommaList("right_id")).values("codes")
        return self.get_queryset().annotate(rights_codes=Subquery(codes))


class User(AbstractUser):
    """A person using the system; `tenant` is empty only for platform superusers."""

    tenant_path = "tenant"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    health_facility = models.ForeignKey(
        "core.HealthFacility", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    other_names = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    language = models.ForeignKey(Language, default="en", on_delete=models.PROTECT)
    roles = models.ManyToManyField(Role, blank=True, related_name="users")
    districts = models.ManyToManyField(
        "core.Location", blank=True, related_name="+", limit_choices_to={"type": "D"},
        help_text="Districts this user works in (openIMIS user districts); none: the district "
                  "of their facility, or every district of their tenant.",
    )

    objects = OpenIMISUserManager()

    @cached_property
    def rights(self) -> frozenset[int]:
        """Every right this user holds: through roles, or all known rights for a superuser."""
        from core.rights import all_rights

        if self.is_superuser:
            return all_rights()
        loaded = self.__dict__.get("rights_codes", _NOT_LOADED)
        if loaded is not _NOT_LOADED:  # read with the user (User.objects.with_rights())
            return frozenset(int(code) for code in (loaded or "").split(",") if code)
        return frozenset(
            RoleRight.objects.filter(role__users=self, role__validity_to__isnull=True)
            .values_list("right_id", flat=True)
        )

    def has_rights(self, *codes: int | str) -> bool:
        """True when the user holds every code given (superusers hold all)."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        held = self.rights
        return all(int(code) in held for code in codes)


class MutationLog(models.Model):
    """What a client asked to change and what came of it; clients poll it by clientMutationId."""

    tenant_path = "user__tenant"
    workflow_fields = "__all__"  # written by the mutation base only

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    module = models.CharField(max_length=64)
    mutation = models.CharField(max_length=128)
    # NULL, not "", means "not given": the client id is unique per user only when given.
    client_mutation_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    client_mutation_label = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    client_mutation_details = models.JSONField(null=True, blank=True)
    json_content = models.JSONField(default=dict)
    status = models.IntegerField(choices=MutationStatus.choices, default=MutationStatus.RECEIVED)
    error = models.JSONField(null=True, blank=True)
    autogenerated_code = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    json_ext = models.JSONField(null=True, blank=True)
    uuids = models.JSONField(default=list, blank=True)
    request_date_time = models.DateTimeField(default=timezone.now, db_index=True)
    finish_date_time = models.DateTimeField(null=True, blank=True)
    # A bulk mutation run by workers (core.bulk): rows done of rows to do, while it runs.
    progress_done = models.PositiveIntegerField(null=True, blank=True)
    progress_total = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_mutation_id"],
                condition=models.Q(client_mutation_id__isnull=False),
                name="core_mutation_log_client_id",
            )
        ]
        indexes = [models.Index(fields=["user", "-request_date_time"])]

    def __str__(self) -> str:
        return f"{self.mutation} {self.client_mutation_id or self.id} ({self.get_status_display()})"

    @classmethod
    def scope_for_user(cls, user, queryset):
        """A log carries what was changed (a claim's uuid, code, amounts): a facility's user
        sees only the logs of their facility's users, like its claims."""
        return own_facility_only(user, queryset, "user__health_facility")

    def visible_to(self, user) -> bool:
        return user.health_facility_id is None or (
            self.user is not None and self.user.health_facility_id == user.health_facility_id)


class MutationChunk(models.Model):
    """One piece of a bulk mutation run by workers (core.bulk): its input (the rows it acts on),
    and once done, what came of it. A piece delivered twice finds itself done and changes
    nothing again; the log is finished when every piece is done."""

    tenant_path = "log__user__tenant"
    workflow_fields = "__all__"  # written by core.bulk only

    log = models.ForeignKey(MutationLog, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    size = models.PositiveIntegerField(default=0, help_text="Rows this piece acts on.")
    done = models.BooleanField(default=False)
    errors = models.JSONField(default=list, blank=True)
    uuids = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "index"],
                                               name="core_mutation_chunk_index")]

    def __str__(self) -> str:
        return f"{self.log_id} #{self.index}"
