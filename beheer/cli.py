"""The `beheer` console command.

beheer run              migrate, then web + worker + monitor in one supervised process group
beheer web              the web server (gunicorn): UI + API
beheer worker           periodic jobs and background tasks
beheer monitor          the probe process for HTTP and TCP checks
beheer migrate | createsuperuser | demo | <any Django management command>
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

from beheer.core.bind import BindError, current_bind, local_url, parse_bind

USAGE = __doc__ or ""


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beheer.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["beheer", *argv])


def _web_command() -> list[str]:
    bind = current_bind()
    # One process per core with four threads each served creates fastest (docs/benchmarks.md).
    workers = os.environ.get("BEHEER_WEB_WORKERS", str(max(1, min(os.cpu_count() or 1, 8))))
    threads = os.environ.get("BEHEER_WEB_THREADS", "4")
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "beheer.wsgi:application",
        "--bind",
        bind,
        "--workers",
        workers,
        "--threads",
        threads,
        "--access-logfile",
        "-" if os.environ.get("BEHEER_ACCESS_LOG") else "/dev/null",
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
    ]


def web() -> int:
    os.execv(sys.executable, _web_command())
    return 0  # pragma: no cover


def run() -> int:
    """Migrate, then supervise web, worker and monitor; Ctrl-C (or SIGTERM) stops all of them."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "beheer.settings"),
    }
    migrate = subprocess.run(
        [sys.executable, "-m", "beheer.cli", "migrate", "--no-input", "-v", "0"], env=env, check=False
    )
    if migrate.returncode != 0:
        return migrate.returncode
    children = {
        "web": subprocess.Popen(_web_command(), env=env),
        "worker": subprocess.Popen([sys.executable, "-m", "beheer.cli", "worker"], env=env),
        "monitor": subprocess.Popen([sys.executable, "-m", "beheer.cli", "monitor"], env=env),
    }
    stopping = False

    def _stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print(f"Beheer runs at {local_url()}/  (Ctrl-C stops it)", flush=True)
    code = 0
    while not stopping:
        for name, proc in children.items():
            if proc.poll() is not None:
                print(f"The {name} process stopped (exit {proc.returncode}); stopping Beheer.", flush=True)
                code = proc.returncode or 1
                stopping = True
        time.sleep(0.5)
    for proc in children.values():
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 15
    for proc in children.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
    print("Beheer stopped.", flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    if args[0] in {"--version", "version"}:
        from beheer import __version__

        print(f"beheer {__version__}")
        return 0
    command, rest = args[0], args[1:]
    if command in {"run", "web"}:
        try:
            parse_bind(current_bind())
        except BindError as exc:
            print(exc, file=sys.stderr)
            return 2
    if command == "run":
        return run()
    if command == "web":
        return web()
    if command == "worker":
        _django(["run_worker", *rest])
        return 0
    if command == "demo":
        _django(["load_demo", *rest])
        return 0
    _django(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
