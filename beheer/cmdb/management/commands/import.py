"""`beheer import cis|relations|licences|people <file> [--key KEY] [--dry-run] [--partial]`: the CMDB
import (`cmdb.services.imports`) from the console, as the first active administrator (or `--user`),
with a progress bar on stderr and a summary. The key defaults to the kind's usual one (asset_tag,
reference, username). Exit status 0 when every row went in (or would, for a dry run), 1 when rows
were refused."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from beheer.accounts.models import Role, User
from beheer.cmdb import imports as reader
from beheer.cmdb import services
from beheer.core.errors import DomainError

BAR = 30


class Progress:
    """A bar redrawn in place on a terminal; a line per tenth otherwise (logs, pipes)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        step = 100 if self.tty else 10
        part = done * step // max(total, 1)
        if part == self.shown and done != total:
            return
        self.shown = part
        filled = done * BAR // max(total, 1)
        line = f"[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import configuration items, relations, licences or people from a CSV or XLSX file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=reader.KINDS)
        parser.add_argument("file")
        parser.add_argument("--key", default=None, choices=reader.ALL_KEYS)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--partial", action="store_true")
        parser.add_argument("--user", default="", help="user name of the actor (default: an administrator)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["user"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        if path.stat().st_size > reader.MAX_BYTES:
            raise CommandError(
                _("The file is too large: at most %(mb)d MB.") % {"mb": reader.MAX_BYTES // 2**20}
            )
        try:
            report = services.run_import(
                actor=actor,
                data=path.read_bytes(),
                filename=path.name,
                kind=options["kind"],
                key=options["key"],
                dry_run=options["dry_run"],
                partial=options["partial"],
                progress=Progress(self.stderr._out),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for row in report.rejected:
            for column, message in row.errors:
                self.stderr.write(f"{_('row')} {row.row} {column}: {message}")
        counts = report.counts
        self.stdout.write(
            _("%(create)d created, %(update)d updated, %(unchanged)d unchanged, %(reject)d refused.") % counts
        )
        if report.rejected and not report.partial:
            self.stdout.write(_("Nothing was imported: correct the refused rows, or import with --partial."))
        elif report.dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        if report.rejected:
            sys.exit(1)

    def _actor(self, username: str) -> User:
        people = User.objects.filter(is_active=True)
        actor = (
            people.filter(username=username).first()
            if username
            else people.filter(role=Role.ADMIN).order_by("id").first()
        )
        if actor is None:
            raise CommandError(_("No such active user: %(user)s") % {"user": username or Role.ADMIN})
        return actor
