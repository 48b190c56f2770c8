"""The security pages: each view module keeps its own routes (`urlpatterns`)."""

from .views import dashboard, incidents, measures, officers, privacy, risks

urlpatterns = [
    *dashboard.urlpatterns,
    *measures.urlpatterns,
    *risks.urlpatterns,
    *incidents.urlpatterns,
    *privacy.urlpatterns,
    *officers.urlpatterns,
]
