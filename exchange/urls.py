from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("<int:year>/export.<str:fmt>", views.export, name="export"),
    path("importer/", views.records_import, name="records-import"),
    path("importer/<int:pk>/", views.import_job, name="import-job"),
    path("importer/<int:pk>/confirmer/", views.import_job_confirm, name="import-job-confirm"),
]
