"""Login with throttling: too many failures for one username or address lock it out for a while."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from . import services


def client_address(request: HttpRequest | None) -> str:
    """The client's address: the connection's, or the one the trusted proxies put in X-Forwarded-For."""
    if request is None:
        return ""
    if settings.PROXY_COUNT > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= settings.PROXY_COUNT:
            return hops[-settings.PROXY_COUNT][:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None or password is None:
            return None
        address = client_address(request)
        if not services.begin_login_attempt(username=username, address=address):
            if request is not None:
                request.login_throttled = True  # type: ignore[attr-defined]
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            services.record_login_failure(username=username, address=address)
        else:
            services.record_login_success(username=username, address=address)
        return user
