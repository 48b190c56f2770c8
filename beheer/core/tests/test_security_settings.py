"""Security settings from the environment: HSTS."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

import beheer

SETTINGS_FILE = Path(beheer.__file__).parent / "settings.py"


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    """Evaluate beheer/settings.py afresh with these environment variables."""
    monkeypatch.setenv("BEHEER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BEHEER_SECRET_KEY", "settings-test-secret-key-0123456789-0123456789")
    monkeypatch.setenv("DATABASE_URL", "sqlite:")
    for name in ("BEHEER_HSTS_SECONDS", "BEHEER_HSTS_INCLUDE_SUBDOMAINS", "BEHEER_HSTS_PRELOAD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_hsts_is_off_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(monkeypatch, tmp_path)
    assert loaded["SECURE_HSTS_SECONDS"] == 0
    with override_settings(SECURE_HSTS_SECONDS=0):
        response = Client().get("/login/", secure=True)
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_from_the_environment_reaches_https_responses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded = load_settings(
        monkeypatch,
        tmp_path,
        BEHEER_HSTS_SECONDS="31536000",
        BEHEER_HSTS_INCLUDE_SUBDOMAINS="true",
        BEHEER_HSTS_PRELOAD="yes",
    )
    values = {
        k: loaded[k] for k in ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")
    }
    assert values == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }
    with override_settings(**values):
        secure = Client().get("/login/", secure=True)
        plain = Client().get("/login/")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Strict-Transport-Security" not in plain.headers  # only over HTTPS, as the standard says


@pytest.mark.parametrize(
    "env",
    [
        {"BEHEER_HSTS_SECONDS": "a year"},
        {"BEHEER_HSTS_SECONDS": "-1"},
        {"BEHEER_HSTS_INCLUDE_SUBDOMAINS": "true"},  # without seconds: would silently do nothing
        {"BEHEER_HSTS_SECONDS": "3600", "BEHEER_HSTS_INCLUDE_SUBDOMAINS": "maybe"},
        {
            "BEHEER_HSTS_SECONDS": "3600",
            "BEHEER_HSTS_PRELOAD": "true",
            "BEHEER_HSTS_INCLUDE_SUBDOMAINS": "true",
        },
        {"BEHEER_HSTS_SECONDS": "63072000", "BEHEER_HSTS_PRELOAD": "true"},
    ],
)
def test_bad_hsts_values_stop_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str]
) -> None:
    with pytest.raises(ImproperlyConfigured, match="HSTS"):
        load_settings(monkeypatch, tmp_path, **env)
