from django.urls import path

from .views import campaigns, leavers, rights

urlpatterns = [
    path("rights/", rights.right_list, name="rights-list"),
    path("rights/export.csv", rights.export_csv, name="rights-export-csv"),
    path("rights/export.xlsx", rights.export_xlsx, name="rights-export-xlsx"),
    path("rights/request/", rights.right_request, name="rights-request"),
    path("rights/<int:pk>/", rights.right_detail, name="rights-detail"),
    path("rights/<int:pk>/approve/", rights.right_approve, name="rights-approve"),
    path("rights/<int:pk>/reject/", rights.right_reject, name="rights-reject"),
    path("rights/<int:pk>/grant/", rights.right_grant, name="rights-grant"),
    path("rights/<int:pk>/revoke/", rights.right_revoke, name="rights-revoke"),
    path("rights/policy/<int:ci_pk>/", rights.policy_edit, name="rights-policy"),
    path("rights/leavers/", leavers.leaver_list, name="rights-leavers"),
    path("rights/leavers/<int:person_pk>/revoke/", leavers.leaver_revoke_all, name="rights-leaver-revoke"),
    path("rights/campaigns/", campaigns.campaign_list, name="rights-campaigns"),
    path("rights/campaigns/new/", campaigns.campaign_start, name="rights-campaign-start"),
    path("rights/campaigns/<int:pk>/", campaigns.campaign_review, name="rights-campaign-review"),
    path("rights/campaigns/<int:pk>/report/", campaigns.campaign_report, name="rights-campaign-report"),
    path("rights/campaigns/<int:pk>/report.csv", campaigns.report_csv, name="rights-campaign-report-csv"),
    path("rights/campaigns/<int:pk>/report.xlsx", campaigns.report_xlsx, name="rights-campaign-report-xlsx"),
    path(
        "rights/campaigns/<int:pk>/items/<int:item_pk>/confirm/",
        campaigns.item_confirm,
        name="rights-item-confirm",
    ),
    path(
        "rights/campaigns/<int:pk>/items/<int:item_pk>/revoke/",
        campaigns.item_revoke,
        name="rights-item-revoke",
    ),
    path("portal/rights/", rights.my_rights, name="portal-rights"),
]
