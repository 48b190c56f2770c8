"""The testing pages: each view module keeps its own routes (`urlpatterns`)."""

from .views import plan, portal, report, runs, sessions

urlpatterns = [
    *plan.urlpatterns,
    *runs.urlpatterns,
    *sessions.urlpatterns,
    *report.urlpatterns,
    *portal.urlpatterns,
]
