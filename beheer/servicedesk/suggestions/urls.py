from django.urls import path

from ..views import suggestions as views

urlpatterns = [
    path("meldingen/suggestions/", views.suggestion_panel, name="suggestion-panel"),
    path("meldingen/<int:pk>/suggestions/", views.melding_suggestion_panel, name="melding-suggestions"),
    path("meldingen/<int:pk>/resolve-with/", views.melding_resolve_with, name="melding-resolve-with"),
    path("meldingen/<int:pk>/articles/link/", views.melding_link_article, name="melding-link-article"),
    path(
        "meldingen/<int:pk>/articles/<int:article_pk>/unlink/",
        views.melding_unlink_article,
        name="melding-unlink-article",
    ),
    path("meldingen/<int:pk>/make-article/", views.melding_make_article, name="melding-make-article"),
    path("kennisbank/<int:pk>/meldingen/", views.article_related_meldingen, name="article-related-meldingen"),
    path("kennisbank/deflection/", views.deflection_figure, name="knowledge-deflection"),
    path("portal/suggestions/", views.portal_suggestion_panel, name="portal-suggestions"),
    path("portal/suggestions/<int:pk>/", views.portal_suggestion_open, name="portal-suggestion-open"),
]
