"""This area's objects for the route walker (see __init__.py)."""

from __future__ import annotations

from typing import Any

from beheer.security.models import LegalBasis, RetentionKind
from beheer.security.services import privacy
from tests.test_route_walker import CANARY_S

# path parameter -> key of build()'s result
PARAMS: dict[str, str] = {
    "activity_pk": "privacy_activity",
    "activity_id": "privacy_activity",
    "person_pk": "privacy_person",
    "person_id": "privacy_person",
}


def build(school: Any) -> dict[str, Any]:
    administrator = school.people["administrator"]
    activity = privacy.create_activity(
        privacy.ActivityData(
            name="Leerlingadministratie",
            purpose=f"Onderwijs geven en volgen {CANARY_S}",
            legal_basis=LegalBasis.PUBLIC_TASK,
            people_categories="Leerlingen, ouders",
            data_categories="NAW, geboortedatum, resultaten",
            retention="2 jaar na uitschrijving",
            applications=(school.ci,),
        ),
        actor=administrator,
    )
    privacy.set_retention(RetentionKind.MAIL_INTAKE, actor=administrator, expected_version=None, months=6)
    privacy.export_person(school.a, actor=administrator, reference=f"AVG-{CANARY_S}")
    return {
        "privacy_activity": activity,
        "privacy_person": school.a,
        "privacy_kind": RetentionKind.MAIL_INTAKE.value,
    }


def special(template: str, param: str) -> str | None:
    """A key for a parameter whose object depends on the route (None: use PARAMS)."""
    if param == "kind" and "/retention" in template:
        return "privacy_kind"
    return None
