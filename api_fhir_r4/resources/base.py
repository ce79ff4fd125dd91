"""What a FHIR resource type provides to the HTTP layer (`api_fhir_r4.views`): its rows for a
user (tenant, facility and search parameters applied), how one row reads as FHIR, and what
writing or an operation does. The rules stay in the modules' services; a resource only maps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from api_fhir_r4.errors import FhirError
from core.scoping import is_uuid

Rights = tuple[str, str]  # (module, rights key), read from that module's configuration


@dataclass
class Context:
    """One request as the resources see it: the user, the search parameters (paging taken
    out) and the base of every URL we answer (`.../api/api_fhir_r4/`)."""

    request: HttpRequest
    user: Any
    base_url: str
    params: dict[str, str] = field(default_factory=dict)

    def url(self, type_name: str, resource_id: Any) -> str:
        return f"{self.base_url}{type_name}/{resource_id}"


class FhirResource:
    """A resource type: `rows` for search and read, `render_page` to FHIR JSON (one batch of
    lookups for a page, never one per row), `create`/`update`/`delete`/`operations` for the
    types that take writes. `read_rights`/`write_rights` name configured rights; None for read
    means any logged-in user of the tenant."""

    type_name: ClassVar[str]
    read_rights: ClassVar[tuple[Rights, ...]] = ()
    write_rights: ClassVar[tuple[Rights, ...]] = ()
    # Search parameters understood besides paging (`page-offset`, `_count`); others are 400.
    search_params: ClassVar[frozenset[str]] = frozenset()
    # False for a type that is only posted to (a request answered, not stored): GET is 405.
    searchable: ClassVar[bool] = True
    # Rows shared by every tenant (the diagnosis catalogue): the same for everyone.
    global_catalogue: ClassVar[bool] = False

    def rows(self, ctx: Context) -> QuerySet:
        raise NotImplementedError

    def find(self, ctx: Context, resource_id: str) -> Model:
        """The row `resource_id` names (its uuid, or its code where the type has one) among
        the user's rows; FhirError 404 otherwise."""
        rows = self.rows(Context(ctx.request, ctx.user, ctx.base_url))
        found = rows.filter(uuid=resource_id).first() if is_uuid(resource_id) else \
            self.find_by_code(rows, resource_id)
        if found is None:
            raise FhirError(404, f"{self.type_name}/{resource_id} is not found")
        return found

    def find_by_code(self, rows: QuerySet, code: str) -> Model | None:
        return None

    def render_page(self, rows: list[Model], ctx: Context) -> list[dict[str, Any]]:
        return [self.render(row, ctx) for row in rows]

    def render(self, row: Model, ctx: Context) -> dict[str, Any]:
        raise NotImplementedError

    def create(self, ctx: Context, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        raise FhirError(405, f"{self.type_name} cannot be created here")

    def update(self, ctx: Context, resource_id: str,
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        raise FhirError(405, f"{self.type_name} cannot be updated here")

    def delete(self, ctx: Context, resource_id: str) -> None:
        raise FhirError(405, f"{self.type_name} cannot be deleted here")


RESOURCES: dict[str, FhirResource] = {}


class OperationsOnly(FhirResource):
    """A type this server knows only through operations (`Claim/$submit` with the `Claim`
    resource not installed): its other paths are not found rather than an error."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def rows(self, ctx: Context) -> QuerySet:
        raise FhirError(404, f"{self.type_name} is served here only through its operations")


def resource_type(type_name: str) -> FhirResource:
    """The registered resource of `type_name`, or its operations alone."""
    return RESOURCES.get(type_name) or OperationsOnly(type_name)


def register(resource: type[FhirResource]) -> type[FhirResource]:
    RESOURCES[resource.type_name] = resource()
    return resource


@dataclass(frozen=True)
class Operation:
    """`POST Type/$name`: `run(ctx, body) -> (status, resource)` with `rights` held."""

    run: Callable[[Context, dict[str, Any]], tuple[int, dict[str, Any]]]
    rights: tuple[Rights, ...]


# (type name, "$name") -> Operation: a module adds operations to a type without touching it.
OPERATIONS: dict[tuple[str, str], Operation] = {}


def add_operation(type_name: str, name: str, rights: tuple[Rights, ...]) -> Callable:
    """Decorator: `@add_operation("Claim", "$submit", rights=(...))` on `run(ctx, body)`."""

    def decorate(run):
        OPERATIONS[type_name, name] = Operation(run, rights)
        return run

    return decorate
