from django.urls import include, path

from contacts import views, views_round_send
from contacts import views_fieldwork as field
from contacts import views_offline as offline
from contacts import views_partners as partners
from contacts import views_places as places

app_name = "contacts"

person_urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("suggestions/", field.person_suggest, name="person-suggest"),
    path("nouvelle/", views.person_create, name="person-create"),
    path("fusions/<int:pk>/annuler/", views.merge_undo, name="merge-undo"),
    path("<str:code>/", views.person_detail, name="person-detail"),
    path("<str:code>/modifier/", views.person_edit, name="person-edit"),
    path("<str:code>/identite/", views.identity_show, name="identity-show"),
    path("<str:code>/identite/modifier/", views.identity_edit, name="identity-edit"),
    path("<str:code>/fusionner/", views.person_merge, name="person-merge"),
    path("<str:code>/file-active/sortie/", views.person_leave_file, name="person-leave-file"),
    path(
        "<str:code>/file-active/retour/", views.person_return_to_file, name="person-return-to-file"
    ),
    path(
        "<str:code>/panneaux/contacts/", views.person_contacts_panel, name="person-contacts-panel"
    ),
]

fieldwork_urlpatterns = [
    path("sessions/", field.session_list, name="session-list"),
    path("sessions/nouvelle/", field.session_create, name="session-create"),
    path("sessions/<int:pk>/", field.session_detail, name="session-detail"),
    path("sessions/<int:pk>/modifier/", field.session_edit, name="session-edit"),
    path("sessions/<int:pk>/feuille/", field.round_sheet, name="round-sheet"),
    path(
        "sessions/<int:pk>/feuille/envoi/",
        views_round_send.round_sheet_send,
        name="round-sheet-send",
    ),
    path("sessions/<int:pk>/materiel/", field.session_material, name="session-material"),
    path("sessions/<int:pk>/prestations/", field.session_services, name="session-services"),
    path("sessions/<int:pk>/sites/", field.session_sites, name="session-sites"),
    path("contacts/nouveau/", field.contact_create, name="contact-create"),
    path("contacts/<int:pk>/", field.contact_edit, name="contact-edit"),
    path("en-ligne/abonnes/", field.followers, name="followers"),
    path("mediation/", field.mediation_list, name="mediation-list"),
    path("mediation/nouvelle/", field.mediation_create, name="mediation-create"),
    path("mediation/<int:pk>/", field.mediation_edit, name="mediation-edit"),
    path("lieux/", places.place_list, name="place-list"),
    path("lieux/nouvelle/", places.place_create, name="place-create"),
    path("lieux/<int:pk>/", places.place_edit, name="place-edit"),
]

urlpatterns = [
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("personnes/", include(person_urlpatterns)),
    path("terrain/", include(fieldwork_urlpatterns)),
    path("partenaires/", partners.partner_directory, name="partner-directory"),
]
