"""People, groups, languages and API tokens."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

import beheer.settings as production_settings
from beheer.accounts import services
from beheer.accounts.models import ApiToken, OperatorGroup, Role, User
from beheer.core.errors import DomainError, NotFound, PermissionDenied
from tests.helpers import make_person


class TestRegisterPerson:
    def test_caller_without_password(self, coordinator):
        user = services.register_person(
            actor=coordinator, first_name=" Piet ", last_name="Pieters", email="piet@school.example"
        )
        assert user.role == Role.CALLER
        assert user.username == "piet@school.example"
        assert user.first_name == "Piet"
        assert not user.has_usable_password()
        assert not user.is_staff_member
        assert not user.is_staff
        assert not user.is_superuser

    def test_operator_with_password(self, coordinator):
        user = services.register_person(
            actor=coordinator,
            first_name="Olaf",
            last_name="Op",
            username="olaf",
            role=Role.OPERATOR,
            password="lang-genoeg-wachtwoord",
        )
        assert user.is_staff_member
        assert not user.is_coordinator
        assert user.check_password("lang-genoeg-wachtwoord")

    def test_username_falls_back_to_name(self, db):
        user = services.register_person(actor=None, first_name="Jan", last_name="de Vries")
        assert user.username == "jan.de.vries"

    def test_duplicate_username_refused(self, caller):
        with pytest.raises(DomainError) as exc:
            services.register_person(
                actor=None, first_name="X", last_name="Y", username=caller.username.upper()
            )
        assert "username" in exc.value.field_errors

    def test_name_required_and_role_known(self, db):
        with pytest.raises(DomainError):
            services.register_person(actor=None, first_name=" ", last_name="")
        with pytest.raises(DomainError):
            services.register_person(actor=None, first_name="A", last_name="B", role="king")

    def test_only_coordinators_register(self, operator, caller):
        for actor in (operator, caller):
            with pytest.raises(PermissionDenied):
                services.register_person(actor=actor, first_name="A", last_name="B")
        assert not User.objects.filter(first_name="A").exists()

    def test_only_administrators_create_administrators(self, coordinator, administrator):
        with pytest.raises(PermissionDenied):
            services.register_person(actor=coordinator, first_name="A", last_name="B", role=Role.ADMIN)
        admin = services.register_person(actor=administrator, first_name="A", last_name="B", role=Role.ADMIN)
        assert admin.is_administrator
        assert admin.is_superuser
        assert admin.is_staff

    def test_roles(self, caller, operator, coordinator, administrator):
        assert [u.is_staff_member for u in (caller, operator, coordinator, administrator)] == [0, 1, 1, 1]
        assert [u.is_coordinator for u in (caller, operator, coordinator, administrator)] == [0, 0, 1, 1]
        assert [u.is_administrator for u in (caller, operator, coordinator, administrator)] == [0, 0, 0, 1]
        operator.is_active = False
        assert not operator.is_staff_member


class TestGroups:
    def test_create_group_and_members(self, coordinator, operator, caller):
        group = services.create_operator_group(
            name="Netwerk", is_first_line=False, is_second_line=True, actor=coordinator
        )
        services.add_group_member(group, member=operator, actor=coordinator)
        assert list(group.members.all()) == [operator]
        with pytest.raises(DomainError):
            services.add_group_member(group, member=caller, actor=coordinator)
        with pytest.raises(DomainError):
            services.create_operator_group(
                name="Netwerk", is_first_line=True, is_second_line=False, actor=coordinator
            )
        with pytest.raises(PermissionDenied):
            services.create_operator_group(
                name="Ander", is_first_line=True, is_second_line=False, actor=operator
            )
        assert OperatorGroup.objects.filter(name="Ander").count() == 0


class TestLanguage:
    @pytest.mark.parametrize("language", ["nl", "en", ""])
    def test_set_own_language(self, caller, language):
        services.set_language(caller, language=language, actor=caller)
        caller.refresh_from_db()
        assert caller.language == language

    def test_unknown_language(self, caller):
        with pytest.raises(DomainError):
            services.set_language(caller, language="fr", actor=caller)
        caller.refresh_from_db()
        assert caller.language == ""

    def test_only_own_unless_admin(self, caller, other_caller, administrator):
        with pytest.raises(PermissionDenied):
            services.set_language(other_caller, language="en", actor=caller)
        services.set_language(other_caller, language="en", actor=administrator)
        other_caller.refresh_from_db()
        assert other_caller.language == "en"


class TestTokens:
    def test_secret_shown_once_only_digest_stored(self, operator):
        token, secret = services.issue_api_token(operator, name="Script", actor=operator)
        assert secret.startswith(services.TOKEN_PREFIX)
        assert len(secret) > 40
        stored = ApiToken.objects.get(pk=token.pk)
        assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in {stored.digest, stored.prefix, stored.name}
        assert stored.prefix == secret[: len(services.TOKEN_PREFIX) + 6]
        for field in ApiToken._meta.concrete_fields:
            assert getattr(stored, field.attname) != secret
        assert services.user_for_token(secret) == operator
        _other, second = services.issue_api_token(operator, name="Script", actor=operator)
        assert second != secret

    def test_revoke(self, operator):
        token, secret = services.issue_api_token(operator, name="t", actor=operator)
        services.revoke_api_token(token, actor=operator)
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert services.user_for_token(secret) is None
        first = token.revoked_at
        services.revoke_api_token(token, actor=operator)
        token.refresh_from_db()
        assert token.revoked_at == first

    def test_revoke_someone_elses(self, operator, coordinator, administrator):
        token, secret = services.issue_api_token(operator, name="t", actor=operator)
        with pytest.raises(NotFound):
            services.revoke_api_token(token, actor=coordinator)
        assert services.user_for_token(secret) == operator
        services.revoke_api_token(token, actor=administrator)
        assert services.user_for_token(secret) is None

    def test_issue_for_others_only_by_admin(self, operator, coordinator, administrator):
        with pytest.raises(PermissionDenied):
            services.issue_api_token(operator, name="t", actor=coordinator)
        token, _secret = services.issue_api_token(operator, name="t", actor=administrator)
        assert token.user == operator

    @pytest.mark.parametrize("name", ["", "   ", "x" * 101])
    def test_name_required(self, operator, name):
        with pytest.raises(DomainError):
            services.issue_api_token(operator, name=name, actor=operator)
        assert not ApiToken.objects.exists()

    def test_expiry(self, operator):
        token, secret = services.issue_api_token(operator, name="t", actor=operator, expires_in_days=2)
        assert token.expires_at is not None
        assert timedelta(days=1, hours=23) < token.expires_at - timezone.now() <= timedelta(days=2)
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert services.user_for_token(secret) is None

    def test_inactive_user(self, operator):
        _token, secret = services.issue_api_token(operator, name="t", actor=operator)
        operator.is_active = False
        operator.save()
        assert services.user_for_token(secret) is None

    @pytest.mark.parametrize("secret", ["", "bhr_", "nope", "bhr_" + "a" * 200, "bhr_\x00"])
    def test_garbage(self, operator, secret):
        services.issue_api_token(operator, name="t", actor=operator)
        assert services.user_for_token(secret) is None

    def test_last_used_at_most_once_a_minute(self, operator):
        token, secret = services.issue_api_token(operator, name="t", actor=operator)
        services.user_for_token(secret)
        token.refresh_from_db()
        first = token.last_used_at
        assert first is not None
        services.user_for_token(secret)
        token.refresh_from_db()
        assert token.last_used_at == first


def test_argon2_is_the_default_hasher():
    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    # the test settings put a fast hasher first, but keep argon2 available for existing hashes
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in settings.PASSWORD_HASHERS


@pytest.mark.django_db
def test_argon2_hashes_passwords(settings):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    user = make_person(Role.OPERATOR, password="een-heel-lang-wachtwoord")
    assert user.password.startswith("argon2")
    assert user.check_password("een-heel-lang-wachtwoord")
