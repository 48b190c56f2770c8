"""The register's part of the demo: rights on the school's applications, a leaver with rights left,
an open review partly answered, and a request for the approver."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from beheer.rights import queries
from beheer.rights.models import AccessRight, CampaignStatus, ReviewCampaign, ReviewOutcome, RightStatus

pytestmark = pytest.mark.django_db


class _Quiet:
    def write(self, *_args: object) -> None:
        pass

    def flush(self) -> None:
        pass


def test_the_demo_tells_the_register() -> None:
    call_command("load_demo", meldingen=12, stdout=_Quiet())
    assert AccessRight.objects.filter(status=RightStatus.GRANTED).count() >= 8
    assert AccessRight.objects.filter(status=RightStatus.REQUESTED).exists()
    assert AccessRight.objects.filter(status=RightStatus.APPROVED).exists()
    leavers = list(queries.leavers())
    assert [p.username for p in leavers] == ["demo.verlaat"]
    campaign = ReviewCampaign.objects.get()
    assert campaign.status == CampaignStatus.OPEN
    outcomes = set(campaign.items.values_list("outcome", flat=True))
    assert {ReviewOutcome.CONFIRMED, ReviewOutcome.REVOKED, ReviewOutcome.OPEN} <= outcomes
