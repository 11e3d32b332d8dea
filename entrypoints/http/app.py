"""The Litestar application, assembled from a container."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin

import askdocs
from askdocs.entrypoints.container import Container, build_container
from askdocs.entrypoints.http.audit import audit_writes
from askdocs.entrypoints.http.bodies import TypedJsonRequest, refuse_nul_characters
from askdocs.entrypoints.http.errors import problem_map, unexpected_error
from askdocs.entrypoints.http.head_requests import HeadAnsweringLitestar
from askdocs.entrypoints.http.lifecycle import shutdown_hooks, startup_hooks
from askdocs.entrypoints.http.openapi import ClosedBodySchemaPlugin
from askdocs.entrypoints.http.options import complete_allow_header
from askdocs.entrypoints.http.rate_limiting import (
    FailedSignInLimitMiddleware,
    RateLimitMiddleware,
    add_rate_limit_headers,
)
from askdocs.entrypoints.http.request_context import RequestContextMiddleware, stamp_response
from askdocs.entrypoints.http.request_metrics import RequestMetrics
from askdocs.entrypoints.http.routes.audit import audit_trail
from askdocs.entrypoints.http.routes.chat import ChatController
from askdocs.entrypoints.http.routes.documents import DocumentController
from askdocs.entrypoints.http.routes.feedback import FeedbackController
from askdocs.entrypoints.http.routes.keys import KeyController
from askdocs.entrypoints.http.routes.openai_compat import OpenAICompatibleController
from askdocs.entrypoints.http.routes.operations import (
    live,
    me,
    metrics,
    rate_limit_status,
    ready,
)
from askdocs.entrypoints.http.routes.page import page, static_files
from askdocs.entrypoints.http.security import (
    CredentialAuthenticationMiddleware,
    add_security_headers,
)
from askdocs.entrypoints.http.tracing import TracingMiddleware
from askdocs.entrypoints.logging import configure_logging_from
from askdocs.entrypoints.readiness import Readiness
from askdocs.entrypoints.settings import Settings, load_settings

MULTIPART_OVERHEAD = 64 * 1024
"""Room for multipart boundaries and headers above the largest accepted file."""


def _provide(factory: Callable[[], Any]) -> Provide:
    """Bridge a container provider into Litestar's dependency injection."""
    return Provide(lambda: factory(), sync_to_thread=False, use_cache=True)


def create_app(container: Container) -> Litestar:
    """The HTTP API over `container`'s use cases."""
    settings = container.settings()
    trusted = frozenset(
        filter(None, (p.strip() for p in settings.server.trusted_proxies.split(",")))
    )
    dependencies = {
        name: _provide(getattr(container, name))
        for name in (
            "ask_question",
            "reset_conversation",
            "submit_document",
            "submit_url",
            "retry_ingestion",
            "delete_version",
            "list_documents",
            "get_document",
            "read_original",
            "give_feedback",
            "list_feedback",
            "change_document",
            "rate_limit_status",
            "create_api_key",
            "list_api_keys",
            "revoke_api_key",
            "list_audit_events",
        )
    }
    dependencies["metrics_backend"] = _provide(container.metrics)
    dependencies["trusted_proxies"] = Provide(lambda: trusted, sync_to_thread=False)
    upload_limit = settings.documents.max_upload_bytes
    dependencies["max_upload_bytes"] = Provide(lambda: upload_limit, sync_to_thread=False)
    readiness = Readiness.of(container)
    request_metrics = RequestMetrics(container.metrics())
    dependencies["readiness"] = Provide(lambda: readiness, sync_to_thread=False)
    return HeadAnsweringLitestar(
        route_handlers=[
            ChatController,
            OpenAICompatibleController,
            DocumentController,
            FeedbackController,
            KeyController,
            audit_trail,
            page,
            static_files(),
            live,
            ready,
            metrics,
            rate_limit_status,
            me,
        ],
        dependencies=dependencies,
        middleware=[
            RequestContextMiddleware(),
            TracingMiddleware(container.tracer()),
            request_metrics.middleware,
            FailedSignInLimitMiddleware(container.limit_failed_sign_ins(), trusted),
            DefineMiddleware(
                CredentialAuthenticationMiddleware, authenticate=container.authenticate_caller()
            ),
            RateLimitMiddleware(container.enforce_rate_limit(), trusted, container.tracer()),
        ],
        before_send=[
            stamp_response,
            request_metrics.before_send,
            add_rate_limit_headers,
            add_security_headers,
            complete_allow_header,
            audit_writes(container.record_write(), trusted),
        ],
        cors_config=_cors(settings.cors.origins),
        on_startup=startup_hooks(container),
        on_shutdown=shutdown_hooks(container),
        plugins=[
            ProblemDetailsPlugin(
                ProblemDetailsConfig(exception_to_problem_detail_map=problem_map())
            ),
            ClosedBodySchemaPlugin(),
        ],
        exception_handlers={500: unexpected_error},
        request_max_body_size=settings.documents.max_upload_bytes + MULTIPART_OVERHEAD,
        request_class=TypedJsonRequest,
        before_request=refuse_nul_characters,
        openapi_config=OpenAPIConfig(
            title="askdocs",
            version=askdocs.__version__,
            description="Retrieval-augmented chat over your own documents.",
            components=Components(
                security_schemes={
                    "apiKey": SecurityScheme(
                        type="apiKey", name="X-API-Key", security_scheme_in="header"
                    ),
                    "bearer": SecurityScheme(type="http", scheme="bearer"),
                }
            ),
            security=[{"apiKey": []}, {"bearer": []}],
            # The schema as JSON only: the HTML viewers load scripts from a CDN, which the
            # Content-Security-Policy forbids and an offline machine cannot reach.
            render_plugins=[JsonRenderPlugin()],
        ),
        logging_config=None,
        debug=False,
    )


def _cors(origins: list[str]) -> CORSConfig | None:
    """Browsers on `origins` may call the API (preflights answered before authentication),
    sending a key and reading the request id and rate-limit headers; none without origins."""
    if not origins:
        return None
    return CORSConfig(
        allow_origins=origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["authorization", "content-type", "x-api-key", "x-request-id"],
        expose_headers=["x-request-id", "ratelimit-limit", "ratelimit-remaining",
                        "ratelimit-reset", "retry-after"],
        max_age=600,
    )  # fmt: skip


def create_app_from_environment() -> Litestar:
    """Factory for ASGI servers: settings from ASKDOCS_* variables."""
    return create_app_from_settings(load_settings())


def create_app_from_settings(settings: Settings) -> Litestar:
    """The app for `settings`, with logging configured and a line saying where data lives."""
    configure_logging_from(settings.log, role="serve")
    container = build_container(settings)
    app = create_app(container)
    documents = container.config.documents.backend()
    structlog.get_logger("askdocs").info(
        "askdocs_configured",
        documents=documents,
        index=container.config.index.backend(),
        note="embedded mode: documents live in memory and vanish when the process stops"
        if documents == "memory"
        else None,
    )
    return app
