"""What lets the round sheet open without network: the web app manifest and the
service worker. Both are public, like the static files they name: they hold no record.

The service worker keeps only the sheet's static files (CSS, JS); pages always come
from the network, and when there is none, the sheet's address gets a bare shell (no
name, no record) in which round-sheet.js shows the sheet kept on the phone.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from entractes.permissions import PUBLIC, requires

# The sheet's shell: what the service worker keeps, so that it opens offline.
SHELL_ASSETS = [
    "vendor/bootstrap/bootstrap.min.css",
    "css/app.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/round-sheet.js",
    "img/icon-192.png",
]


def _version() -> str:
    """Changes with the files kept, so that a new deployment replaces the old copies."""
    digest = hashlib.sha256()
    for path in SHELL_ASSETS:
        digest.update(static(path).encode())
        found = finders.find(path)
        if found:
            with open(found, "rb") as file:
                digest.update(file.read())
    return digest.hexdigest()[:12]


@require_GET
@requires(PUBLIC)
def manifest(request):
    data = {
        "name": "Entr'Actes — feuille de tournée",
        "short_name": "Entr'Actes",
        "description": _("Saisir les contacts d'une tournée, même sans réseau."),
        "lang": "fr",
        "start_url": reverse("contacts:session-list"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#212529",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
@requires(PUBLIC)
def service_worker(request):
    shell = render_to_string("contacts/offline_sheet.html", {"assets": SHELL_ASSETS})
    script = render_to_string(
        "contacts/sw.js",
        {
            "cache": f"entractes-{_version()}",
            "assets": json.dumps([static(path) for path in SHELL_ASSETS]),
            "static_prefix": json.dumps(static("")),
            "shell": json.dumps(shell),
        },
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers look for a new worker at each visit: never an old copy from a cache.
    response["Cache-Control"] = "no-cache"
    return response
