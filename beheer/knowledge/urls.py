from django.urls import path

from . import notices_views, views

urlpatterns = [
    path("kennisbank/", views.article_list, name="knowledge-list"),
    path("kennisbank/new/", views.article_create, name="knowledge-create"),
    path("kennisbank/preview/", views.article_preview, name="knowledge-preview"),
    path("kennisbank/<int:pk>/", views.article_detail, name="knowledge-detail"),
    path("kennisbank/<int:pk>/edit/", views.article_edit, name="knowledge-edit"),
    path("kennisbank/<int:pk>/print/", views.article_print, name="knowledge-print"),
    path("kennisbank/<int:pk>/versions/", views.article_versions, name="knowledge-versions"),
    path("kennisbank/<int:pk>/versions/<int:number>/", views.version_detail, name="knowledge-version"),
    path("kennisbank/<int:pk>/diff/", views.article_diff, name="knowledge-diff"),
    path("kennisbank/<int:pk>/acknowledge/", notices_views.acknowledge, name="knowledge-acknowledge"),
    path(
        "kennisbank/<int:pk>/acknowledgements/",
        notices_views.acknowledgements,
        name="knowledge-acknowledgements",
    ),
    path(
        "kennisbank/<int:pk>/acknowledgement-setting/",
        notices_views.acknowledgement_setting,
        name="knowledge-acknowledgement-setting",
    ),
    path("kennisbank/<int:pk>/subscriptions/", notices_views.subscriptions, name="knowledge-subscriptions"),
    path(
        "kennisbank/<int:pk>/subscriptions/<int:subscription_id>/remove/",
        notices_views.subscription_remove,
        name="knowledge-subscription-remove",
    ),
    path("kennisbank/<int:pk>/<slug:action>/", views.article_action, name="knowledge-action"),
    path("portal/kennisbank/", views.portal_list, name="portal-knowledge"),
    path("portal/kennisbank/<int:pk>/", views.portal_detail, name="portal-knowledge-detail"),
]
