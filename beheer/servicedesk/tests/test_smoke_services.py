from __future__ import annotations

from beheer.servicedesk import services
from beheer.servicedesk.models import Line, Melding, StatusKind


def test_lifecycle_first_to_second_line_resolve_confirm(melding, operator, specialist, second_line, caller):
    m = services.escalate_melding(melding, to_group=second_line, reason="Hardware", actor=operator,
                                  expected_version=melding.version)
    assert m.line == Line.SECOND
    m = services.resolve_melding(m, solution="Nieuwe fuser", actor=specialist, expected_version=m.version)
    assert m.status.kind == StatusKind.RESOLVED
    m = services.confirm_resolution(m, actor=caller)
    assert m.closed_at is not None
    assert Melding.objects.search("papierstoring").filter(pk=m.pk).exists()
