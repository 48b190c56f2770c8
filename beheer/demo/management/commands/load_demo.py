"""Demo data: Het Baken College, a school with callers, a first-line and two second-line groups,
about 200 meldingen over the last ten weeks, problems, knowledge articles, checks and preventive
activities. Everything is made through the services at moments relative to now; a second run changes
nothing (it only re-points Beheer's checks of itself to the address this installation serves)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from beheer.demo import loader
from beheer.servicedesk.demo.organisation import PASSWORD


class Command(BaseCommand):
    help = "Load demo data: a school with callers, operators, meldingen, problems, articles and checks."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--meldingen", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, meldingen: int, seed: int, **options: Any) -> None:
        started = time.monotonic()
        summary = loader.load(count=meldingen, seed=seed)
        for line in summary.moved:
            self.stdout.write(line)
        if not summary.loaded:
            self.stdout.write("Demo data is already loaded.")
            return
        for failure in summary.failures:
            self.stderr.write(f"A demo step was refused: {failure}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {time.monotonic() - started:.0f} s: {summary.meldingen} meldingen "
                f"({summary.open} open, {summary.breached} past their target), {summary.problems} problems, "
                f"{summary.articles} articles."
            )
        )
        self.stdout.write(
            "Logins (password " + PASSWORD + "): demo.behandelaar (operator), demo.specialist (second line), "
            "demo.coordinator, demo.beheerder (administrator), demo.melder (caller)."
        )
