"""The security pages: each view module keeps its own routes (`urlpatterns`)."""

from .views import dashboard, incidents, measures, officers, privacy, risks, risks_classification

urlpatterns = [
    *dashboard.urlpatterns,
    *measures.urlpatterns,
    *risks.urlpatterns,
    *risks_classification.urlpatterns,
    *incidents.urlpatterns,
    *privacy.urlpatterns,
    *officers.urlpatterns,
]
