"""Every write to meldingen: register, classify, assign, escalate, note, resolve, close, reopen.

Each function takes the melding first, keyword-only arguments after and an explicit actor. It checks
the rules, writes the history itself and raises DomainError (or a subclass) when a rule refuses.
The functions live in submodules by theme; import them from here.

The apps above the servicedesk that act on a melding (problems, the mail intake, monitoring,
operations) use these functions and the building blocks listed here, never the private helpers of
the submodules:

- `lock_melding(melding, expected_version)`: re-read a melding under a row lock, refuse a closed one
  and check the version; the first step of every change of a melding.
- `record_history(melding, actor, action, ...)`: one row of the melding's history, in Dutch and
  English, in the transaction of the change.
- `check_assignment(line, group, operator)`: the rules of giving work to a group and an operator.
- `lookup_defaults()`, `priority_for(impact, urgency)`, `default_status(kind)`: the configured
  defaults and the priority matrix, from the configuration cache.
"""

from beheer.core.files import safe_filename as _safe_filename

from . import privacy  # removing personal data (AVG): privacy.anonymise_meldingen, ...
from ._base import (
    BRIEF_MAX,
    KEEP_CI,
    TEXT_MAX,
    check_assignment,
    check_ci,
    default_status,
    lock_melding,
    lookup_defaults,
    priority_for,
    record_history,
)
from .activity import (
    add_attachment,
    add_note,
    add_unregistered_caller_reply,
    link_meldingen,
    link_to_closed_melding,
    register_time,
    unlink_meldingen,
)
from .deflection import (
    SETTLE_MINUTES,
    DeflectionFigures,
    deflection_figures,
    purge_deflection_events,
    record_click,
    record_shown,
    record_submission,
)
from .deflection import (
    valid_token as valid_deflection_token,
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
from .knowledge_links import (
    article_reference_text,
    create_article_from_melding,
    link_article,
    unlink_article,
    visible_article,
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
from .restricted import (
    grant_incident_access,
    log_restricted_read,
    make_security_incident,
    revoke_incident_access,
)
from .service_level import (
    Evaluation,
    Metric,
    OlaMetric,
    apply_sla,
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
    "BRIEF_MAX",
    "KEEP_CI",
    "SETTLE_MINUTES",
    "TEXT_MAX",
    "DeflectionFigures",
    "Evaluation",
    "Metric",
    "OlaMetric",
    "_safe_filename",
    "add_attachment",
    "add_note",
    "add_unregistered_caller_reply",
    "apply_sla",
    "article_reference_text",
    "assign_melding",
    "auto_close_resolved",
    "change_status",
    "check_assignment",
    "check_ci",
    "check_new_melding_group",
    "close_melding",
    "confirm_resolution",
    "create_article_from_melding",
    "create_partial",
    "deescalate_melding",
    "default_status",
    "deflection_figures",
    "escalate_melding",
    "evaluate",
    "evaluate_olas",
    "grant_incident_access",
    "invalidate_olas",
    "last_update_at",
    "link_article",
    "link_meldingen",
    "link_to_closed_melding",
    "lock_melding",
    "log_restricted_read",
    "lookup_defaults",
    "make_security_incident",
    "merge_melding",
    "number_of",
    "open_melding",
    "policy_for",
    "priority_for",
    "privacy",
    "purge_deflection_events",
    "reclassify_melding",
    "recompute_olas",
    "recompute_sla",
    "record_click",
    "record_history",
    "record_shown",
    "record_submission",
    "refresh_stale_olas",
    "register_time",
    "reopen_melding",
    "resolve_melding",
    "revoke_incident_access",
    "set_estimates",
    "set_target_date",
    "sweep_sla",
    "unlink_article",
    "unlink_meldingen",
    "valid_deflection_token",
    "visible_article",
]
