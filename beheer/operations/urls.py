from django.urls import path

from . import views

urlpatterns = [
    path("preventief/", views.occurrence_list, name="operations-occurrences"),
    path("preventief/<int:pk>/", views.occurrence_detail, name="operations-occurrence"),
    path("preventief/<int:pk>/<slug:action>/", views.occurrence_action, name="operations-occurrence-action"),
    path("preventief/bewijs/<int:pk>/", views.evidence_download, name="operations-evidence"),
    path("preventief/reeksen/", views.series_list, name="operations-series"),
    path("preventief/reeksen/new/", views.series_create, name="operations-series-create"),
    path("preventief/reeksen/preview/", views.rule_preview, name="operations-preview"),
    path("preventief/reeksen/<int:pk>/", views.series_detail, name="operations-series-detail"),
    path("preventief/reeksen/<int:pk>/edit/", views.series_edit, name="operations-series-edit"),
    path("preventief/reeksen/<int:pk>/toggle/", views.series_toggle, name="operations-series-toggle"),
]
