from django.urls import path

from health import views

app_name = "health"

urlpatterns = [
    path("", views.home, name="home"),
    path("consultations/nouvelle/", views.consultation_create, name="consultation-create"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation-detail"),
    path("consultations/<int:pk>/modifier/", views.consultation_edit, name="consultation-edit"),
    path("permanences/", views.session_list, name="session-list"),
    path("permanences/nouvelle/", views.session_create, name="session-create"),
    path("permanences/<int:pk>/", views.session_detail, name="session-detail"),
    path(
        "permanences/<int:pk>/participants/",
        views.session_participants,
        name="session-participants",
    ),
    path("ateliers/", views.workshop_list, name="workshop-list"),
    path("ateliers/nouveau/", views.workshop_create, name="workshop-create"),
    path("personne/<str:code>/", views.person_panel, name="person-panel"),
]
