"""What the web app asks for at start-up: languages, the user's profile and districts."""

from __future__ import annotations


class StartupQuery:
    """Root fields mixed into core's Query."""
