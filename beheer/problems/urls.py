from django.urls import path

from . import views

urlpatterns = [
    path("problems/", views.problem_list, name="problem-list"),
    path("problems/new/", views.problem_create, name="problem-create"),
    path("problems/<int:pk>/", views.problem_detail, name="problem-detail"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem-edit"),
    path("problems/<int:pk>/resolve/", views.problem_resolve, name="problem-resolve"),
    path("problems/<int:pk>/<slug:action>/", views.problem_action, name="problem-action"),
    path("meldingen/<int:pk>/problem/link/", views.melding_problem_link, name="melding-problem-link"),
    path(
        "meldingen/<int:pk>/problem/choices/", views.melding_problem_choices, name="melding-problem-choices"
    ),
    path("meldingen/<int:pk>/problem/unlink/", views.melding_problem_unlink, name="melding-problem-unlink"),
]
