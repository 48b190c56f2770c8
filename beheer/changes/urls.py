from django.urls import path

from .views import approvals, changes, configuration, needs, portal, portal_needs, projects
from .views import approvals, changes, configuration, execution, portal, projects
from .views import approvals, changes, configuration, evaluation, feedback, portal, projects
from .views import approvals, calendar, changes, configuration, plan, portal, projects

urlpatterns = [
    path("changes/", changes.change_list, name="change-list"),
    path("changes/new/", changes.change_edit, name="change-create"),
    path("changes/new/standard/", changes.change_from_template, name="change-from-template"),
    path("changes/from-call/<int:melding_pk>/", changes.change_from_melding, name="change-from-melding"),
    path("changes/<int:pk>/", changes.change_detail, name="change-detail"),
    path("changes/<int:pk>/edit/", changes.change_edit, name="change-edit"),
    path("changes/<int:pk>/move/", changes.change_move, name="change-move"),
    path("changes/<int:pk>/cancel/", changes.change_cancel, name="change-cancel"),
    path("changes/<int:pk>/approval/", changes.change_request_approval, name="change-request-approval"),
    path("changes/<int:pk>/cis/add/", changes.change_ci_add, name="change-ci-add"),
    path("changes/<int:pk>/cis/<int:ci_pk>/remove/", changes.change_ci_remove, name="change-ci-remove"),
    path("changes/<int:pk>/activities/add/", changes.activity_add, name="change-activity-add"),
    path(
        "changes/<int:pk>/activities/<int:activity_pk>/done/",
        changes.activity_done,
        name="change-activity-done",
    ),
    path(
        "changes/<int:pk>/activities/<int:activity_pk>/deviation/",
        changes.activity_deviation,
        name="change-activity-deviation",
    ),
    path("changes/<int:pk>/execution/", execution.execution_page, name="change-execution"),
    path(
        "changes/<int:pk>/execution/activities/<int:activity_pk>/done/",
        execution.activity_done,
        name="change-execution-done",
    ),
    path(
        "changes/<int:pk>/execution/activities/<int:activity_pk>/deviation/",
        execution.activity_deviation,
        name="change-execution-deviation",
    ),
    path("changes/<int:pk>/execution/log/", execution.log_add, name="change-log-add"),
    path("changes/<int:pk>/documents/", execution.document_upload, name="change-document-upload"),
    path(
        "changes/<int:pk>/documents/<int:document_pk>/",
        execution.document_download,
        name="change-document-download",
    ),
    path(
        "changes/<int:pk>/documents/<int:document_pk>/delete/",
        execution.document_delete,
        name="change-document-delete",
    ),
    path("changes/<int:pk>/cmdb-updates/new-ci/", execution.propose_new_ci, name="change-cmdb-new-ci"),
    path(
        "changes/<int:pk>/cmdb-updates/attribute/", execution.propose_attribute, name="change-cmdb-attribute"
    ),
    path("changes/<int:pk>/cmdb-updates/relation/", execution.propose_relation, name="change-cmdb-relation"),
    path(
        "changes/<int:pk>/cmdb-updates/<int:update_pk>/withdraw/",
        execution.withdraw_update,
        name="change-cmdb-withdraw",
    ),
    path("changes/calendar/", calendar.calendar_page, name="change-calendar"),
    path("changes/<int:pk>/plan/", plan.plan_page, name="change-plan"),
    path("changes/<int:pk>/plan/activities/", plan.activity_plan, name="change-plan-activity"),
    path(
        "changes/<int:pk>/plan/activities/<int:activity_pk>/",
        plan.activity_edit,
        name="change-plan-activity-edit",
    ),
    path("changes/<int:pk>/plan/approve/", plan.plan_approve, name="change-plan-approve"),
    path("changes/<int:pk>/plan/notices/", plan.plan_notice, name="change-plan-notice"),
    path("changes/approvals/", approvals.my_approvals, name="change-approvals-mine"),
    path("changes/approvals/<int:pk>/", approvals.approval_decide, name="change-approval"),
    path("changes/projects/", projects.project_list, name="change-projects"),
    path("changes/projects/new/", projects.project_edit, name="change-project-create"),
    path("changes/projects/<int:pk>/", projects.project_detail, name="change-project"),
    path("changes/projects/<int:pk>/edit/", projects.project_edit, name="change-project-edit"),
    path("changes/settings/", configuration.settings_page, name="change-settings"),
    path("changes/settings/phases/<int:pk>/", configuration.phase_edit, name="change-phase-edit"),
    path("changes/settings/risk/", configuration.risk_cell, name="change-risk-cell"),
    path("changes/settings/rules/<int:pk>/", configuration.rule_edit, name="change-rule-edit"),
    path("changes/settings/templates/new/", configuration.template_edit, name="change-template-create"),
    path("changes/settings/templates/<int:pk>/", configuration.template_edit, name="change-template-edit"),
    path("portal/changes/", portal.portal_list, name="portal-changes"),
    path("portal/changes/new/", portal.portal_request, name="portal-change-request"),
    path("portal/changes/<int:pk>/", portal.portal_detail, name="portal-change"),
    path("changes/<int:pk>/needs/", needs.needs_page, name="change-needs"),
    path("changes/<int:pk>/needs/stakeholders/", needs.stakeholder_add, name="change-stakeholder-add"),
    path(
        "changes/<int:pk>/needs/stakeholders/<int:item>/remove/",
        needs.stakeholder_remove,
        name="change-stakeholder-remove",
    ),
    path("changes/<int:pk>/needs/requirements/", needs.requirement_add, name="change-requirement-add"),
    path(
        "changes/<int:pk>/needs/requirements/<int:item>/",
        needs.requirement_edit,
        name="change-requirement-edit",
    ),
    path(
        "changes/<int:pk>/needs/requirements/<int:item>/delete/",
        needs.requirement_delete,
        name="change-requirement-delete",
    ),
    path("changes/<int:pk>/needs/notes/", needs.note_add, name="change-note-add"),
    path("changes/<int:pk>/needs/notes/<int:item>/", needs.note_edit, name="change-note-edit"),
    path("changes/<int:pk>/needs/notes/<int:item>/delete/", needs.note_delete, name="change-note-delete"),
    path("changes/<int:pk>/needs/questions/", needs.question_add, name="change-question-add"),
    path(
        "changes/<int:pk>/needs/questions/<int:item>/", needs.question_answer, name="change-question-answer"
    ),
    path(
        "changes/<int:pk>/needs/questions/<int:item>/delete/",
        needs.question_delete,
        name="change-question-delete",
    ),
    path("changes/<int:pk>/needs/designs/new/", needs.design_new, name="change-design-new"),
    path("changes/<int:pk>/needs/designs/link/", needs.design_link, name="change-design-link"),
    path(
        "changes/<int:pk>/needs/designs/<int:item>/unlink/", needs.design_unlink, name="change-design-unlink"
    ),
    path("portal/changes/<int:pk>/needs/", portal_needs.portal_needs_decide, name="portal-change-needs"),
    path("changes/<int:pk>/evaluation/", evaluation.evaluation_page, name="change-evaluation"),
    path(
        "changes/<int:pk>/evaluation/feedback/", evaluation.feedback_request, name="change-feedback-request"
    ),
    path("changes/<int:pk>/evaluation/findings/", evaluation.finding_add, name="change-finding-add"),
    path(
        "changes/<int:pk>/evaluation/findings/<int:finding_pk>/remove/",
        evaluation.finding_remove,
        name="change-finding-remove",
    ),
    path("changes/<int:pk>/evaluation/follow-ups/", evaluation.follow_up_add, name="change-follow-up-add"),
    path(
        "changes/<int:pk>/evaluation/follow-ups/<int:follow_up_pk>/convert/",
        evaluation.follow_up_convert,
        name="change-follow-up-convert",
    ),
    path("changes/<int:pk>/evaluation/advice/", evaluation.advice_save, name="change-advice"),
    path("changes/<int:pk>/report/", evaluation.report_preview, name="change-report"),
    path("changes/<int:pk>/report.pdf", evaluation.report_download, name="change-report-pdf"),
    path("portal/changes/feedback/", feedback.my_feedback, name="portal-change-feedback"),
    path("portal/changes/feedback/<int:pk>/", feedback.portal_answer, name="portal-change-feedback-answer"),
    path("feedback/<str:token>/", feedback.token_answer, name="change-feedback-answer"),
]
