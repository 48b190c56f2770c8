"""`beheer poll_mail [--once] [--mailbox NAME]`: read the mailboxes now, once or in a loop."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beheer.mailintake import services
from beheer.mailintake.models import Mailbox


class Command(BaseCommand):
    help = "Read the configured mailboxes and turn new messages into meldingen or replies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Poll every mailbox once, then stop.")
        parser.add_argument("--mailbox", help="Only this mailbox (by name).")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between polls (loop).")
        parser.add_argument("--batch", type=int, default=services.MAX_BATCH, help="Messages per poll.")
        parser.add_argument(
            "--idle",
            action="store_true",
            help="With --mailbox: between polls wait with IMAP IDLE, so new mail is read at once.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = max(1.0, float(options["interval"]))
        if options["idle"] and not options["mailbox"]:
            raise CommandError("--idle needs --mailbox: IDLE watches one mailbox.")
        batch = max(1, int(options["batch"]))
        while True:
            mailboxes = Mailbox.objects.active().order_by("id")
            if options["mailbox"]:
                mailboxes = mailboxes.filter(name=options["mailbox"])
                if not mailboxes.exists():
                    raise CommandError(f"No active mailbox named {options['mailbox']!r}.")
            for mailbox in mailboxes:
                for _batch in range(10_000):  # --once still drains the mailbox, batch by batch
                    report = services.poll_mailbox(mailbox, max_messages=batch)
                    counts = ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())) or "nothing new"
                    line = f"{mailbox.name}: {counts}"
                    if report.error:
                        self.stderr.write(f"{line}; error: {report.error}")
                        break
                    self.stdout.write(line)
                    if not report.remaining:
                        break
                    mailbox.refresh_from_db()
            if options["once"]:
                return
            if options["idle"]:
                watched = Mailbox.objects.active().filter(name=options["mailbox"]).first()
                if watched is not None:
                    services.wait_for_mail(watched, timeout=interval)
                    continue
            time.sleep(interval)
