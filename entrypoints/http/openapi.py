"""What each route declares in the OpenAPI document beyond its signature: the problems it can
answer (RFC 9457 bodies under `application/problem+json`), and the operation class that adds
what a ResponseSpec cannot say (headers, a second media type, a hand-read body, no key).

A route says it in one line: `@get(..., **documented(404))` for a route behind a key,
`@get(..., **public())` for one that needs none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

import msgspec
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Operation, Schema
from litestar.typing import FieldDefinition

from askdocs.entrypoints.http.operations import PROBLEM_JSON, ApiOperation, PublicOperation

KEYED = (401, 429, 503, 504)
"""What every route behind a key can answer: no (known) key; too many failed sign-ins from the
address; the key store or another backend down or too slow (errors.PROBLEMS maps
UpstreamUnavailable and UpstreamTimeout)."""
JSON_BODY = (400, 413, 415, 422)
"""What a route taking a JSON body can answer besides: JSON that does not parse, a body over
the route's limit, another content type, values or types it does not accept."""

PROBLEM_DESCRIPTIONS: dict[int, str] = {
    400: "Bad request: a body that is not well-formed (JSON that does not parse, a broken "
    "multipart form).",
    401: "Unauthenticated: no API key, or one askdocs does not know; `WWW-Authenticate` says "
    "how to present one.",
    403: "Forbidden: the key's role does not allow this route.",
    404: "Not found: no such document, version or session, or not the caller's.",
    409: "Conflict: the request contradicts the document's state (restoring a live document, "
    "changing a deleted one, retrying or deleting a version that has not failed).",
    413: "Payload too large: the body is over the route's limit (the upload limit for files, "
    "far less for JSON bodies).",
    415: "Unsupported media type: the bytes are of a type askdocs does not read (judged from "
    "the content, not the name), or a body sent under a Content-Type the route does not "
    "take (JSON bodies need application/json).",
    422: "Invalid input: well-formed, but values askdocs does not accept (an empty question, "
    "an unknown model or field, a value of the wrong type, a malformed tag or session id, text "
    "holding a NUL character, a URL it may not or cannot fetch, an empty file); `errors` lists "
    "the fields when a parameter or body field failed validation.",
    429: "Rate limited: a limit is used up (requests of the route's group, or failed sign-ins "
    "from the address); `Retry-After` says in how many seconds to retry.",
    502: "Upstream rejected: a backend (the embedding server) refused the request as such.",
    503: "Service unavailable: a backend askdocs needs (the database, the blob store, or Redis "
    "with limits failing closed) cannot be reached; nothing was written.",
    504: "Upstream timeout: a backend did not answer in time.",
}


class ProblemDetails(msgspec.Struct, frozen=True, kw_only=True):
    """An RFC 9457 problem: what every error response of askdocs carries."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | msgspec.UnsetType = msgspec.UNSET


class Declaration(TypedDict):
    """Route handler keyword arguments for the OpenAPI document."""

    responses: dict[int, ResponseSpec]
    operation_class: type[Operation]


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """A problem+json response for each status (a key of PROBLEM_DESCRIPTIONS)."""
    return {
        status: ResponseSpec(
            ProblemDetails,
            description=PROBLEM_DESCRIPTIONS[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in sorted(statuses)
    }


def documented(
    *statuses: int,
    operation: type[ApiOperation] = ApiOperation,
    responses: Mapping[int, ResponseSpec] | None = None,
) -> Declaration:
    """A route behind a key: the problem `statuses` it can answer besides KEYED, further
    `responses` (another success), and the operation class that completes them."""
    return {
        "responses": {**problems(*KEYED, *statuses), **(responses or {})},
        "operation_class": operation,
    }


def public(*statuses: int, responses: Mapping[int, ResponseSpec] | None = None) -> Declaration:
    """A route anyone may call: `security: []`, and only the problems it names."""
    return {
        "responses": {**problems(*statuses), **(responses or {})},
        "operation_class": PublicOperation,
    }


class ClosedBodySchemaPlugin(StructSchemaPlugin):
    """Bodies that refuse unknown fields (`forbid_unknown_fields`) say so in their schema
    (`additionalProperties: false`); Litestar's own Struct plugin leaves them open."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        if not super().is_plugin_supported_field(field_definition):
            return False
        info = msgspec.inspect.type_info(field_definition.type_)
        return bool(getattr(info, "forbid_unknown_fields", False))

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema
