"""Reads every testing screen shares: the last result of each case of a plan.

The last result of a case is its result in the highest-numbered run in which it was carried out
(passed, failed or blocked); a case in no run yet, or only "not run", has none. A re-test in a later
run therefore replaces an earlier failure, while the earlier run keeps its own result.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from .models import Outcome, TestPlan, TestResult


def last_results(plan: TestPlan, user: Any) -> dict[int, TestResult]:
    """{case id: its last result} for the cases of `plan`, read as `user` (staff only). Two queries,
    whatever the number of runs."""
    carried_out = TestResult.objects.visible_to(user).filter(run__plan=plan).exclude(outcome=Outcome.NOT_RUN)
    newest = carried_out.values("case_id").annotate(last_run=Max("run__number"))
    pairs = {(row["case_id"], row["last_run"]) for row in newest}
    if not pairs:
        return {}
    rows = carried_out.filter(case_id__in=[case for case, _ in pairs]).select_related("run", "executed_by")
    return {r.case_id: r for r in rows if (r.case_id, r.run.number) in pairs}
