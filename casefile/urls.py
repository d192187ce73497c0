from django.urls import path

from casefile import views, views_person

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
    *[
        path(f"archiver/{slug}/<int:pk>/", view, name=f"archive-{slug}")
        for slug, view in views.archive_views.items()
    ],
    path("archives/", views.archive_list, name="archive-list"),
    path("archives/<slug:kind>/<int:pk>/restaurer/", views.archive_restore, name="archive-restore"),
]
