"""The identifier and code systems of openIMIS' FHIR implementation guide, which its clients
send and read, and how a reference names a row: `Type/<uuid>`, `Type/<code>`, or
`{"type": "Type", "identifier": {"type": {"coding": [{"code": "UUID" | "Code"}]}, "value"}}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api_fhir_r4.errors import FhirError

IG = "https://openimis.github.io/openimis_fhir_r4_ig"
IDENTIFIER_SYSTEM = f"{IG}/CodeSystem/openimis-identifiers"
UUID_CODE = "UUID"
CODE_CODE = "Code"
# What other systems call a code-like identifier (the OpenMRS mapping of seed 003 uses MR).
CODE_ALIASES = frozenset({"Code", "MR", "ACSN", "code"})


def identifier(code: str, value: Any) -> dict[str, Any]:
    return {"type": {"coding": [{"system": IDENTIFIER_SYSTEM, "code": code}]},
            "value": str(value)}


def identifiers(row, code: str | None = None) -> list[dict[str, Any]]:
    """The row's uuid and, when it has one, its code, as openIMIS' clients read them."""
    found = [identifier(UUID_CODE, row.uuid)]
    if code:
        found.append(identifier(CODE_CODE, code))
    return found


def reference(type_name: str, row, display: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"reference": f"{type_name}/{row.uuid}", "type": type_name}
    if display:
        ref["display"] = display
    return ref


@dataclass(frozen=True)
class Named:
    """What a reference names: a uuid or a code, of a resource type."""

    type_name: str
    uuid: str | None = None
    code: str | None = None


def identifier_code(ident: dict[str, Any]) -> str | None:
    kind = ident.get("type") if isinstance(ident, dict) else None
    codings = kind.get("coding") if isinstance(kind, dict) else None
    for coding in codings if isinstance(codings, list) else []:
        if isinstance(coding, dict) and isinstance(coding.get("code"), str):
            return coding["code"]
    return None


def parse_reference(value: Any, expected: tuple[str, ...], where: str) -> Named:
    """What `value` (a FHIR Reference) names, of one of the `expected` types; FhirError 400
    naming `where` when it names nothing usable."""
    from core.scoping import is_uuid

    if not isinstance(value, dict):
        raise FhirError(400, f"{where} must be a Reference", expression=where)
    text = value.get("reference")
    if isinstance(text, str) and text:
        type_name, slash, key = text.rstrip("/").rpartition("/")
        type_name = type_name.rsplit("/", 1)[-1]
        if not slash or type_name not in expected or not key:
            raise FhirError(400, f"{where}.reference must be {' or '.join(expected)}/<id>, "
                            f"not {text[:80]!r}", expression=where)
        return Named(type_name, uuid=key) if is_uuid(key) else Named(type_name, code=key)
    ident = value.get("identifier")
    type_name = value.get("type") or expected[0]
    if isinstance(type_name, str) and "/" in type_name:
        type_name = type_name.rstrip("/").rsplit("/", 1)[-1]
    if type_name not in expected:
        raise FhirError(400, f"{where}.type must be {' or '.join(expected)}", expression=where)
    if isinstance(ident, dict) and isinstance(ident.get("value"), str) and ident["value"]:
        code = identifier_code(ident)
        key = ident["value"]
        if code == UUID_CODE or (code is None and is_uuid(key)):
            if not is_uuid(key):
                raise FhirError(400, f"{where}.identifier.value is not a UUID",
                                expression=where)
            return Named(type_name, uuid=key)
        return Named(type_name, code=key)
    raise FhirError(400, f"{where} names nothing: give reference or identifier",
                    expression=where)


def code_of(resource: dict[str, Any], codes=CODE_ALIASES) -> str | None:
    """The value of a resource's identifier typed Code (or MR, ...)."""
    for ident in resource.get("identifier") or []:
        if isinstance(ident, dict) and identifier_code(ident) in codes and \
                isinstance(ident.get("value"), str):
            return ident["value"]
    return None
