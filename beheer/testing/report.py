"""The test report (testrapport): (to be written)."""

from __future__ import annotations

from typing import Any


def final_report_section(change: Any, user: Any) -> Any:
    return None
