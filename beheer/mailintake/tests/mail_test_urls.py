"""URLs for the mail screen and API tests: the project's URLs plus the e-mail channel's screens and an
API with the project's authentication and error mapping that mounts the mail router."""

from django.urls import include, path
from ninja import NinjaAPI

from beheer.api import ActiveSession, BearerToken, api
from beheer.mailintake.api import router
from beheer.urls import urlpatterns as project_urlpatterns

mail_api = NinjaAPI(auth=[BearerToken(), ActiveSession()], urls_namespace="mail-test-api", docs_url=None)
for exception, handler in api._exception_handlers.items():
    mail_api.add_exception_handler(exception, handler)
mail_api.add_router("/mail", router)

urlpatterns = [
    *project_urlpatterns,
    path("", include("beheer.mailintake.urls")),
    path("mail-test-api/", mail_api.urls),
]
