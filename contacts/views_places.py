"""Observations of places during the rounds: listed by zone and period, logged from a
phone."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from contacts import access, services
from contacts.forms import PlaceFilterForm, PlaceObservationForm
from contacts.models import PlaceObservation
from entractes.concurrency import save_unless_changed
from entractes.permissions import requires

SHOWN = 200


@never_cache
@requires("places.log")
def place_list(request):
    """The observations of a zone, a kind and a period (the latest first), with their
    number by zone and kind over the same choice."""
    filters = PlaceFilterForm(request.GET or None)
    observations = PlaceObservation.objects.all()
    if filters.is_valid():
        chosen = filters.cleaned_data
        if chosen["zone"]:
            observations = observations.filter(zone=chosen["zone"])
        if chosen["kind"]:
            observations = observations.filter(kind=chosen["kind"])
        if chosen["du"]:
            observations = observations.filter(date__gte=chosen["du"])
        if chosen["au"]:
            observations = observations.filter(date__lte=chosen["au"])
    elif filters.is_bound:
        observations = observations.none()
    kinds = dict(PlaceObservation.Kind.choices)
    by_zone = [
        (row["zone__label"], kinds.get(row["kind"], row["kind"]), row["n"])
        for row in observations.order_by("zone__position", "zone__label", "kind")
        .values("zone__label", "kind", "zone__position")
        .annotate(n=Count("pk"))
    ]
    total = sum(n for _zone, _kind, n in by_zone)
    return render(
        request,
        "contacts/place_list.html",
        {
            "filters": filters,
            "observations": observations.select_related("zone", "author")[:SHOWN],
            "by_zone": by_zone,
            "total": total,
            "shown": min(total, SHOWN),
        },
    )


@never_cache
@requires("places.log")
def place_create(request):
    form = PlaceObservationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.place_observation_save(data=dict(form.cleaned_data), by=request.user)
        messages.success(request, _("Observation enregistrée."))
        return redirect("contacts:place-list")
    return render(request, "contacts/place_form.html", {"form": form, "creating": True})


@never_cache
@requires("places.log")
def place_edit(request, pk):
    observation = access.get_place_observation_for_user(request.user, pk)
    form = PlaceObservationForm(request.POST or None, instance=observation)
    edit = save_unless_changed(
        request,
        observation,
        form.is_valid(),
        lambda: services.place_observation_save(
            data=dict(form.cleaned_data), by=request.user, observation=observation
        ),
    )
    if edit.saved:
        messages.success(request, _("Observation mise à jour."))
        return redirect("contacts:place-list")
    return render(
        request,
        "contacts/place_form.html",
        {"form": form, "observation": observation, "seen": edit.seen, "conflict": edit.conflict},
    )
