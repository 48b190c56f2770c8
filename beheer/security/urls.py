"""The security pages: each view module keeps its own routes (`urlpatterns`)."""

from .views import dashboard, incidents, measures, measures_soa, privacy, risks

urlpatterns = [
    *dashboard.urlpatterns,
    *measures.urlpatterns,
    *measures_soa.urlpatterns,
    *risks.urlpatterns,
    *incidents.urlpatterns,
    *privacy.urlpatterns,
]
