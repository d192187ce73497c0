"""The partner directory for staff: the structures the team orients people to, with
how to reach them and what they offer, searchable from a phone."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from contacts.models import Partner
from entractes.permissions import requires


@never_cache
@requires("partners.view")
def partner_directory(request):
    """The active partners, by kind and words (name, offer, address, contact, notes:
    every word must be found)."""
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    kind = request.GET.get("type", "")
    kinds = dict(Partner.Kind.choices)
    partners = Partner.objects.filter(active=True)
    if kind in kinds:
        partners = partners.filter(kind=kind)
    else:
        kind = ""
    for word in query.split():
        partners = partners.filter(
            Q(name__icontains=word)
            | Q(offer__icontains=word)
            | Q(address__icontains=word)
            | Q(contact_person__icontains=word)
            | Q(notes__icontains=word)
        )
    context = {
        "partners": partners.order_by("kind", "name")[:300],
        "q": query,
        "kind": kind,
        "kinds": Partner.Kind.choices,
    }
    if request.headers.get("HX-Request"):
        return render(request, "contacts/partner_directory.html#results", context)
    return render(request, "contacts/partner_directory.html", context)
