"""Login, logout and the profile page (language, password, API tokens)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from beheer.core import access
from beheer.core.errors import DomainError

from . import services
from .backends import client_address
from .models import ApiToken, User

ACCESS = access.SIGNED_IN


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "login_throttled", False):
                raise forms.ValidationError(
                    _("Too many failed attempts. Wait a quarter of an hour and try again."), code="throttled"
                ) from None
            raise


@access.gate(access.PUBLIC)
class BeheerLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


@access.gate(access.PUBLIC)
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("", gettext_lazy("Browser default")), ("nl", "Nederlands"), ("en", "English")],
        required=False,
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Token name"), max_length=100)
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=3650, required=False
    )


def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    language_form = LanguageForm(initial={"language": user.language})
    token_form = TokenForm()
    new_secret = None
    if request.method == "POST":
        if "language" in request.POST:
            language_form = LanguageForm(request.POST)
            if language_form.is_valid():
                language = language_form.cleaned_data["language"]
                services.set_language(user, language=language, actor=user)
                translation.activate(language or translation.get_language_from_request(request))
                messages.success(request, _("Your language has been saved."))
                next_url = request.POST.get("next", "")
                if next_url and url_has_allowed_host_and_scheme(
                    next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    return redirect(next_url)
                return redirect("profile")
        else:
            token_form = TokenForm(request.POST)
            if token_form.is_valid():
                try:
                    _token, new_secret = services.issue_api_token(
                        user,
                        name=token_form.cleaned_data["name"],
                        actor=user,
                        expires_in_days=token_form.cleaned_data["expires_in_days"],
                    )
                    token_form = TokenForm()
                except DomainError as exc:
                    messages.error(request, exc.message)
    tokens = ApiToken.objects.filter(user=user)[:100]
    return render(
        request,
        "accounts/profile.html",
        {
            "language_form": language_form,
            "token_form": token_form,
            "tokens": tokens,
            "new_secret": new_secret,
        },
    )


@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.revoke_api_token(token, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The token has been revoked."))
    return redirect("profile")


class OwnPasswordForm(PasswordChangeForm):
    """Change one's own password: the current one first, then the new one twice; saved through
    `services.set_password` (validated, recorded in the person's history)."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": gettext_lazy("Your current password is not correct."),
    }

    def __init__(self, user: User, data: Any = None, *, address: str = "") -> None:
        super().__init__(user, data)
        self.address = address
        self.fields["old_password"].label = gettext_lazy("Current password")
        self.fields["new_password2"].label = gettext_lazy("New password again")

    def clean_old_password(self) -> str:
        """Checked like a sign-in: counted and limited per username and address."""
        password: str = self.cleaned_data["old_password"]
        try:
            services.check_own_password(self.user, password, address=self.address)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code="password_incorrect") from None
        return password

    def save(self, commit: bool = True) -> Any:
        return services.set_password(self.user, password=self.cleaned_data["new_password1"], actor=self.user)


def password_change(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own password; their other sessions end, this one stays."""
    user: User = request.user  # type: ignore[assignment]
    if not user.has_usable_password():
        return render(request, "accounts/password.html", {"form": None})
    form = OwnPasswordForm(user, request.POST or None, address=client_address(request))
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except DomainError as exc:
            form.add_error("new_password1", exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("profile")
    return render(request, "accounts/password.html", {"form": form})
