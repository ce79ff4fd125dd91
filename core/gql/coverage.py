"""What an insuree's policies cover and have left, and facility price lists (claim page)."""

from __future__ import annotations


class CoverageQuery:
    """Root fields mixed into core's Query."""
