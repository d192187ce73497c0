"""Change history (django-auditlog): masking, and who may read which record's history."""

from __future__ import annotations

MASK = "••••••"


def mask(value) -> str:
    """A masked value tells that it changed, never any part of what it was."""
    return MASK
