"""The REST API root: authentication, error mapping and the routers of each app, under /api/v1/."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from http.client import responses as http_responses
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger, _csrf_needed
from ninja.openapi.schema import BODY_CONTENT_TYPES, REF_TEMPLATE, OpenAPISchema
from ninja.schema import NinjaGenerateJsonSchema
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

import beheer
from beheer.accounts.services import user_for_token
from beheer.core import access
from beheer.core.errors import DomainError
from beheer.core.schemas import ErrorOut, Schema


def _as_token_user(request: HttpRequest, user: Any) -> Any:
    if user is not None:
        request.user = user
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
    return user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _as_token_user(request, user_for_token(token))


class TokenHeader(APIKeyHeader):
    """`Authorization: Token <secret>` as an alternative spelling."""

    param_name = "Authorization"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key or not key.startswith("Token "):
            return None
        return _as_token_user(request, user_for_token(key.removeprefix("Token ").strip()))


class ActiveSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


class LocalSwagger(Swagger):
    """The interactive documentation with Swagger UI from our own static files (static/vendor/swagger-ui,
    see VERSIONS), set up by static/js/api-docs.js: no CDN and no inline script, so the page carries
    the same Content-Security-Policy as every other page."""

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        config = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_config": config, "api": api, "add_csrf": _csrf_needed(api)}
        return render(request, self.template, context)


class Document(OpenAPISchema):
    """The OpenAPI document, with the error answers the API root gives on any operation they apply
    to, next to those each route declares: 401 where a sign-in is required, 422 where there are
    parameters or a body to validate, 413 where there is a body (the handlers below)."""

    def responses(self, operation: Any) -> dict[int, Any]:
        result = super().responses(operation)
        sources = {model.__ninja_param_source__ for model in operation.models}
        shared = {
            401: bool(operation.auth_callbacks),
            413: bool(sources & set(BODY_CONTENT_TYPES)),
            422: bool(sources),
        }
        wanted = [status for status, applies in shared.items() if applies and status not in result]
        if wanted:
            schema = ErrorOut.model_json_schema(
                ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
            )
            self.add_schema_definitions({"ErrorOut": schema})
            reference = {"$ref": REF_TEMPLATE.format(model="ErrorOut")}
            for status in wanted:
                content = {self.api.renderer.media_type: {"schema": reference}}
                result[status] = {"description": http_responses[status], "content": content}
        return result


class BeheerAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        """django-ninja's ``<module>_<function>``, with the module an operation was first published in
        when it has moved since (its module's ``PUBLISHED_IN``): clients generated from the document
        name their methods after these ids, so moving a route to another file must not rename it."""
        view = operation.view_func
        module = getattr(sys.modules.get(view.__module__), "PUBLISHED_IN", view.__module__)
        return f"{module}_{view.__name__}".replace(".", "_")

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return Document(self, path_prefix)


api = BeheerAPI(
    title="Beheer API",
    version="1",
    description="Servicedesk, knowledge, CMDB and monitoring for ICT-beheerders.",
    auth=[BearerToken(), TokenHeader(), ActiveSession()],
    urls_namespace="api",
    docs_url="/docs",
    docs=LocalSwagger(),
    openapi_url="/openapi.json",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"error": code, "detail": message}
    if fields:
        body["fields"] = fields
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status_code, exc.code, exc.message, exc.field_errors)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "header")]
        fields[".".join(loc) or "body"] = str(err.get("msg", "invalid"))
    return _error(request, 422, "validation", _("The request is not valid."), fields)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def value_out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A safety net: a number past what the database stores (SQLite raises OverflowError, psycopg's
    NumericValueOutOfRange arrives as DataError) that no schema stopped is bad input, not a crash."""
    return _error(request, 400, "out_of_range", _("A number in the request is out of range."))


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthorized", _("Authentication required."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "error", str(exc))


def refused_request(request: HttpRequest, exc: Exception | None) -> HttpResponse | None:
    """The JSON answer to a request Django refuses while reading its body, or None."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _error(
            request,
            413,
            "too_large",
            _("The request body is larger than the limit of %(limit)s bytes.") % {"limit": limit},
        )
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        message = _("The request has more than %(limit)s fields.") % {"limit": limit}
        return _error(request, 400, "too_many_fields", message)
    if isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        message = _("The request has more than %(limit)s files.") % {"limit": limit}
        return _error(request, 400, "too_many_files", message)
    return None


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def body_refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = refused_request(request, exc)
    assert response is not None
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 400 handler (beheer/urls.py): under /api/ the API's JSON error shape, also when the
    body was refused before the API saw the request (the CSRF check of a session reads it first)."""
    if request.path.startswith("/api/"):
        return refused_request(request, exception) or _error(
            request, 400, "bad_request", _("The request is not valid.")
        )
    from django.views.defaults import bad_request as html_bad_request

    return html_bad_request(request, exception)  # type: ignore[arg-type]


class HealthOut(Schema):
    status: str
    version: str
    database: str


@api.get("/health", response=HealthOut, auth=None, tags=["system"])
def health(request: HttpRequest) -> dict[str, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return {"status": "ok", "version": beheer.__version__, "database": connection.vendor}


def _mount() -> None:
    from beheer.accounts.api import router as accounts_router
    from beheer.calendars.api import router as calendars_router
    from beheer.changes.api import router as changes_router
    from beheer.changes.api.evaluation import portal_router as change_feedback_router
    from beheer.changes.api.evaluation import router as change_evaluation_router
    from beheer.changes.api.execution import router as change_execution_router
    from beheer.changes.api.needs import portal_router as change_needs_portal_router
    from beheer.changes.api.needs import router as change_needs_router
    from beheer.changes.api.others import approvals_router as change_approvals_router
    from beheer.changes.api.others import portal_router as change_portal_router
    from beheer.changes.api.others import projects_router as change_projects_router
    from beheer.changes.api.others import settings_router as change_settings_router
    from beheer.changes.api.plan import calendar_router as change_calendar_router
    from beheer.changes.api.plan import router as change_plans_router
    from beheer.changes.api.templates import router as change_templates_router
    from beheer.cmdb.api import router as cmdb_router
    from beheer.cmdb.api.contracts import router as cmdb_contracts_router
    from beheer.cmdb.api.imports import export_router as cmdb_export_router
    from beheer.cmdb.api.imports import router as cmdb_imports_router
    from beheer.cmdb.api.licences import router as cmdb_licences_router
    from beheer.cmdb.api.network import router as cmdb_network_router
    from beheer.knowledge.api import router as knowledge_router
    from beheer.mailintake.api import router as mail_router
    from beheer.monitoring.api import router as monitoring_router
    from beheer.notifications.api import router as notifications_router
    from beheer.operations.api import router as operations_router
    from beheer.problems.api import router as problem_router
    from beheer.reports.api import router as reports_router
    from beheer.rights.api import router as rights_router
    from beheer.security.api.incidents import router as security_incidents_router
    from beheer.security.api.measures import router as security_measures_router
    from beheer.security.api.officers import router as security_officers_router
    from beheer.security.api.privacy import router as security_privacy_router
    from beheer.security.api.risks import router as security_risks_router
    from beheer.servicedesk.api import router as servicedesk_router
    from beheer.testing.api.plan import router as testing_plan_router
    from beheer.testing.api.report import router as testing_report_router
    from beheer.testing.api.runs import router as testing_runs_router
    from beheer.testing.api.sessions import portal_router as acceptance_portal_router
    from beheer.testing.api.sessions import router as testing_sessions_router

    api.add_router("/", accounts_router)
    api.add_router("/", servicedesk_router)
    api.add_router("/sla", calendars_router)
    api.add_router("/reports", reports_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/knowledge", knowledge_router)
    api.add_router("/monitoring", monitoring_router)
    api.add_router("/operations", operations_router)
    api.add_router("/mail", mail_router)
    api.add_router("/problems", problem_router)
    api.add_router("/rights", rights_router)
    api.add_router("/cmdb/licences", cmdb_licences_router)
    api.add_router("/cmdb/contracts", cmdb_contracts_router)
    api.add_router("/cmdb", cmdb_router)
    api.add_router("/cmdb/imports", cmdb_imports_router)
    api.add_router("/cmdb/export", cmdb_export_router)
    api.add_router("/cmdb/network", cmdb_network_router)
    api.add_router("/changes", changes_router)
    api.add_router("/change-approvals", change_approvals_router)
    api.add_router("/change-projects", change_projects_router)
    api.add_router("/change-settings", change_settings_router)
    api.add_router("/change-templates", change_templates_router)
    api.add_router("/portal/changes", change_portal_router)
    api.add_router("/changes", change_needs_router)
    api.add_router("/portal/changes", change_needs_portal_router)
    api.add_router("/change-execution", change_execution_router)
    api.add_router("/change-evaluation", change_evaluation_router)
    api.add_router("/portal/change-feedback", change_feedback_router)
    api.add_router("/change-plans", change_plans_router)
    api.add_router("/changes-calendar", change_calendar_router)
    api.add_router("/testing", testing_plan_router)
    api.add_router("/testing", testing_runs_router)
    api.add_router("/testing", testing_sessions_router)
    api.add_router("/testing", testing_report_router)
    api.add_router("/security", security_measures_router)
    api.add_router("/security", security_risks_router)
    api.add_router("/security", security_incidents_router)
    api.add_router("/security", security_privacy_router)
    api.add_router("/security", security_officers_router)
    api.add_router("/portal/acceptance", acceptance_portal_router)


def operations_of(ninja_api: NinjaAPI) -> Iterator[tuple[Any, access.Gate | None]]:
    """Every operation the API serves (django-ninja serves bound copies of the routers' operations),
    with the audience its function or router declares; a nested router without a declaration of its
    own has its parent's."""
    parents: dict[int, Any] = {}
    for bound in ninja_api._get_bound_routers():
        for _prefix, child, *_rest in bound.template._routers:
            parents[id(child)] = bound.template
    for bound in ninja_api._get_bound_routers():
        router: Any = bound.template
        declared = getattr(router, access.GATE_ATTR, None)
        while declared is None and id(router) in parents:
            router = parents[id(router)]
            declared = getattr(router, access.GATE_ATTR, None)
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                yield operation, getattr(operation.view_func, access.GATE_ATTR, None) or declared


def _guard_operation(operation: Any, declared: access.Gate) -> None:
    """After authentication (401) and before the parameters are read: the audience's refusal (403, or
    404 for a hidden one), so a role below it learns nothing from validation errors either."""
    checks = operation._run_checks

    def run_checks(request: HttpRequest) -> HttpResponse | None:
        refused: HttpResponse | None = checks(request)
        if refused is not None:
            return refused
        try:
            access.check_api(declared, getattr(request, "auth", None))
        except DomainError as exc:
            return domain_error(request, exc)
        return None

    operation._run_checks = run_checks
    operation.beheer_gate = declared


def guard_operations(*, strict: bool = True) -> list[str]:
    """Put every API operation behind the gate its router or function declares (core/access.py).
    An operation without authentication (``auth=None``: webhooks, pings, the public status) is open
    to anyone by that declaration."""
    missing: list[str] = []
    for operation, declared in operations_of(api):
        if getattr(operation, "beheer_gate", None) is not None:
            continue
        if not operation.auth_callbacks:
            operation.beheer_gate = access.PUBLIC
            continue
        if declared is None:
            where = f"{operation.view_func.__module__}.{operation.view_func.__name__}"
            if strict:
                raise access.missing_gate(where)
            missing.append(where)
            continue
        if declared.audience > access.Audience.ANONYMOUS:
            _guard_operation(operation, declared)
        else:
            operation.beheer_gate = declared
    return missing


_mount()
UNGUARDED = guard_operations()
