"""Every write of problem management; import from here."""

from .lifecycle import (
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

__all__ = [
    "MeldingOutcome",
    "ProblemResolution",
    "analyse_problem",
    "assign_problem",
    "close_problem",
    "create_known_error_article",
    "edit_problem",
    "link_known_error_article",
    "link_melding",
    "mark_known_error",
    "open_problem",
    "reopen_problem",
    "resolve_problem",
    "unlink_melding",
]
