"""The `beheer` command: `beheer run` serves web + worker + monitor and stops all of it on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from beheer import cli


def test_help_lists_the_commands(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("run", "web", "worker", "monitor", "migrate", "createsuperuser", "demo"):
        assert command in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(p) for p in out.stdout.split()]


def test_run_serves_the_api_and_stops_cleanly_on_ctrl_c(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")} | {
        "BEHEER_DATA_DIR": str(tmp_path / "data"),
        "BEHEER_BIND": f"127.0.0.1:{port}",
        "BEHEER_WEB_WORKERS": "1",
        "BEHEER_SECRET_KEY": "cli-test-secret-key-0123456789-abcdefghijklmnop",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "beheer.cli", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    children: list[int] = []
    try:
        body = ""
        deadline = time.monotonic() + 180  # a first start migrates and loads the demo: slow on a busy machine
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert '"status":"ok"' in body.replace(" ", "")
        children = _children(proc.pid)
        assert len(children) >= 3  # web, worker and monitor
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        time.sleep(0.5)
        for child in children:
            with pytest.raises(ProcessLookupError):
                os.kill(child, 0)
        assert (tmp_path / "data" / "beheer.sqlite3").exists()
    finally:
        # whatever failed, leave no process behind
        for pid in [*_children(proc.pid), *children]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
