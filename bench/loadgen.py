"""HTTP measurements against a running Beheer server (loopback only, every loop bounded)."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
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
