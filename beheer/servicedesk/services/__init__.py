"""Every write to meldingen: register, classify, assign, escalate, note, resolve, close, reopen.

Each function takes the melding first, keyword-only arguments after and an explicit actor. It checks
the rules, writes the history itself and raises DomainError (or a subclass) when a rule refuses.
The functions live in submodules by theme; import them from here.
"""

from beheer.core.files import safe_filename as _safe_filename

from ._base import _now, default_status, priority_for
from .activity import (
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
from .problems import (
    MeldingOutcome,
    ProblemResolution,
    analyse_problem,
    assign_problem,
    close_problem,
    create_known_error_article,
    edit_problem,
    link_known_error_article,
    link_melding,
    mark_known_error,
    open_problem,
    reopen_problem,
    resolve_problem,
    unlink_melding,
)
from .registering import (
    check_new_melding_group,
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
    "MeldingOutcome",
    "Metric",
    "OlaMetric",
    "ProblemResolution",
    "_now",
    "_safe_filename",
    "add_attachment",
    "add_note",
    "analyse_problem",
    "apply_sla",
    "article_reference_text",
    "assign_melding",
    "assign_problem",
    "auto_close_resolved",
    "calendar_for",
    "change_status",
    "check_new_melding_group",
    "close_melding",
    "close_problem",
    "confirm_resolution",
    "create_known_error_article",
    "create_partial",
    "deescalate_melding",
    "default_status",
    "edit_problem",
    "escalate_melding",
    "evaluate",
    "evaluate_olas",
    "invalidate_olas",
    "last_update_at",
    "link_article",
    "link_known_error_article",
    "link_melding",
    "link_meldingen",
    "mark_known_error",
    "merge_melding",
    "number_of",
    "open_melding",
    "open_problem",
    "policy_for",
    "priority_for",
    "reclassify_melding",
    "recompute_olas",
    "recompute_sla",
    "refresh_stale_olas",
    "register_time",
    "reopen_melding",
    "reopen_problem",
    "resolve_melding",
    "resolve_problem",
    "set_estimates",
    "set_target_date",
    "sweep_sla",
    "unlink_article",
    "unlink_melding",
    "unlink_meldingen",
    "visible_article",
]
