from django.urls import path

from rights import views

app_name = "rights"

urlpatterns = [
    path("demarches/", views.procedure_list, name="procedure-list"),
    path("demarches/nouvelle/", views.procedure_create, name="procedure-create"),
    path("demarches/<int:pk>/", views.procedure_detail, name="procedure-detail"),
    path("demarches/<int:pk>/modifier/", views.procedure_edit, name="procedure-edit"),
    path("demarches/<int:pk>/etat/", views.procedure_status, name="procedure-status"),
    path("psp/", views.psp_list, name="psp-list"),
    path("psp/nouveau/", views.psp_create, name="psp-create"),
    path("psp/<int:pk>/", views.psp_detail, name="psp-detail"),
    path("psp/<int:pk>/etape/", views.psp_transition, name="psp-transition"),
    path("personne/<str:code>/", views.person_panel, name="person-panel"),
]
