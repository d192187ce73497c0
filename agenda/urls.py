from django.urls import path

from agenda import views

app_name = "agenda"

urlpatterns = [
    path("", views.my_day, name="my-day"),
    path("semaine/", views.week, name="week"),
    path("actions/nouvelle/", views.action_create, name="action-create"),
    path("actions/<int:pk>/", views.action_edit, name="action-edit"),
    path("actions/<int:pk>/etat/", views.action_status, name="action-status"),
    path("personne/<str:code>/", views.person_panel, name="person-panel"),
    path("transmissions/", views.handover, name="handover"),
    path("transmissions/nouvelle/", views.handover_create, name="handover-create"),
    path("transmissions/<int:pk>/", views.handover_edit, name="handover-edit"),
]
