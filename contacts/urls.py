from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("nouvelle/", views.person_create, name="person-create"),
    path("fusions/<int:pk>/annuler/", views.merge_undo, name="merge-undo"),
    path("<str:code>/", views.person_detail, name="person-detail"),
    path("<str:code>/modifier/", views.person_edit, name="person-edit"),
    path("<str:code>/identite/", views.identity_show, name="identity-show"),
    path("<str:code>/identite/modifier/", views.identity_edit, name="identity-edit"),
    path("<str:code>/fusionner/", views.person_merge, name="person-merge"),
    path("<str:code>/historique/", views.person_history, name="person-history"),
    path(
        "<str:code>/panneaux/contacts/", views.person_contacts_panel, name="person-contacts-panel"
    ),
]
