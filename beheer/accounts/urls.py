from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.BeheerLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", views.password_change, name="profile-password"),
    path("profile/tokens/<int:token_id>/revoke/", views.revoke_token, name="token-revoke"),
]
