"""The error pages are French, in the app's layout, and say what to do next."""

import pytest
from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults
from django.views.csrf import csrf_failure


def test_debug_is_off():
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_a_refused_page_answers_the_french_refusal(client, nurse):
    client.force_login(nurse)
    response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Vous n'avez pas accès à cette page" in body
    assert "demandez-le à la direction" in body
    assert f'href="{reverse("home")}"' in body
    assert "Forbidden" not in body
    assert 'class="navbar' in body  # the app's layout


@pytest.mark.django_db
def test_a_missing_page_answers_the_french_page(client, nurse):
    client.force_login(nurse)
    response = client.get("/aucune-page-ici/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Cette page n'existe pas ou plus" in body
    assert "Retour à l'accueil" in body
    assert "Not Found" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("handler", "exception", "status", "text"),
    [
        (defaults.bad_request, BadRequest(), 400, "La demande n'a pas pu être comprise"),
        (defaults.permission_denied, PermissionDenied(), 403, "Vous n'avez pas accès"),
        (defaults.page_not_found, Http404(), 404, "Cette page n'existe pas ou plus"),
    ],
)
def test_each_handler_renders_french(rf, handler, exception, status, text, admin_user):
    request = rf.get("/quelque-part/")
    request.user = admin_user
    response = handler(request, exception)
    assert response.status_code == status
    assert text in response.content.decode()


@pytest.mark.django_db
def test_a_bad_request_refused_before_authentication_renders():
    """A 400 can be answered before the authentication middleware ran (a bad host)."""
    request = RequestFactory().get("/")
    response = defaults.bad_request(request, BadRequest())
    assert response.status_code == 400
    assert "La demande n'a pas pu être comprise" in response.content.decode()


def test_the_server_error_page_needs_neither_database_nor_request_context():
    """Not a database test: any query would fail it. Rendered as Django renders it on
    an unhandled error, without context processors."""
    request = RequestFactory().get("/")
    response = defaults.server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Une erreur est survenue de notre côté" in body
    assert "signalez-la à l'administrateur·rice" in body
    assert 'href="/"' in body
    assert "Server Error" not in body


@pytest.mark.django_db
def test_an_expired_form_answers_french():
    request = RequestFactory().post("/")
    response = csrf_failure(request, reason="CSRF token missing.")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Le formulaire n'a pas pu être envoyé" in body
    assert "Forbidden" not in body
