"""Request input taken strictly: JSON bodies decoded straight into their handler's type, and
no NUL character anywhere (PostgreSQL text cannot hold one, and every backend must answer
alike).

Litestar decodes a body into generic Python objects first and converts them afterwards, with
lax rules: a body nested 100,000 deep exhausts the stack in that first step (a 500), and
`"5"` passes for an integer. Decoding the bytes into the handler's `data` type in one step
refuses a wrong shape at its first byte and takes every type as declared.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, ValidationException

from askdocs.application.errors import InvalidInput, UnsupportedMediaType

_JSON_TYPES = ("application/json",)


class TypedJsonRequest(Request[Any, Any, Any]):
    """A request whose JSON body becomes the handler's `data` type, or a 4xx."""

    async def json(self) -> Any:
        field = self.route_handler.parsed_data_field
        if field is None:
            return await super().json()
        media_type = self.content_type[0]
        if media_type not in _JSON_TYPES and not media_type.endswith("+json"):
            raise UnsupportedMediaType(
                f"send this body as JSON, with Content-Type: application/json (not {media_type!r})"
            )
        body = await self.body()
        if b"\\u0000" in body:
            # PostgreSQL text cannot hold NUL: refused here alike on every backend.
            raise InvalidInput("text may not contain NUL characters (\\u0000)")
        try:
            return msgspec.json.decode(body, type=field.annotation, strict=True)
        except msgspec.ValidationError as exc:
            raise ValidationException(
                detail=f"Validation failed for {self.method} {self.url.path}",
                extra=[{"message": str(exc), "source": "body"}],
            ) from exc
        except msgspec.DecodeError as exc:
            raise ClientException(detail=f"the body is not valid JSON: {exc}") from exc


async def refuse_nul_characters(request: Request[Any, Any, Any]) -> None:
    """`before_request` hook: a NUL in a query or path parameter is a 422 on every backend."""
    values = [*request.query_params.values(), *map(str, request.path_params.values())]
    if any("\x00" in value for value in values):
        raise InvalidInput("parameters may not contain NUL characters (%00)")
