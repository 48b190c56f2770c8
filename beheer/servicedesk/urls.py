from django.urls import path

from .views import meldingen as views

urlpatterns = [
    path("", views.home, name="home"),
    path("meldingen/", views.melding_list, name="melding-list"),
    path("meldingen/new/", views.melding_create, name="melding-create"),
    path("meldingen/search/", views.quick_search, name="melding-search"),
    path("meldingen/callers/", views.caller_lookup, name="caller-lookup"),
    path("meldingen/callers/open/", views.caller_open_meldingen, name="caller-open-meldingen"),
    path("meldingen/caller-filter/", views.caller_filter_options, name="caller-filter-options"),
    path("meldingen/subcategories/", views.subcategory_options, name="subcategory-options"),
    path("meldingen/operators/", views.operator_options, name="operator-options"),
    path("meldingen/<int:pk>/", views.melding_detail, name="melding-detail"),
    path("meldingen/<int:pk>/<slug:action>/", views.melding_action, name="melding-action"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("portal/", views.portal, name="portal"),
    path("portal/new/", views.portal_create, name="portal-create"),
    path("portal/<int:pk>/", views.portal_detail, name="portal-detail"),
    path("portal/<int:pk>/<slug:action>/", views.portal_action, name="portal-action"),
]
