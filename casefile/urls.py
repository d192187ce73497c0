from django.urls import path

from casefile import views, views_documents, views_person

app_name = "casefile"

urlpatterns = [
    path("personnes/<str:code>/historique/", views_person.person_history, name="person-history"),
    path(
        "personnes/<str:code>/acces-aux-donnees/",
        views_person.person_data_access,
        name="person-data-access",
    ),
    path(
        "personnes/<str:code>/acces-aux-donnees/telecharger/",
        views_person.person_data_export,
        name="person-data-export",
    ),
    path("personnes/<str:code>/effacer/", views_person.person_erase, name="person-erase"),
    path(
        "personnes/<str:code>/documents/",
        views_documents.person_documents,
        name="person-documents",
    ),
    path("documents/nouveau/", views_documents.document_create, name="document-create"),
    path(
        "documents/<int:pk>/telecharger/",
        views_documents.document_download,
        name="document-download",
    ),
    path(
        "documents/demarche/<int:pk>/",
        views_documents.procedure_documents,
        name="procedure-documents",
    ),
    path("documents/psp/<int:pk>/", views_documents.psp_documents, name="psp-documents"),
    *[
        path(f"archiver/{slug}/<int:pk>/", view, name=f"archive-{slug}")
        for slug, view in views.archive_views.items()
    ],
    path("archives/", views.archive_list, name="archive-list"),
    path("archives/<slug:kind>/<int:pk>/restaurer/", views.archive_restore, name="archive-restore"),
]
