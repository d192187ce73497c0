from django.urls import path

from minors import views

app_name = "minors"

urlpatterns = [
    path("", views.home, name="home"),
    path("dossiers/nouveau/", views.file_create, name="file-create"),
    path("dossiers/<int:pk>/", views.file_detail, name="file-detail"),
    path("dossiers/<int:pk>/modifier/", views.file_edit, name="file-edit"),
    path("dossiers/<int:pk>/ajouter/<slug:kind>/", views.file_add, name="file-add"),
    path("dossiers/<int:pk>/fin/<slug:kind>/<int:record>/", views.period_end, name="period-end"),
    path("signalements-recus/", views.report_list, name="report-list"),
    path("signalements-recus/<int:pk>/rattacher/", views.report_link, name="report-link"),
    path("formation/", views.training, name="training"),
    path("formation/ajouter/<slug:kind>/", views.training_add, name="training-add"),
    path("personne/<str:code>/", views.person_panel, name="person-panel"),
]
