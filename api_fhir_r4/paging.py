"""Search results as openIMIS' FHIR module pages them, which its clients follow: a searchset
Bundle of `_count` entries (default `default_page_size`, at most `max_page_size`) at page
`page-offset` (1-based), with `total` and `link` self / next / previous."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet

from api_fhir_r4.errors import FhirError
from api_fhir_r4.resources.base import Context, FhirResource
from core.config import module_config

PAGE_PARAMS = ("page-offset", "_count")


def _positive(params: dict[str, str], name: str, default: int) -> int:
    text = params.get(name)
    if text in (None, ""):
        return default
    if not text.isdigit() or int(text) < 1 or len(text) > 9:
        raise FhirError(400, f"{name} must be a positive whole number, not {text[:20]!r}",
                        expression=name)
    return int(text)


def page_of(params: dict[str, str]) -> tuple[int, int]:
    """(page, count) from `page-offset` and `_count`."""
    config = module_config("api_fhir_r4")
    count = min(_positive(params, "_count", int(config["default_page_size"])),
                int(config["max_page_size"]))
    return _positive(params, "page-offset", 1), count


def searchset(resource: FhirResource, rows: QuerySet, ctx: Context,
              params: dict[str, str]) -> dict[str, Any]:
    page, count = page_of(params)
    total = rows.count()
    start = (page - 1) * count
    found = list(rows[start:start + count]) if start < total else []

    def link(relation: str, to_page: int) -> dict[str, str]:
        query = {**params, "page-offset": str(to_page), "_count": str(count)}
        return {"relation": relation,
                "url": f"{ctx.base_url}{resource.type_name}/?{urlencode(query)}"}

    links = [link("self", page)]
    if start + count < total:
        links.append(link("next", page + 1))
    if page > 1:
        links.append(link("previous", page - 1))
    resources = resource.render_page(found, ctx)
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [{"fullUrl": ctx.url(resource.type_name, r["id"]), "resource": r,
                   "search": {"mode": "match"}} for r in resources],
    }
