"""`beheer changepassword <username>`: Django's command, with the password set through the account
services, so the change is recorded in the person's history (by "system")."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.management.commands import changepassword
from django.core.management.base import CommandError

from beheer.accounts import services
from beheer.accounts.models import User
from beheer.core.errors import DomainError


class Command(changepassword.Command):
    def handle(self, *args: Any, **options: Any) -> str:
        username = options["username"] or getpass.getuser()
        user = User.objects.using(options["database"]).filter(username=username).first()
        if user is None:
            raise CommandError(f"user '{username}' does not exist")
        self.stdout.write(f"Changing password for user '{user}'")
        for _attempt in range(3):
            first = getpass.getpass()
            second = getpass.getpass("Password (again): ")
            if first != second:
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                services.set_password(user, password=first, actor=None)
            except DomainError as exc:
                self.stderr.write(exc.message)
                continue
            return f"Password changed successfully for user '{user}'"
        raise CommandError(f"Aborting password change for user '{user}' after 3 attempts")
