"""The service-level screens (coordinators and administrators); the business calendars' are the
calendars app's (calendars/urls.py)."""

from django.urls import path
from django.views.generic import RedirectView

from beheer.core import access

from ..views import sla as sla_views

home = access.gate(access.COORDINATORS)(RedirectView.as_view(pattern_name="sla-policies"))

urlpatterns = [
    path(
        "sla/",
        home,
        name="sla-home",
    ),
    path("sla/policies/", sla_views.policy_list, name="sla-policies"),
    path("sla/policies/new/", sla_views.policy_edit, name="sla-policy-new"),
    path("sla/policies/<int:pk>/", sla_views.policy_edit, name="sla-policy-edit"),
    path("sla/policies/<int:pk>/archive/", sla_views.policy_archive, name="sla-policy-archive"),
    path("sla/olas/", sla_views.ola_list, name="sla-olas"),
    path("sla/olas/new/", sla_views.ola_edit, name="sla-ola-new"),
    path("sla/olas/<int:pk>/", sla_views.ola_edit, name="sla-ola-edit"),
    path("sla/olas/<int:pk>/delete/", sla_views.ola_delete, name="sla-ola-delete"),
]
