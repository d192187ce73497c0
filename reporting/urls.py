from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("chiffres/", views.figures_page, name="figures"),
    path("chiffres/detail/", views.drilldown, name="drilldown"),
    path("chiffres/detail/csv/", views.drilldown_export, name="drilldown-export"),
    path("chiffres/reference/", views.reference_figures, name="reference-figures"),
    path("chiffres/reference/<int:pk>/", views.reference_figures, name="reference-figure-edit"),
    path(
        "chiffres/reference/<int:pk>/retirer/",
        views.reference_figure_remove,
        name="reference-figure-remove",
    ),
    path("apercu/", views.narrative_preview, name="narrative-preview"),
    path("<int:year>/controles/", views.checks_page, name="checks"),
    path("<int:year>/textes/", views.narrative, name="narrative"),
    path("<int:year>/textes/<int:pk>/", views.narrative, name="narrative-edit"),
    path("<int:year>/pdf/", views.pdf_page, name="pdf"),
    path("<int:year>/pdf/lancer/", views.pdf_start, name="pdf-start"),
    path("pdf/<int:pk>/", views.pdf_download, name="pdf-download"),
    path("publications/<int:pk>/", views.publication_download, name="publication-download"),
    path("<int:year>/publier/", views.publish, name="publish"),
]
