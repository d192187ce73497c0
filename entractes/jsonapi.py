"""Addresses a script calls for JSON (the round sheet's sends from a phone): every answer
is JSON, refusals included, never a page or a redirect to one.

A view declares it with ``json_api(page)``, ``page`` giving, from the URL's arguments,
the page the user comes back to after logging in again. Not logged in (or the session
expired): 401 ``{"login": "<login URL>?next=<page>"}``; a refused CSRF token: 403
``{"csrf": true}`` (``csrf_failure``, the project's CSRF_FAILURE_VIEW); not found or not
allowed: 404 or 403 ``{"error": "..."}``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views import csrf


def json_api(page: Callable[..., str]) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return login_again(request)
            try:
                return view(request, *args, **kwargs)
            except Http404:
                return JsonResponse({"error": _("Introuvable.")}, status=404)
            except PermissionDenied:
                return JsonResponse(
                    {"error": _("Vous n'avez pas accès à cette action.")}, status=403
                )

        wrapped.json_api = True
        wrapped.json_page = page
        return wrapped

    return decorator


def _view(request: HttpRequest):
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


def is_json_api(request: HttpRequest) -> bool:
    """A request for a ``json_api`` address, or one asking for JSON only."""
    match = _view(request)
    if match is not None and getattr(match.func, "json_api", False):
        return True
    return request.headers.get("Accept", "").split(",")[0].strip() == "application/json"


def login_again(request: HttpRequest, url_name: str = "login") -> JsonResponse:
    """401: where to log in (or pass the second factor), coming back to the view's page."""
    match = _view(request)
    page = getattr(match.func, "json_page", None) if match is not None else None
    back = page(**match.kwargs) if page is not None and match is not None else request.path
    return JsonResponse({"login": f"{reverse(url_name)}?next={quote(back, safe='/')}"}, status=401)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    """The project's CSRF failure view: JSON for a script, the French page otherwise."""
    if is_json_api(request):
        return JsonResponse({"csrf": True}, status=403)
    return csrf.csrf_failure(request, reason=reason)
