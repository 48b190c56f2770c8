from django.urls import path

from . import notices_views, print_views, views

urlpatterns = [
    path("kennisbank/", views.article_list, name="knowledge-list"),
    path("kennisbank/new/", views.article_create, name="knowledge-create"),
    path("kennisbank/preview/", views.article_preview, name="knowledge-preview"),
    path("kennisbank/<int:pk>/", views.article_detail, name="knowledge-detail"),
    path("kennisbank/<int:pk>/edit/", views.article_edit, name="knowledge-edit"),
    path("kennisbank/<int:pk>/print/", print_views.article_print, name="knowledge-print"),
    path("kennisbank/<int:pk>/pdf/", print_views.article_pdf_view, name="knowledge-pdf"),
    path("kennisbank/<int:pk>/attachments/", print_views.attachment_panel, name="knowledge-attachments"),
    path(
        "kennisbank/<int:pk>/attachments/upload/",
        print_views.attachment_upload,
        name="knowledge-attachment-upload",
    ),
    path(
        "kennisbank/<int:pk>/attachments/<int:attachment_pk>/delete/",
        print_views.attachment_delete,
        name="knowledge-attachment-delete",
    ),
    path("kennisbank/attachments/<int:pk>/", print_views.attachment_download, name="knowledge-attachment"),
    path("kennisbank/categories/<int:pk>/handbook/", print_views.handbook_print, name="knowledge-handbook"),
    path(
        "kennisbank/categories/<int:pk>/handbook.pdf",
        print_views.handbook_pdf_view,
        name="knowledge-handbook-pdf",
    ),
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
