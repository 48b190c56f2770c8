"""Every write to people, groups and tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.core.errors import DomainError, NotFound, PermissionDenied

from .models import ApiToken, Branch, Department, Location, LoginFailure, OperatorGroup, Role, User

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
    if actor is not None:
        _ensure_coordinator(actor)
        if role == Role.ADMIN and not actor.is_administrator:
            raise PermissionDenied(_("Only administrators may create administrators."))
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field_errors={"role": _("Unknown role.")})
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
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


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


def login_throttled(*, username: str, address: str) -> bool:
    start = _window_start(timezone.now())
    limit = settings.LOGIN_MAX_FAILURES
    recent = LoginFailure.objects.filter(at__gte=start)
    by_user = recent.filter(username=username.lower()[:150]).count()
    by_address = recent.filter(address=address[:64]).count() if address else 0
    return by_user >= limit or by_address >= limit * 4


def record_login_failure(*, username: str, address: str) -> None:
    now = timezone.now()
    LoginFailure.objects.create(username=username.lower()[:150], address=address[:64], at=now)
    LoginFailure.objects.filter(at__lt=now - timedelta(days=1)).delete()


def clear_login_failures(*, username: str) -> None:
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
