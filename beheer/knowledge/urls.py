from django.urls import path

from .views import articles, designs, notices, printing

urlpatterns = [
    path("kennisbank/", articles.article_list, name="knowledge-list"),
    path("kennisbank/new/", articles.article_create, name="knowledge-create"),
    path("kennisbank/preview/", articles.article_preview, name="knowledge-preview"),
    path("kennisbank/<int:pk>/", articles.article_detail, name="knowledge-detail"),
    path("kennisbank/<int:pk>/edit/", articles.article_edit, name="knowledge-edit"),
    path("kennisbank/<int:pk>/print/", printing.article_print, name="knowledge-print"),
    path("kennisbank/<int:pk>/pdf/", printing.article_pdf_view, name="knowledge-pdf"),
    path("kennisbank/<int:pk>/attachments/", printing.attachment_panel, name="knowledge-attachments"),
    path(
        "kennisbank/<int:pk>/attachments/upload/",
        printing.attachment_upload,
        name="knowledge-attachment-upload",
    ),
    path(
        "kennisbank/<int:pk>/attachments/<int:attachment_pk>/delete/",
        printing.attachment_delete,
        name="knowledge-attachment-delete",
    ),
    path("kennisbank/attachments/<int:pk>/", printing.attachment_download, name="knowledge-attachment"),
    path("kennisbank/categories/<int:pk>/handbook/", printing.handbook_print, name="knowledge-handbook"),
    path(
        "kennisbank/categories/<int:pk>/handbook.pdf",
        printing.handbook_pdf_view,
        name="knowledge-handbook-pdf",
    ),
    path("kennisbank/<int:pk>/versions/", articles.article_versions, name="knowledge-versions"),
    path("kennisbank/<int:pk>/versions/<int:number>/", articles.version_detail, name="knowledge-version"),
    path("kennisbank/<int:pk>/diff/", articles.article_diff, name="knowledge-diff"),
    path("kennisbank/<int:pk>/acknowledge/", notices.acknowledge, name="knowledge-acknowledge"),
    path(
        "kennisbank/<int:pk>/acknowledgements/",
        notices.acknowledgements,
        name="knowledge-acknowledgements",
    ),
    path(
        "kennisbank/<int:pk>/acknowledgement-setting/",
        notices.acknowledgement_setting,
        name="knowledge-acknowledgement-setting",
    ),
    path("kennisbank/<int:pk>/subscriptions/", notices.subscriptions, name="knowledge-subscriptions"),
    path(
        "kennisbank/<int:pk>/subscriptions/<int:subscription_id>/remove/",
        notices.subscription_remove,
        name="knowledge-subscription-remove",
    ),
    path(
        "kennisbank/<int:pk>/versions/<int:number>/decide/",
        designs.version_decide,
        name="knowledge-version-decide",
    ),
    path("kennisbank/design-templates/", designs.template_list, name="knowledge-design-templates"),
    path("kennisbank/design-templates/<int:pk>/", designs.template_edit, name="knowledge-design-template"),
    path("kennisbank/<int:pk>/<slug:action>/", articles.article_action, name="knowledge-action"),
    path("portal/kennisbank/", articles.portal_list, name="portal-knowledge"),
    path("portal/kennisbank/<int:pk>/", articles.portal_detail, name="portal-knowledge-detail"),
    path("portal/ontwerpen/", designs.portal_designs, name="portal-designs"),
    path("portal/ontwerpen/<int:pk>/", designs.portal_design, name="portal-design"),
]
