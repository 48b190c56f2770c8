"""What testing adds to the apps below it, registered once from `TestingConfig.ready()`: the test
report's section in a change's final report (`changes.services.report.register_section`)."""

from __future__ import annotations

_registered = False


def register() -> None:
    global _registered
    if _registered:
        return
    _registered = True
    from beheer.changes.services.report import register_section

    from .report import final_report_section

    register_section(final_report_section)
