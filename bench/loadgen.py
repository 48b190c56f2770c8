"""HTTP measurements against a running Beheer server (loopback only, every loop bounded)."""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

WARMUP = 10  # enough to reach every gunicorn worker once
WARMUP_SECONDS = 15.0


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(samples: list[float], *, capped: bool = False) -> dict[str, Any]:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50), 1),
        "p95_ms": round(percentile(samples, 95), 1),
        "max_ms": round(max(samples), 1) if samples else None,
        "mean_ms": round(statistics.fmean(samples), 1) if samples else None,
        "time_capped": capped,
    }


def check(response: httpx.Response, expected: int = 200) -> httpx.Response:
    if response.status_code != expected:
        raise RuntimeError(
            f"{response.request.method} {response.request.url} -> {response.status_code}: "
            f"{response.text[:300]}"
        )
    return response


def timed_loop(call: Callable[[], Any], *, count: int, seconds: float) -> dict[str, Any]:
    """Run `call` after a short warm-up until `count` samples or `seconds` elapsed; latency in ms."""
    warm_until = time.monotonic() + WARMUP_SECONDS
    for _ in range(WARMUP):
        call()
        if time.monotonic() >= warm_until:
            break
    samples: list[float] = []
    deadline = time.monotonic() + seconds
    capped = False
    while len(samples) < count:
        if time.monotonic() >= deadline:
            capped = True
            break
        t = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t) * 1000)
    return summary(samples, capped=capped)


def client(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60.0)


@contextlib.contextmanager
def session_client(base_url: str, username: str, password: str) -> Iterator[httpx.Client]:
    """A browser-like client logged in through the login form (session and CSRF cookies)."""
    import re

    with httpx.Client(base_url=base_url, timeout=60.0) as c:
        page = check(c.get("/login/"))
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if match is None:
            raise RuntimeError("no CSRF token on the login page")
        r = c.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": match.group(1),
                "username": username,
                "password": password,
                "next": "/",
            },
            headers={"Referer": f"{base_url}/login/"},
        )
        if r.status_code != 302 or "sessionid" not in c.cookies:
            raise RuntimeError(f"login as {username} failed: {r.status_code}")
        yield c


def walk_to_page(c: httpx.Client, params: dict[str, Any], page: int) -> tuple[str | None, int]:
    """Follow next_cursor to reach `page` (1-based); returns its cursor and the page reached."""
    cursor: str | None = None
    reached = 1
    for _ in range(page - 1):
        body = check(
            c.get("/api/v1/meldingen", params={**params, **({"cursor": cursor} if cursor else {})})
        ).json()
        if not body["next_cursor"]:
            break
        cursor = body["next_cursor"]
        reached += 1
    return cursor, reached


def concurrent_creates(
    base_url: str,
    token: str,
    payload: Callable[[int], dict[str, Any]],
    *,
    clients: int,
    count: int,
    seconds: float,
) -> dict[str, Any]:
    """`clients` threads POST meldingen until `count` requests in all or `seconds` elapsed."""
    lock = threading.Lock()
    issued = 0
    samples: list[float] = []
    errors: list[str] = []
    with client(base_url, token) as warm:
        for i in range(WARMUP):
            check(warm.post("/api/v1/meldingen", json=payload(-1 - i)), 201)
    deadline = time.monotonic() + seconds
    start = time.perf_counter()

    def work() -> None:
        nonlocal issued
        with client(base_url, token) as c:
            while True:
                with lock:
                    if issued >= count or time.monotonic() >= deadline:
                        return
                    issued += 1
                    n = issued
                t = time.perf_counter()
                r = c.post("/api/v1/meldingen", json=payload(n))
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    if r.status_code == 201:
                        samples.append(ms)
                    else:
                        errors.append(f"{r.status_code}: {r.text[:200]}")

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - start
    result = summary(samples, capped=issued < count)
    result.update(
        {
            "clients": clients,
            "ok": len(samples),
            "errors": len(errors),
            "first_error": errors[0] if errors else None,
            "seconds": round(elapsed, 1),
            "per_s": round(len(samples) / elapsed, 1) if elapsed else None,
        }
    )
    return result


WRK_SCRIPT = """
local bodies = {}
local n = 0
init = function(args)
  for i, b in ipairs(args) do bodies[i] = b end
end
request = function()
  n = n + 1
  local body = bodies[(n %% #bodies) + 1]
  return wrk.format("POST", "/api/v1/meldingen", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer %s"}, body)
end
response = function(status, headers, body)
  if status ~= 201 then wrk.thread:stop() end
end
done = function(summary, latency, requests)
  io.write(string.format("WRK_RESULT %%d %%d %%d %%f %%f %%f %%f\\n", summary.requests, summary.errors.status,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def wrk_creates(
    base_url: str, token: str, payload: Callable[[int], dict[str, Any]], *, clients: int, seconds: int
) -> dict[str, Any] | None:
    """Creates measured by wrk (a small C load generator), so the client hardly takes CPU from the server.

    Returns None when wrk is not installed (Debian: apt-get install wrk). Bounded by `seconds`.
    """
    import json
    import re
    import shutil
    import subprocess
    import tempfile

    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    bodies = [json.dumps(payload(n)) for n in range(1, 61)]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT % token)
        script = fh.name
    out = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            script,
            base_url,
            "--",
            *bodies,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    m = re.search(r"WRK_RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", out.stdout)
    if m is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout[-500:]} {out.stderr[-500:]}")
    requests, status_errors, duration_us = int(m[1]), int(m[2]), int(m[3])
    return {
        "tool": "wrk",
        "count": requests,
        "errors": status_errors,
        "per_s": round(requests / (duration_us / 1e6), 1),
        "p50_ms": round(float(m[4]) / 1000, 1),
        "p95_ms": round(float(m[5]) / 1000, 1),
        "p99_ms": round(float(m[6]) / 1000, 1),
        "max_ms": round(float(m[7]) / 1000, 1),
    }
