from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("<int:year>/export.<str:fmt>", views.export, name="export"),
    path("<int:year>/extrait-caarud.csv", views.caarud_extract, name="caarud-extract"),
    path("exporter/", views.exports, name="exports"),
    path("exporter/<int:pk>/", views.export_job, name="export-job"),
    path("exporter/<int:pk>/fichier/", views.export_job_file, name="export-job-file"),
    path("importer/", views.records_import, name="records-import"),
    path("importer/<int:pk>/", views.import_job, name="import-job"),
    path("importer/<int:pk>/confirmer/", views.import_job_confirm, name="import-job-confirm"),
]
