"""The servicedesk and the CMDB: the configuration item a melding is about.

- On the melding page (operators): the CI, its upward impact (the services that fail with it), the
  likely common cause when the CI shares one with other CIs in trouble, and, when the melding is
  handed to a supplier, that supplier's active contracts covering the CI (`melding_ci_panel`,
  `covering_contracts`: one query for any number of meldingen; staff only, callers never).
- For the CMDB (registered from `apps.ServicedeskConfig.ready` through `cmdb.extensions`): a trouble
  source, the CIs of open meldingen (`open_ci_ids`), and a section on the CI page with the CI's
  meldingen (`ci_page_section`, staff only).

The CMDB never imports the servicedesk; the servicedesk reads the CMDB's models and impact analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from beheer.cmdb import extensions as cmdb_extensions
from beheer.cmdb import impact as cmdb_impact
from beheer.cmdb.models import ConfigurationItem, Contract
from beheer.core import access, clock

from .models import Melding

TROUBLE_MAX = 1000  # distinct CIs of open meldingen the trouble source reports
CI_PAGE_SHOWN = (
    20  # meldingen listed on a CI's page (open first, then the last closed); the count is complete
)
SERVICES_NAMED = 5  # services named in the message after registering


@dataclass(frozen=True)
class CiPanel:
    """The melding page's section about its CI."""

    ci: ConfigurationItem
    impact: cmdb_impact.Impact
    cause: ConfigurationItem | None = None
    shared: int = 0  # the other CIs in trouble with the same likely cause
    asks_contract: bool = False  # the melding is handed to a supplier: show its contracts (or none)
    contracts: tuple[Contract, ...] = ()  # the supplier's active contracts that cover the CI


def covering_contracts(meldingen: list[Melding], user: Any) -> dict[int, list[Contract]]:
    """{melding id: the active contracts of its supplier that cover its CI} for the meldingen with a
    supplier and a CI, for staff (callers: nothing). One query whatever their number: the contract
    rows through the link of contracts and covered CIs, filtered by both ends."""
    if not access.is_staff(user):
        return {}
    wanted = [m for m in meldingen if m.supplier_id is not None and m.ci_id is not None]
    if not wanted:
        return {}
    today = timezone.localdate(clock.now())
    link = Contract.covered_cis.through
    rows = (
        link.objects.filter(
            configurationitem_id__in={m.ci_id for m in wanted},
            contract__supplier_id__in={m.supplier_id for m in wanted},
            contract__start_date__lte=today,
            contract__end_date__gte=today,
        )
        .select_related("contract")
        .order_by("contract__end_date", "contract_id")
    )
    by_pair: dict[tuple[int, int], list[Contract]] = {}
    for row in rows[: 50 * len(wanted)]:
        contract = row.contract
        by_pair.setdefault((contract.supplier_id, row.configurationitem_id), []).append(contract)
    return {m.pk: by_pair.get((m.supplier_id or 0, m.ci_id or 0), []) for m in wanted}


def melding_ci_panel(melding: Melding, user: Any) -> CiPanel | None:
    """The CI of `melding` with its upward impact and likely cause, for staff; None without a CI.
    A bounded few queries (the CI, the impact's walks, the trouble and its common causes, the
    cause's name); a melding without a CI costs none (the view does not call this)."""
    if melding.ci_id is None or not access.is_staff(user):
        return None
    ci = ConfigurationItem.objects.select_related("ci_type").filter(pk=melding.ci_id).first()
    if ci is None:
        return None
    up = cmdb_impact.impact(ci, cmdb_impact.UP, user=user)
    asks = melding.supplier_id is not None
    contracts = tuple(covering_contracts([melding], user).get(melding.pk, [])) if asks else ()
    cause, shared = cmdb_impact.likely_cause(ci.pk)
    return CiPanel(ci, up, cause, shared, asks_contract=asks, contracts=contracts)


def registered_impact(ci: ConfigurationItem, user: Any) -> str:
    """What an operator reads after registering a melding on `ci`: the services that fail with it."""
    up = cmdb_impact.impact(ci, cmdb_impact.UP, user=user)
    if not up.service_count:
        return _("It is about %(ci)s; no service depends on it.") % {"ci": ci.name}
    names = ", ".join(s.name for s in up.services[:SERVICES_NAMED])
    if up.service_count > SERVICES_NAMED:
        names += ", …"
    return ngettext(
        "It is about %(ci)s: %(count)d service affected (%(names)s).",
        "It is about %(ci)s: %(count)d services affected (%(names)s).",
        up.service_count,
    ) % {"ci": ci.name, "count": up.service_count, "names": names}


# --------------------------------------------------------------------------------------------------
# for the CMDB


def open_ci_ids() -> list[int]:
    """The CIs of open meldingen, at most TROUBLE_MAX: one query over the partial index of open
    meldingen by CI (`m_open_ci_created`)."""
    rows = (
        Melding.objects.filter(is_open=True, ci__isnull=False)
        .order_by("ci_id")
        .values_list("ci_id", flat=True)
        .distinct()
    )
    return [pk for pk in rows[:TROUBLE_MAX] if pk is not None]


def ci_page_section(request: Any, ci: ConfigurationItem) -> str:
    """The CI page's panel of its meldingen (staff only, nothing for others): the open ones newest
    first, then the last closed, CI_PAGE_SHOWN in all, with the counts; three queries whatever the CI
    holds (two when twenty are open)."""
    user = getattr(request, "user", None)
    if not access.is_staff(user):
        return ""
    mine = Melding.objects.visible_to(user).filter(ci_id=ci.pk)  # a security incident only for its people
    shown = list(
        mine.filter(is_open=True).select_related("status").order_by("-created_at", "-id")[:CI_PAGE_SHOWN]
    )
    if len(shown) < CI_PAGE_SHOWN:
        closed = (
            mine.filter(is_open=False)
            .select_related("status")
            .order_by(F("closed_at").desc(nulls_last=True), "-created_at", "-id")
        )
        shown += list(closed[: CI_PAGE_SHOWN - len(shown)])
    counts = mine.aggregate(total=Count("id"), open=Count("id", filter=Q(is_open=True)))
    context = {"ci": ci, "meldingen": shown, "total": counts["total"] or 0, "open": counts["open"] or 0}
    return render_to_string("servicedesk/_ci_meldingen.html", context)  # no context processors: no queries


def register() -> None:
    """Take part in the CMDB: the trouble source and the CI page's section (idempotent)."""
    cmdb_extensions.register_trouble_source(cmdb_extensions.TroubleSource("meldingen", open_ci_ids))
    cmdb_extensions.register_page_section(cmdb_extensions.PageSection("meldingen", ci_page_section, order=10))
