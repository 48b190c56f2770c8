"""What security adds to the apps below it, registered once from `SecurityConfig.ready()`.

Each area of the app adds its registrations to `register()`."""

from __future__ import annotations

_registered = False


def register() -> None:
    global _registered
    if _registered:
        return
    _registered = True
