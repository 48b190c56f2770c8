"""The measures register's objects for the route walker (see __init__.py): an own control with the
staff canary in its title, its line of the statement of applicability, an implementation and an
evidence file with the canary in them."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from beheer.security.models import Catalogue
from beheer.security.services import measures as services

# path parameter -> key of build()'s result
PARAMS: dict[str, str] = {
    "control_id": "measures_control",
    "implementation_id": "measures_implementation",
    "file_id": "measures_file",
    "catalogue_id": "measures_catalogue",
}


def build(school: Any) -> dict[str, Any]:
    from tests.test_route_walker import CANARY_S

    actor = school.people["coordinator"]
    control = services.create_own_control(actor=actor, title_nl=f"Eigen maatregel {CANARY_S}")
    services.set_applicability(
        control,
        actor=actor,
        applicability="not_applicable",
        justification=f"Reden {CANARY_S}",
        expected_version=0,
    )
    implementation = services.create_implementation(
        control, actor=actor, description=f"Zo doen we het {CANARY_S}", owner=school.people["operator"]
    )
    evidence = services.add_evidence_file(
        implementation,
        actor=actor,
        upload=SimpleUploadedFile(
            f"bewijs-{CANARY_S}.txt", f"Bewijs {CANARY_S}\n".encode(), content_type="text/plain"
        ),
    )
    return {
        "measures_control": control,
        "measures_implementation": implementation,
        "measures_file": evidence,
        "measures_catalogue": Catalogue.objects.get(code="iso27002-2022-bio2"),
    }


def special(template: str, param: str) -> str | None:
    """A key for a parameter whose object depends on the route (None: use PARAMS)."""
    return None
