from django.urls import include, path
from django.views.i18n import set_language

from entractes import otp, views
from entractes.admin import settings_site
from entractes.permissions import public

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("contacts.urls")),
    path("sante/", include("health.urls")),
    path("droits/", include("rights.urls")),
    path("mineurs/", include("minors.urls")),
    path("rapport/", include("reporting.urls")),
    path("", include("casefile.urls")),
    path("agenda/", include("agenda.urls")),
    path("echanges/", include("exchange.urls")),
    path("personnel/", views.staff_list, name="staff-list"),
    path("personnel/nouveau/", views.staff_create, name="staff-create"),
    path("personnel/<int:pk>/", views.staff_edit, name="staff-edit"),
    path(
        "personnel/<int:pk>/desactiver/",
        views.staff_set_active,
        {"active": False},
        name="staff-deactivate",
    ),
    path(
        "personnel/<int:pk>/reactiver/",
        views.staff_set_active,
        {"active": True},
        name="staff-reactivate",
    ),
    path("personnel/<int:pk>/reinitialiser/", views.staff_force_reset, name="staff-force-reset"),
    path("personnel/<int:pk>/debloquer/", views.staff_unlock, name="staff-unlock"),
    path("personnel/demandes/", views.staff_requests, name="staff-requests"),
    path(
        "personnel/demandes/<int:pk>/confirmer/",
        views.staff_request_decide,
        {"confirm": True},
        name="staff-request-confirm",
    ),
    path(
        "personnel/demandes/<int:pk>/refuser/",
        views.staff_request_decide,
        {"confirm": False},
        name="staff-request-refuse",
    ),
    path("compte/code/", views.password_with_code, name="password-with-code"),
    path("journal-des-acces/", views.access_log, name="access-log"),
    path("compte/connexion/", views.LoginView.as_view(), name="login"),
    path("compte/deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("compte/mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "compte/mot-de-passe/fait/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("compte/oubli/", views.PasswordResetView.as_view(), name="password_reset"),
    path("compte/oubli/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "compte/reinitialiser/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "compte/reinitialiser/fait/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("langue/", public(set_language), name="set_language"),
    path("compte/double-authentification/", otp.verify, name="otp-verify"),
    path("compte/double-authentification/activer/", otp.enrol, name="otp-enrol"),
    path(
        "personnel/<int:pk>/double-authentification/",
        views.staff_reset_second_factor,
        name="staff-reset-2fa",
    ),
    # Reference lists, for administrators; the site checks "settings.manage" itself.
    path("parametres/", settings_site.urls),
]
