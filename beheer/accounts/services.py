"""Every write to people, groups and tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.core import history
from beheer.core.errors import DomainError, NotFound, PermissionDenied, TooManyAttempts

from .models import (
    ApiToken,
    Branch,
    Department,
    Location,
    LoginFailure,
    LoginThrottle,
    OperatorGroup,
    PersonAction,
    PersonHistoryEntry,
    Role,
    User,
)

TOKEN_PREFIX = "bhr_"


def _ensure_coordinator(actor: User) -> None:
    if not actor.is_coordinator:
        raise PermissionDenied(_("Only coordinators and administrators may manage people and groups."))


@transaction.atomic
def register_person(
    *,
    actor: User | None,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    username: str = "",
    role: str = Role.CALLER,
    department: Department | None = None,
    branch: Branch | None = None,
    location: Location | None = None,
    password: str | None = None,
    language: str = "",
) -> User:
    """Register a person (a caller by default). `actor` None means the system (demo data, commands)."""
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field_errors={"role": _("Unknown role.")})
    if actor is not None:
        _ensure_coordinator(actor)
        if role == Role.ADMIN and not actor.is_administrator:
            raise PermissionDenied(_("Only administrators may create administrators."))
        _ensure_not_above_own_role(actor, role)
    if not (first_name.strip() or last_name.strip()):
        raise DomainError(_("A name is required."), field_errors={"last_name": _("A name is required.")})
    username = (username or email or f"{first_name}.{last_name}").strip().lower().replace(" ", ".")[:150]
    if User.objects.filter(username=username).exists():
        raise DomainError(
            _("A person with this username already exists."),
            field_errors={"username": _("A person with this username already exists.")},
        )
    user = User(
        username=username,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
        email=email.strip(),
        phone=phone.strip(),
        role=role,
        department=department,
        branch=branch,
        location=location,
        language=language,
        is_superuser=role == Role.ADMIN,
        is_staff=role in (Role.ADMIN, Role.COORDINATOR),
    )
    if password:
        if actor is not None:  # typed by a person; the system's own callers (demo, tests) are trusted
            _validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record_person_created(user, actor=actor)
    return user


def record_person_created(person: User, *, actor: User | None) -> None:
    """The history entry of a new person (register_person, `beheer createsuperuser`)."""
    _record(person, actor, PersonAction.CREATED, field="role", new=effective_role(person))


# --- Roles, activity and passwords -------------------------------------------------------------------
#
# Rules (docs/admin/configuration.md, "Who may manage whom"):
# - coordinators and administrators manage people; a coordinator manages callers, operators and
#   coordinators, an administrator everybody;
# - nobody gives anyone a role above their own;
# - only administrators edit, demote, deactivate or delete administrators, and only administrators set
#   somebody else's password (everybody may change their own);
# - the last active administrator cannot be demoted, deactivated or deleted. The check locks the
#   active administrators' rows (and the person's and the actor's) in primary-key order and counts
#   inside the transaction, so two administrators demoting each other at once leave one.

_RANK = {Role.CALLER: 0, Role.OPERATOR: 1, Role.COORDINATOR: 2, Role.ADMIN: 3}


def effective_role(user: User) -> str:
    """The role that decides access: a Django superuser counts as an administrator."""
    return Role.ADMIN if user.is_superuser else str(user.role)


def _rank(role: str) -> int:
    return _RANK.get(Role(role), 0) if role in Role.values else 0


def may_manage(actor: User | None, person: User) -> bool:
    """May `actor` edit, (de)activate or delete `person`? None is the system (commands)."""
    if actor is None:
        return True
    if not actor.is_coordinator:
        return False
    if actor.is_administrator:
        return True
    return _rank(effective_role(person)) <= _rank(effective_role(actor))


def assignable_roles(actor: User | None) -> list[str]:
    """The roles `actor` may give: their own and those below it."""
    if actor is None:
        return list(Role.values)
    if not actor.is_coordinator:
        return []
    top = _rank(effective_role(actor))
    return [r for r in Role.values if _rank(r) <= top]


def may_set_password(actor: User | None, person: User) -> bool:
    if actor is None:
        return True
    if actor.pk == person.pk:
        return actor.is_active
    return actor.is_administrator


def _ensure_may_manage(actor: User | None, person: User) -> None:
    if actor is None:
        return
    _ensure_coordinator(actor)
    if not may_manage(actor, person):
        raise PermissionDenied(_("Only administrators may manage administrators."))


def _ensure_not_above_own_role(actor: User | None, role: str) -> None:
    if actor is not None and _rank(role) > _rank(effective_role(actor)):
        raise PermissionDenied(
            _("You cannot give anyone a role above your own."),
            field_errors={"role": _("You cannot give anyone a role above your own.")},
        )


def _validate_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        message = " ".join(str(m) for m in exc.messages)
        raise DomainError(message, field_errors={"password": message}) from None


def _record(
    person: User,
    actor: User | None,
    action: str,
    *,
    field: str = "",
    old: str = "",
    new: str = "",
    detail: str = "",
) -> PersonHistoryEntry:
    (entry,) = history.record(
        PersonHistoryEntry,
        person,
        actor=actor,
        action=action,
        at=timezone.now(),
        field=field,
        old=old[:200],
        new=new[:200],
        detail=detail,
    )
    return entry


_ACTIVE_ADMINS = Q(is_active=True) & (Q(role=Role.ADMIN) | Q(is_superuser=True))


def _lock(person: User, actor: User | None) -> tuple[User, User | None]:
    """Lock the person, the actor and every active administrator, in primary-key order (so two
    requests never wait on each other in a circle); return fresh copies of the person and the actor.
    On SQLite the IMMEDIATE transaction already serialises writers."""
    keys = [person.pk] + ([actor.pk] if actor is not None else [])
    rows = {
        u.pk: u
        for u in User.objects.select_for_update().filter(Q(pk__in=keys) | _ACTIVE_ADMINS).order_by("pk")
    }
    if person.pk not in rows:
        raise NotFound(_("Person not found."))
    fresh_actor = rows.get(actor.pk) if actor is not None else None
    if actor is not None and fresh_actor is None:
        raise PermissionDenied(_("You may not do this."))
    return rows[person.pk], fresh_actor


def _ensure_not_last_administrator(person: User) -> None:
    """Call inside the transaction, after `_lock`: refuses when `person` is the last active one."""
    if not (person.is_active and effective_role(person) == Role.ADMIN):
        return
    others = User.objects.filter(_ACTIVE_ADMINS).exclude(pk=person.pk).count()
    if others == 0:
        raise DomainError(
            _("This is the last active administrator: make somebody else administrator first."),
            field_errors={"role": _("The last active administrator must stay an administrator.")},
        )


def _sync_flags(person: User) -> None:
    """The role decides access to the configuration site; keep Django's flags in step."""
    person.is_staff = person.role in (Role.COORDINATOR, Role.ADMIN)
    person.is_superuser = person.role == Role.ADMIN


def check_access_change(person: User, *, role: str, is_active: bool, actor: User | None) -> None:
    """Raise what `change_role`, `activate_person` and `deactivate_person` would raise for this change,
    without writing or locking (forms call it to show the refusal next to the field; the services
    check again under row locks)."""
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field_errors={"role": _("Unknown role.")})
    role_changes = effective_role(person) != role
    if not role_changes and person.is_active == is_active:
        return
    _ensure_may_manage(actor, person)
    if role_changes:
        _ensure_not_above_own_role(actor, role)
    if (role != Role.ADMIN or not is_active) and person.pk is not None:
        current = User.objects.filter(pk=person.pk).first()
        if current is not None:
            _ensure_not_last_administrator(current)


@transaction.atomic
def change_role(person: User, *, role: str, actor: User | None) -> User:
    """Give `person` another role. See the rules above."""
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field_errors={"role": _("Unknown role.")})
    locked, fresh_actor = _lock(person, actor)
    _ensure_may_manage(fresh_actor, locked)
    _ensure_not_above_own_role(fresh_actor, role)
    old = effective_role(locked)
    if old == role:
        return locked
    if role != Role.ADMIN:
        _ensure_not_last_administrator(locked)
    locked.role = role
    _sync_flags(locked)
    locked.save(update_fields=["role", "is_staff", "is_superuser"])
    _record(locked, fresh_actor, PersonAction.ROLE_CHANGED, field="role", old=old, new=role)
    person.role, person.is_staff, person.is_superuser = locked.role, locked.is_staff, locked.is_superuser
    return locked


@transaction.atomic
def set_officer_marks(
    person: User, *, security_officer: bool, privacy_officer: bool, actor: User | None
) -> User:
    """Make `person` security officer (beveiligingsfunctionaris) and/or privacy officer, or stop it.
    Administrators only; the marks count for staff members only, so a caller is refused."""
    locked, fresh_actor = _lock(person, actor)
    if fresh_actor is None or not fresh_actor.is_administrator:
        raise PermissionDenied(_("Only administrators can make somebody security or privacy officer."))
    if (security_officer or privacy_officer) and not locked.is_staff_member:
        raise DomainError(
            _("Only operators, coordinators and administrators can be security or privacy officer."),
            field_errors={"security_officer": _("Give this person a staff role first.")},
        )
    for field, wanted in (("security_officer", security_officer), ("privacy_officer", privacy_officer)):
        old = bool(getattr(locked, field))
        if old == wanted:
            continue
        setattr(locked, field, wanted)
        locked.save(update_fields=[field])
        _record(
            locked,
            fresh_actor,
            PersonAction.OFFICER,
            field=field,
            old="true" if old else "false",
            new="true" if wanted else "false",
        )
        setattr(person, field, wanted)
    return locked


@transaction.atomic
def deactivate_person(person: User, *, actor: User | None) -> User:
    """A deactivated person cannot sign in or use tokens; their history stays."""
    locked, fresh_actor = _lock(person, actor)
    _ensure_may_manage(fresh_actor, locked)
    if not locked.is_active:
        return locked
    _ensure_not_last_administrator(locked)
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    _record(locked, fresh_actor, PersonAction.DEACTIVATED, field="is_active", old="true", new="false")
    person.is_active = False
    return locked


@transaction.atomic
def activate_person(person: User, *, actor: User | None) -> User:
    locked, fresh_actor = _lock(person, actor)
    _ensure_may_manage(fresh_actor, locked)
    if locked.is_active:
        return locked
    locked.is_active = True
    locked.save(update_fields=["is_active"])
    _record(locked, fresh_actor, PersonAction.ACTIVATED, field="is_active", old="false", new="true")
    person.is_active = True
    return locked


@transaction.atomic
def set_password(person: User, *, password: str, actor: User | None) -> User:
    """Set a password. Everybody may set their own; only administrators set somebody else's. The
    history records that it was set, never the password. Other sessions of the person end (Django
    checks the password hash on every request)."""
    locked, fresh_actor = _lock(person, actor)
    if not may_set_password(fresh_actor, locked):
        raise PermissionDenied(_("Only administrators may set somebody else's password."))
    _validate_password(password, locked)
    locked.set_password(password)
    locked.save(update_fields=["password"])
    _record(locked, fresh_actor, PersonAction.PASSWORD_SET, field="password")
    person.password = locked.password
    return locked


@transaction.atomic
def disable_password(person: User, *, actor: User | None) -> User:
    """Password sign-in off (an unusable password); API tokens are not affected."""
    locked, fresh_actor = _lock(person, actor)
    if not may_set_password(fresh_actor, locked):
        raise PermissionDenied(_("Only administrators may set somebody else's password."))
    locked.set_unusable_password()
    locked.save(update_fields=["password"])
    _record(locked, fresh_actor, PersonAction.PASSWORD_DISABLED, field="password")
    person.password = locked.password
    return locked


_DETAIL_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "employee_number",
    "job_title",
    "language",
    "branch",
    "department",
    "location",
)


@transaction.atomic
def edit_person(
    person: User,
    *,
    actor: User | None,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    mobile: str,
    employee_number: str,
    job_title: str,
    language: str,
    branch: Branch | None,
    department: Department | None,
    location: Location | None,
) -> User:
    """Change a person's details (not their role, activity or password: see the functions above)."""
    locked, fresh_actor = _lock(person, actor)
    _ensure_may_manage(fresh_actor, locked)
    username = username.strip()
    if not username:
        raise DomainError(_("A username is required."), field_errors={"username": _("Required.")})
    if User.objects.filter(username=username).exclude(pk=locked.pk).exists():
        raise DomainError(
            _("A person with this username already exists."),
            field_errors={"username": _("A person with this username already exists.")},
        )
    if language not in ("", "nl", "en"):
        raise DomainError(_("Unknown language."), field_errors={"language": _("Unknown language.")})
    new_values: dict[str, object] = {
        "username": username,
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "email": email.strip(),
        "phone": phone.strip(),
        "mobile": mobile.strip(),
        "employee_number": employee_number.strip(),
        "job_title": job_title.strip(),
        "language": language,
        "branch": branch,
        "department": department,
        "location": location,
    }
    changed = []
    for name in _DETAIL_FIELDS:
        old_value, new_value = getattr(locked, name), new_values[name]
        if old_value != new_value:
            changed.append(name)
            setattr(locked, name, new_value)
            setattr(person, name, new_value)
            _record(
                locked,
                fresh_actor,
                PersonAction.CHANGED,
                field=name,
                old="" if old_value is None else str(old_value),
                new="" if new_value is None else str(new_value),
            )
    if changed:
        locked.save(update_fields=changed)
    return locked


@transaction.atomic
def delete_person(person: User, *, actor: User | None) -> None:
    """Delete a person who has left no trail; anyone who has acted (history, notes, meldingen) can only
    be deactivated. The deletion itself is recorded with the username."""
    locked, fresh_actor = _lock(person, actor)
    _ensure_may_manage(fresh_actor, locked)
    if fresh_actor is not None and fresh_actor.pk == locked.pk:
        raise DomainError(_("You cannot delete yourself."))
    _ensure_not_last_administrator(locked)
    role = effective_role(locked)
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError:
        raise DomainError(
            _("This person appears in the records of Beheer and cannot be deleted; deactivate them instead.")
        ) from None
    # the deleted person has no key any more: the row keeps only the username
    _record(locked, fresh_actor, PersonAction.DELETED, field="role", old=role)


@transaction.atomic
def add_group_member(group: OperatorGroup, *, member: User, actor: User | None) -> None:
    if actor is not None:
        _ensure_coordinator(actor)
    if not member.is_staff_member:
        raise DomainError(_("Only operators can be members of an operator group."))
    group.members.add(member)


@transaction.atomic
def create_operator_group(
    *, name: str, is_first_line: bool, is_second_line: bool, actor: User | None, email: str = ""
) -> OperatorGroup:
    if actor is not None:
        _ensure_coordinator(actor)
    if OperatorGroup.objects.filter(name=name).exists():
        raise DomainError(
            _("An operator group with this name already exists."), field_errors={"name": _("Exists.")}
        )
    return OperatorGroup.objects.create(
        name=name, is_first_line=is_first_line, is_second_line=is_second_line, email=email
    )


@transaction.atomic
def set_language(user: User, *, language: str, actor: User) -> User:
    if actor.pk != user.pk and not actor.is_administrator:
        raise PermissionDenied(_("You may only change your own language."))
    if language not in ("", "nl", "en"):
        raise DomainError(_("Unknown language."), field_errors={"language": _("Unknown language.")})
    user.language = language
    user.save(update_fields=["language"])
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_api_token(
    user: User, *, name: str, actor: User, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret; the secret is shown once and never stored."""
    if actor.pk != user.pk and not actor.is_administrator:
        raise PermissionDenied(_("You may only create tokens for yourself."))
    name = name.replace("\x00", "").strip()
    if not name or len(name) > 100:
        raise DomainError(
            _("Give the token a name of at most 100 characters."), field_errors={"name": _("Required.")}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=_digest(secret),
        expires_at=expires_at,
    )
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    if actor.pk != token.user_id and not actor.is_administrator:
        raise NotFound(_("Token not found."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_for_token(secret: str) -> User | None:
    """The active user owning a valid token; marks the token used (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or (token.expires_at and token.expires_at <= now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _window_start(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _throttle_limits(username: str, address: str) -> dict[str, int]:
    limit = settings.LOGIN_MAX_FAILURES
    limits = {f"user:{username.lower()[:150]}": limit}
    if address:
        limits[f"addr:{address[:64]}"] = limit * 4
    return limits


def login_throttled(*, username: str, address: str) -> bool:
    """Would an attempt for this username from this address be refused now? (Read-only.)"""
    start = _window_start(timezone.now())
    limits = _throttle_limits(username, address)
    rows = LoginThrottle.objects.filter(key__in=limits, window_started__gte=start)
    return any(row.attempts >= limits[row.key] for row in rows)


def begin_login_attempt(*, username: str, address: str) -> bool:
    """Count one sign-in attempt for the username and for the address, and say whether its password
    may be checked. Every attempt is counted before the check, refused ones too, under a row lock
    taken in key order: parallel guesses queue on the counter, so once the limit is reached every
    further attempt in the window is refused and the counter equals the number of attempts."""
    now = timezone.now()
    start = _window_start(now)
    limits = _throttle_limits(username, address)
    allowed = True
    with transaction.atomic():
        LoginThrottle.objects.bulk_create(
            [LoginThrottle(key=key, attempts=0, window_started=now) for key in limits],
            ignore_conflicts=True,
        )
        for row in LoginThrottle.objects.select_for_update().filter(key__in=limits).order_by("key"):
            if row.window_started < start:  # a new window
                row.attempts, row.window_started = 0, now
            if row.attempts >= limits[row.key]:
                allowed = False
            row.attempts += 1
            row.save(update_fields=["attempts", "window_started"])
    return allowed


def record_login_failure(*, username: str, address: str) -> None:
    """Keep a record of the failed attempt (who, from where); old records and counters go after a day."""
    now = timezone.now()
    LoginFailure.objects.create(username=username.lower()[:150], address=address[:64], at=now)
    LoginFailure.objects.filter(at__lt=now - timedelta(days=1)).delete()
    LoginThrottle.objects.filter(window_started__lt=now - timedelta(days=1)).delete()


def check_own_password(user: User, password: str, *, address: str) -> None:
    """Confirm a signed-in person's current password before a change of their own account. Counted
    and limited like a sign-in (per username and address, atomically), so a stolen session or token
    cannot be used to guess the password; a wrong one is recorded as a failed sign-in."""
    if not begin_login_attempt(username=user.username, address=address):
        raise TooManyAttempts(_("Too many failed attempts. Wait a quarter of an hour and try again."))
    if not user.check_password(password):
        record_login_failure(username=user.username, address=address)
        message = _("Your current password is not correct.")
        raise DomainError(message, field_errors={"current_password": message})
    record_login_success(username=user.username, address=address)


def change_own_password(user: User, *, current_password: str, new_password: str, address: str) -> User:
    """A signed-in person changes their own password: the current one confirmed first
    (`check_own_password`: counted and limited like a sign-in, the count kept whatever follows),
    then the new one set and recorded (`set_password`). A refused new password is reported on the
    field `new_password`."""
    if not user.has_usable_password():
        raise DomainError(_("Password sign-in is off for your account. Ask an administrator if you need it."))
    check_own_password(user, current_password, address=address)
    try:
        return set_password(user, password=new_password, actor=user)
    except DomainError as exc:
        raise DomainError(exc.message, field_errors={"new_password": exc.message}) from None


def record_login_success(*, username: str, address: str) -> None:
    """A correct password: the username's failures are forgiven and this attempt no longer counts
    against the address."""
    limits = _throttle_limits(username, address)
    user_key = next(iter(limits))
    LoginThrottle.objects.filter(key=user_key).update(attempts=0)
    if address:
        LoginThrottle.objects.filter(key=f"addr:{address[:64]}", attempts__gt=0).update(
            attempts=F("attempts") - 1
        )
    LoginFailure.objects.filter(username=username.lower()[:150]).delete()


def service_user(username: str, *, first_name: str, last_name: str = "") -> User:
    """A built-in operator that acts for a process (mail intake, monitor); it cannot sign in and is
    never offered as an operator to assign (see SERVICE_USERNAMES). Made on first use, race-safe."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            user = User(
                username=username,
                first_name=first_name,
                last_name=last_name,
                role=Role.OPERATOR,
                is_active=True,
            )
            user.set_unusable_password()
            user.save(force_insert=True)
            return user
    except IntegrityError:  # another process made it first
        return User.objects.get(username=username)


# --------------------------------------------------------------------------------------------------
# privacy (AVG): called by the security app, which checks who may ask (privacy officers, administrators)


def anonymise_person(person: User, *, actor: User, redact: Callable[[str], str]) -> User:
    """Erasure on request: the person's names, username, e-mail, phones, employee number and job
    title replaced, the password disabled, tokens and sign-in records removed, the person
    deactivated; their own history keeps its rows but loses the values that named them (`redact`
    cleans a text). The row stays, so what referred to the person still adds up. The security app
    checks the actor's right first; here only the rules of people: never oneself, never the last
    administrator."""
    with transaction.atomic():
        locked, fresh_actor = _lock(person, actor)
        if fresh_actor is not None and locked.pk == fresh_actor.pk:
            raise DomainError(_("You cannot anonymise yourself."))
        _ensure_not_last_administrator(locked)
        old_username = locked.username
        locked.username = f"anon-{locked.pk}"
        locked.first_name = ""
        locked.last_name = _("Anonymised person %(number)d") % {"number": locked.pk}
        locked.email = ""
        locked.phone = ""
        locked.mobile = ""
        locked.employee_number = ""
        locked.job_title = ""
        locked.is_active = False
        locked.security_officer = False
        locked.privacy_officer = False
        locked.set_unusable_password()
        locked.save()
        ApiToken.objects.filter(user=locked).delete()
        LoginFailure.objects.filter(username__iexact=old_username).delete()
        LoginThrottle.objects.filter(key__iexact=f"user:{old_username}").delete()
        rows = []
        for entry in PersonHistoryEntry.objects.filter(person=locked):
            values = (entry.old_value, entry.new_value, entry.detail)
            entry.old_value, entry.new_value, entry.detail = (redact(v) for v in values)
            if entry.field in (
                "first_name",
                "last_name",
                "email",
                "phone",
                "mobile",
                "username",
                "employee_number",
            ):
                entry.old_value = entry.new_value = ""
            entry.username = locked.username
            rows.append(entry)
        PersonHistoryEntry.objects.bulk_update(rows, ["old_value", "new_value", "detail", "username"])
        _record(
            locked,
            fresh_actor,
            PersonAction.DEACTIVATED,
            field="is_active",
            detail=_("Anonymised on request"),
        )
        return locked


def purge_login_failures(*, before: datetime) -> int:
    """Failed sign-ins (username and address) older than `before` removed; returns how many."""
    deleted, _detail = LoginFailure.objects.filter(at__lt=before).delete()
    return deleted
