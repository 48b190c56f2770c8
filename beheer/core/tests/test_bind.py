"""`BEHEER_BIND`: parsed strictly, and the address people open follows it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from beheer.core.bind import BindError, local_url, parse_bind


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),
        ("[::]:9000", "http://[::1]:9000"),
        ("[::1]:8001", "http://[::1]:8001"),
        ("beheer.school.nl:80", "http://beheer.school.nl:80"),
    ],
)
def test_the_local_address_follows_the_bind_address(bind, url):
    assert local_url(bind) == url


@pytest.mark.parametrize("bind", ["8000", "localhost:", "host:http", "::1:8000", "127.0.0.1:0", "h:70000"])
def test_a_malformed_bind_address_is_refused(bind):
    with pytest.raises(BindError):
        parse_bind(bind)


def _settings_value(env: dict[str, str], expression: str) -> subprocess.CompletedProcess[str]:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "beheer.settings", **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_site_address_defaults_to_the_bind_address(tmp_path):
    env = {"BEHEER_DATA_DIR": str(tmp_path), "BEHEER_BIND": "0.0.0.0:8123", "BEHEER_SITE_URL": ""}
    done = _settings_value(env, "settings.SITE_URL")
    assert done.stdout.strip() == "http://127.0.0.1:8123", done.stderr


def test_a_bad_bind_address_stops_start_up(tmp_path):
    done = _settings_value({"BEHEER_DATA_DIR": str(tmp_path), "BEHEER_BIND": "8000"}, "1")
    assert done.returncode != 0
    assert "BEHEER_BIND must be host:port" in done.stderr
