"""How the figures' filters reach the field work's records: the zone of a session
(sessions may cover several zones), its kind, and who recorded."""

from __future__ import annotations

from django.db.models import Q

from entractes.lib.figures import NO_ZONE, Filter


def session_zone(path: str) -> Filter:
    """Records whose session (``path``, a foreign key to a session) covers one of the
    chosen zones; ``NO_ZONE`` takes records with no session or a session of no zone."""

    def matching(values: tuple) -> Q:
        from contacts.models import Session

        slugs = [value for value in values if value != NO_ZONE]
        found = Q(**{f"{path}__in": Session.objects.filter(zones__slug__in=slugs).values("pk")})
        if NO_ZONE in values:
            found |= Q(**{f"{path}__isnull": True}) | Q(
                **{f"{path}__in": Session.objects.filter(zones=None).values("pk")}
            )
        return found

    return matching


def zone_field(path: str) -> Filter:
    """Records with a zone of their own (``path``, a foreign key to a zone)."""

    def matching(values: tuple) -> Q:
        slugs = [value for value in values if value != NO_ZONE]
        found = Q(**{f"{path}__slug__in": slugs})
        if NO_ZONE in values:
            found |= Q(**{f"{path}__isnull": True})
        return found

    return matching


def contact_filters(path: str = "") -> dict[str, Filter]:
    """The filters of contacts, reached from another record through ``path`` (such as
    ``contact__``)."""
    from entractes.lib.figures import among

    return {
        "zone": session_zone(f"{path}session"),
        "kind": among(f"{path}session__kind"),
        "team": among(f"{path}author"),
        "channel": among(f"{path}channel__slug"),
    }
