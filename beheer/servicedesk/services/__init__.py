"""Every write to meldingen: register, classify, assign, escalate, note, resolve, close, reopen.

Each function takes the melding first, keyword-only arguments after and an explicit actor. It checks
the rules, writes the history itself and raises DomainError (or a subclass) when a rule refuses.
The functions live in submodules by theme; import them from here.
"""

from ._base import _now, default_status, priority_for
from .activity import (
    _safe_filename,
    add_attachment,
    add_note,
    link_meldingen,
    register_time,
    unlink_meldingen,
)
from .handling import (
    assign_melding,
    change_status,
    deescalate_melding,
    escalate_melding,
    reclassify_melding,
    set_estimates,
    set_target_date,
)
from .knowledge_links import article_reference_text, link_article, unlink_article, visible_article
from .registering import (
    create_partial,
    merge_melding,
    open_melding,
)
from .resolution import (
    auto_close_resolved,
    close_melding,
    confirm_resolution,
    number_of,
    reopen_melding,
    resolve_melding,
)
from .service_level import (
    Evaluation,
    Metric,
    OlaMetric,
    apply_sla,
    calendar_for,
    evaluate,
    evaluate_olas,
    invalidate_olas,
    last_update_at,
    policy_for,
    recompute_olas,
    recompute_sla,
    refresh_stale_olas,
    sweep_sla,
)

__all__ = [
    "Evaluation",
    "Metric",
    "OlaMetric",
    "_now",
    "_safe_filename",
    "add_attachment",
    "add_note",
    "apply_sla",
    "article_reference_text",
    "assign_melding",
    "auto_close_resolved",
    "calendar_for",
    "change_status",
    "close_melding",
    "confirm_resolution",
    "create_partial",
    "deescalate_melding",
    "default_status",
    "escalate_melding",
    "evaluate",
    "evaluate_olas",
    "invalidate_olas",
    "last_update_at",
    "link_article",
    "link_meldingen",
    "merge_melding",
    "number_of",
    "open_melding",
    "policy_for",
    "priority_for",
    "reclassify_melding",
    "recompute_olas",
    "recompute_sla",
    "refresh_stale_olas",
    "register_time",
    "reopen_melding",
    "resolve_melding",
    "set_estimates",
    "set_target_date",
    "sweep_sla",
    "unlink_article",
    "unlink_meldingen",
    "visible_article",
]
