"""OpenAPI operation classes: what Litestar's ResponseSpec cannot say about a route.

A ResponseSpec declares one body in one media type and no headers, and a route whose body is
read by hand declares none. Litestar builds every operation through the handler's
`operation_class`; these classes complete the operation there, from what it already declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, cast

import msgspec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
)

from askdocs.adapters.parsing.sniffing import DOCX, HTML, MARKDOWN, PDF, PLAIN_TEXT
from askdocs.entrypoints.http.openai_errors import OpenAIError
from askdocs.entrypoints.http.schemas import UrlUpload

PROBLEM_JSON = "application/problem+json"
EVENT_STREAM = "text/event-stream"
OPENAI_COMPATIBLE_TAG = "openai-compatible"
"""The tag of the routes whose errors are OpenAI's shape (openai_errors.py), not problems."""


def _header(description: str, kind: OpenAPIType, *, required: bool = False) -> OpenAPIHeader:
    return OpenAPIHeader(schema=Schema(type=kind), description=description, required=required)


REQUEST_ID = _header(
    "The request's id: the client's `X-Request-ID` when well-formed, else a new one.",
    OpenAPIType.STRING,
    required=True,
)
RATE_LIMIT = {
    "RateLimit-Limit": "Requests the most restrictive applicable limit allows per window.",
    "RateLimit-Remaining": "Requests left in that window.",
    "RateLimit-Reset": "Seconds until that window resets.",
}
STATUS_HEADERS: dict[str, dict[str, OpenAPIHeader]] = {
    "401": {
        "WWW-Authenticate": _header(
            "How to present a key: `Bearer`, or the `X-API-Key` header.",
            OpenAPIType.STRING,
            required=True,
        )
    },
    "429": {
        "Retry-After": _header("Seconds to wait.", OpenAPIType.INTEGER, required=True),
        **{n: _header(d, OpenAPIType.INTEGER, required=True) for n, d in RATE_LIMIT.items()},
    },
}
"""Headers a problem of that status always carries (errors.py and rate_limiting.py set them)."""


@dataclass
class ApiOperation(Operation):
    """An operation of a route behind a key.

    Litestar declares a 400 for parameter validation failures, which askdocs answers 422
    (errors.http_to_problem); a 4xx declared without a problem body is that guess, dropped. Each
    response declares `X-Request-ID`; a 401 or 429 the headers it carries; an operation that
    can answer 429 counts against a rate limit, so its successes declare RateLimit-* too. A
    text parameter that states no pattern of its own says it holds no NUL character
    (bodies.refuse_nul_characters answers 422 for one).
    """

    def __post_init__(self) -> None:
        for parameter in self.parameters or []:
            if isinstance(parameter, Parameter) and isinstance(parameter.schema, Schema):
                _refuse_nul(parameter.schema)
        responses = dict(sorted((self.responses or {}).items()))
        for status in [s for s, r in responses.items() if _framework_guess(s, r)]:
            del responses[status]
        self.responses = responses
        limited = "429" in responses
        for status, response in responses.items():
            if not isinstance(response, OpenAPIResponse):
                continue
            headers = {**(response.headers or {}), "X-Request-ID": REQUEST_ID}
            if "last-modified" in headers:  # Litestar says RFC 3339; a File sends an HTTP date
                headers["last-modified"] = _header("An HTTP date (RFC 9110).", OpenAPIType.STRING)
            headers.update(STATUS_HEADERS.get(status, {}))
            if limited and status.startswith("2"):
                headers.update({n: _header(d, OpenAPIType.INTEGER) for n, d in RATE_LIMIT.items()})
            response.headers = headers
            if OPENAI_COMPATIBLE_TAG in (self.tags or []) and PROBLEM_JSON in (
                response.content or {}
            ):
                response.content = {"application/json": OpenAPIMediaType(schema=OPENAI_ERROR)}


def _inline_schema(struct: type[msgspec.Struct]) -> Schema:
    """`struct`'s JSON schema with its nested definitions inlined: a schema msgspec makes
    renders as it is, and the document's components need not know it."""
    (reference,), definitions = msgspec.json.schema_components([struct])

    def inline(node: object) -> object:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].rsplit("/", 1)[1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return cast(Schema, inline(reference))


OPENAI_ERROR = _inline_schema(OpenAIError)


WITHOUT_NUL = "^[^\\u0000]*$"


def _refuse_nul(schema: Schema) -> None:
    """`schema`, and each text alternative in it, admits no NUL unless it has its own pattern."""
    if schema.type == OpenAPIType.STRING and schema.pattern is None:
        schema.pattern = WITHOUT_NUL
    for alternative in [*(schema.one_of or []), *(schema.any_of or [])]:
        if isinstance(alternative, Schema):
            _refuse_nul(alternative)


def _framework_guess(status: str, response: object) -> bool:
    if not status.startswith("4") or not isinstance(response, OpenAPIResponse):
        return False
    return PROBLEM_JSON not in (response.content or {})


@dataclass
class PublicOperation(ApiOperation):
    """An operation anyone may call: no key, whatever the document's default requirement."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.security = []


def _event(description: str, names: list[str] | None = None) -> Schema:
    """One Server-Sent Event as a client parses it: its `event` name and its `data` line."""
    properties: dict[str, Schema | Reference] = {
        "data": Schema(type=OpenAPIType.STRING, description=description)
    }
    if names:
        properties["event"] = Schema(type=OpenAPIType.STRING, enum=names)
    return Schema(
        type=OpenAPIType.OBJECT,
        properties=properties,
        required=sorted(properties),
        description="One event of the stream; comment lines (`: ping`) keep it alive.",
    )


@dataclass
class AnswerStreamOperation(ApiOperation):
    """An answer that may come as Server-Sent Events instead of JSON (`stream: true`, or
    `Accept: text/event-stream`): `meta`, `delta`..., then `done` or `error`."""

    events: ClassVar[Schema] = _event("JSON.", ["meta", "delta", "done", "error"])

    def __post_init__(self) -> None:
        super().__post_init__()
        answer = (self.responses or {}).get("200")
        if isinstance(answer, OpenAPIResponse):
            streamed = OpenAPIMediaType(schema=self.events)
            answer.content = {**(answer.content or {}), EVENT_STREAM: streamed}


@dataclass
class CompletionStreamOperation(AnswerStreamOperation):
    """OpenAI's stream: unnamed events, each a `chat.completion.chunk`, then `[DONE]`."""

    events: ClassVar[Schema] = _event("A `chat.completion.chunk` as JSON, or `[DONE]` last.")


@dataclass
class UploadOperation(ApiOperation):
    """A document upload: the handler reads a multipart form or a JSON body by hand, so
    neither appears in its signature; both are declared here. Its answers name the version's
    status URL in `Location`."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.request_body = RequestBody(content=UPLOAD_BODIES, required=True)
        location = _header("The version's status URL.", OpenAPIType.STRING, required=True)
        for status, response in (self.responses or {}).items():
            if status.startswith("2") and isinstance(response, OpenAPIResponse):
                response.headers = {**(response.headers or {}), "Location": location}


_FORM = Schema(
    type=OpenAPIType.OBJECT,
    properties={
        "file": Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.BINARY,
            content_media_type="application/octet-stream",
            description="The document: PDF, DOCX, HTML, Markdown or plain text.",
        ),
        # Untyped: a form field is text whatever it was made from, and an absent or repeated
        # one is accepted (the first counts).
        "tags": Schema(description="Comma-separated tags."),
    },
    required=["file"],
)
_URL_UPLOAD = msgspec.json.schema_components([UrlUpload])[1]["UrlUpload"]
UPLOAD_BODIES = {
    "multipart/form-data": OpenAPIMediaType(schema=_FORM),
    # The schema msgspec decodes the body with; a plain mapping renders as it is.
    "application/json": OpenAPIMediaType(schema=cast(Schema, _URL_UPLOAD)),
}


@dataclass
class OriginalFileOperation(ApiOperation):
    """A stored original, answered under the media type it was recognised as."""

    def __post_init__(self) -> None:
        super().__post_init__()
        original = (self.responses or {}).get("200")
        if isinstance(original, OpenAPIResponse):
            raw = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            original.content = {
                kind: OpenAPIMediaType(raw) for kind in (PDF, DOCX, HTML, MARKDOWN, PLAIN_TEXT)
            }
