"""People (callers and operators), roles, operator groups and the organisation they belong to."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.history import HistoryRecord


class Role(models.TextChoices):
    CALLER = "caller", _("Caller")
    OPERATOR = "operator", _("Operator")
    COORDINATOR = "coordinator", _("Coordinator")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = (Role.OPERATOR, Role.COORDINATOR, Role.ADMIN)
# Built-in operators that register meldingen for the mail intake and the monitor; nobody signs in
# with them and they are never offered as an operator to assign.
SERVICE_USERNAMES = ("beheer-mail-intake", "beheer-monitoring")


class Branch(models.Model):
    """Vestiging: a site of the organisation."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """Afdeling."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """Ruimte/locatie within a branch."""

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="locations", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["branch__name", "name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="uniq_location_per_branch")]

    def __str__(self) -> str:
        return f"{self.branch.name} / {self.name}"


class UserQuerySet(models.QuerySet["User"]):
    def operators(self) -> UserQuerySet:
        return self.filter(role__in=STAFF_ROLES, is_active=True).exclude(username__in=SERVICE_USERNAMES)

    def callers(self) -> UserQuerySet:
        return self.filter(is_active=True)

    def search(self, text: str) -> UserQuerySet:
        """Caller lookup by name, e-mail or employee number (prefix match on indexed columns)."""
        words = [w for w in text.split() if w][:4]
        qs = self
        for w in words:
            qs = qs.filter(
                Q(first_name__istartswith=w)
                | Q(last_name__istartswith=w)
                | Q(email__istartswith=w)
                | Q(username__istartswith=w)
                | Q(employee_number__istartswith=w)
            )
        return qs

    def visible_to(self, user: Any) -> UserQuerySet:
        """Operators see everybody; a caller sees only themself."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_staff_member:
            return self
        return self.filter(pk=user.pk)


class BeheerUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> Any:
        extra.setdefault("role", Role.ADMIN)
        user = super().create_superuser(username, email, password, **extra)
        # `beheer createsuperuser`: recorded like every other new person (by the system).
        from .services import record_person_created

        record_person_created(user, actor=None)
        return user


class User(AbstractUser):
    """A person. Callers may have no password (registered by the desk); operators log in."""

    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.CALLER, db_index=True
    )
    language = models.CharField(
        _("language"),
        max_length=5,
        blank=True,
        choices=[("", _("Browser default")), ("nl", "Nederlands"), ("en", "English")],
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    employee_number = models.CharField(_("employee number"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("branch"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("department"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("location"),
    )
    # Marks beside the role, given by administrators (accounts.services.set_officer_marks): they count
    # only for staff members.
    security_officer = models.BooleanField(_("security officer"), default=False, db_default=False)
    privacy_officer = models.BooleanField(_("privacy officer"), default=False, db_default=False)

    objects = BeheerUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="user_name_idx"),
            models.Index(fields=["email"], name="user_email_idx"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_staff_member(self) -> bool:
        """Operators, coordinators and administrators work in the operator UI."""
        return self.is_active and (self.role in STAFF_ROLES or self.is_superuser)

    @property
    def is_coordinator(self) -> bool:
        return self.is_active and (self.role in (Role.COORDINATOR, Role.ADMIN) or self.is_superuser)

    @property
    def is_administrator(self) -> bool:
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)


class OperatorGroupQuerySet(models.QuerySet["OperatorGroup"]):
    def active(self) -> OperatorGroupQuerySet:
        return self.filter(active=True)

    def first_line(self) -> OperatorGroupQuerySet:
        return self.filter(active=True, is_first_line=True)

    def second_line(self) -> OperatorGroupQuerySet:
        return self.filter(active=True, is_second_line=True)


class OperatorGroup(models.Model):
    """Behandelaarsgroep: a team of operators, first line and/or second line."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_first_line = models.BooleanField(_("first line"), default=False)
    is_second_line = models.BooleanField(_("second line"), default=False)
    active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        User, blank=True, related_name="operator_groups", verbose_name=_("members")
    )
    coordinator = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_groups",
        verbose_name=_("coordinator"),
    )

    objects = OperatorGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("operator group")
        verbose_name_plural = _("operator groups")

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token; only a SHA-256 digest of the secret is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginFailure(models.Model):
    """A failed login; recent failures per username or address throttle further attempts."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)


class LoginThrottle(models.Model):
    """Sign-in attempts per username ("user:<name>") or client address ("addr:<address>") in the
    current window. Every attempt is counted before its password is checked, under a row lock, so
    parallel guesses cannot slip past the limit (accounts.services.begin_login_attempt)."""

    key = models.CharField(max_length=220, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField()


class PersonAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Details changed")
    ROLE_CHANGED = "role_changed", _("Role changed")
    DEACTIVATED = "deactivated", _("Deactivated")
    ACTIVATED = "activated", _("Activated")
    PASSWORD_SET = "password_set", _("Password set")
    PASSWORD_DISABLED = "password_disabled", _("Password sign-in disabled")
    DELETED = "deleted", _("Deleted")
    OFFICER = "officer", _("Security or privacy officer changed")


class PersonHistoryQuerySet(access.RoleQuerySet, models.QuerySet["PersonHistoryEntry"]):
    audience = access.Audience.COORDINATOR  # who manage people read the history of people


class PersonHistoryEntry(HistoryRecord):
    """Who changed a person's role, activity, password or details, when, old -> new.

    Written by the account services. Values are stored as codes (a role's value, "true"/"false") and
    shown in the reader's language; a password itself is never stored, only that it was set. The
    username is kept so the trail of a deleted person still says whose it was.
    """

    subject_field = "person"
    subject_name_field = "username"
    subject_name_attr = "username"

    person = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="history")
    username = models.CharField(_("username"), max_length=150)
    at = models.DateTimeField(_("when"))
    action = models.CharField(_("action"), max_length=40, choices=PersonAction.choices)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.CharField(_("old value"), max_length=200, blank=True)
    new_value = models.CharField(_("new value"), max_length=200, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    objects = PersonHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("person history entry")
        verbose_name_plural = _("person history")
        indexes = [models.Index(fields=["person", "at", "id"], name="person_history_at")]

    def __str__(self) -> str:
        return f"{self.username}: {self.get_action_display()}"

    @staticmethod
    def display_value(field: str, value: str) -> str:
        """A stored code in the reader's language."""
        if not value:
            return ""
        if field == "role":
            return str(Role(value).label) if value in Role.values else value
        if field == "is_active":
            return str(_("active")) if value == "true" else str(_("inactive"))
        return value

    @property
    def old_display(self) -> str:
        return self.display_value(self.field, self.old_value)

    @property
    def new_display(self) -> str:
        return self.display_value(self.field, self.new_value)
