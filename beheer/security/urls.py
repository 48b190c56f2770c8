"""The security pages: each view module keeps its own routes (`urlpatterns`)."""

from .views import (
    dashboard,
    incidents,
    measures,
    measures_soa,
    officers,
    privacy,
    risks,
    risks_classification,
)

urlpatterns = [
    *dashboard.urlpatterns,
    *measures.urlpatterns,
    *measures_soa.urlpatterns,
    *risks.urlpatterns,
    *risks_classification.urlpatterns,
    *incidents.urlpatterns,
    *privacy.urlpatterns,
    *officers.urlpatterns,
]
