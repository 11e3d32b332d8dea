"""The OpenAPI document tells the truth: what a request really gets is what the document
declares for its route (status, media type, headers), and the public routes need no key."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from askdocs.entrypoints.http.security import PUBLIC_PATHS
from tests.http.conftest import PROBLEM_JSON, UPLOAD_LIMIT

METHODS = ("get", "put", "post", "patch", "delete")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
MARKDOWN = b"# Parking\n\nParking permits cost forty euros per month.\n"
RATE_LIMITED = {
    ("post", "/api/v1/chat"),
    ("post", "/v1/chat/completions"),
    ("post", "/api/v1/docs"),
    ("put", "/api/v1/docs/{document_id}"),
    ("patch", "/api/v1/docs/{document_id}"),
    ("delete", "/api/v1/docs/{document_id}"),
    ("post", "/api/v1/docs/{document_id}/restore"),
    ("post", "/api/v1/docs/{document_id}/versions/{version}/retry"),
    ("delete", "/api/v1/docs/{document_id}/versions/{version}"),
}


@pytest.fixture
async def document(api) -> dict[str, Any]:
    schema = (await api.client.get("/schema/openapi.json")).json()
    return dict(schema)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def is_public(path: str) -> bool:
    return any(re.search(pattern, path) for pattern in PUBLIC_PATHS)


def concrete(path: str, document_id: str = "no-such-document") -> str:
    return (
        path.replace("{document_id}", document_id)
        .replace("{version}", "1")
        .replace("{session_id}", "no-such-session")
    )


def assert_declared(document: dict[str, Any], method: str, path: str, response: Any) -> None:
    """The response's status is declared for the route, in the media type it came in, with the
    headers the document says it always carries."""
    declared = document["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in declared, f"{method.upper()} {path} answered undeclared {status}"
    media_type = response.headers.get("content-type", "").split(";")[0]
    if media_type and response.status_code != 204:
        assert media_type in declared[status].get("content", {}), (method, path, status)
    for name, header in declared[status].get("headers", {}).items():
        if header.get("required"):
            assert name in response.headers, (method, path, status, name)


async def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


async def test_the_document_carries_no_made_up_examples(document):
    # Litestar makes examples up (random strings, through polyfactory and Faker) for a declared
    # response unless told not to: they tell a reader nothing, and the image leaves both
    # packages out (ADR 0048).
    assert '"examples"' not in json.dumps(document)


async def test_every_route_behind_a_key_declares_the_401_a_request_without_one_gets(
    api, document, api_error
):
    keyed = [(m, p) for m, p, _ in operations(document) if not is_public(p)]

    for method, path in keyed:
        response = await api.client.request(method, concrete(path))

        api_error(response, 401)
        assert_declared(document, method, path, response)
    assert len(keyed) > 15


async def test_a_reader_on_an_editor_or_admin_route_gets_a_declared_403(api, document, api_error):
    refused = []
    for method, path, _ in operations(document):
        if is_public(path):
            continue
        response = await api.client.request(method, concrete(path), headers=api.auth("reader"))
        assert_declared(document, method, path, response)
        if response.status_code == 403:
            api_error(response, 403)
            refused.append((method, path))

    assert ("post", "/api/v1/docs") in refused
    assert ("get", "/api/v1/feedback") in refused
    assert ("get", "/api/v1/docs") not in refused


async def test_a_missing_document_is_a_declared_404_on_every_route_naming_one(
    api, document, problem
):
    naming = [(m, p) for m, p, _ in operations(document) if "{document_id}" in p]

    for method, path in naming:
        response = await api.client.request(
            method, concrete(path), headers=api.auth("admin"), json={}
        )
        if method == "put":  # the body is checked before the document is looked up
            response = await api.upload("a.md", MARKDOWN, document_id="no-such-document")
        if method != "patch":
            problem(response, 404)
        assert_declared(document, method, path, response)
    assert len(naming) >= 8


async def test_an_unknown_session_is_a_declared_404(api, document, problem):
    path = "/api/v1/chat/sessions/{session_id}"
    response = await api.client.delete(concrete(path), headers=api.auth("reader"))

    problem(response, 404)
    assert_declared(document, "delete", path, response)


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("large.txt", b"a" * (UPLOAD_LIMIT + 1), 413),
        ("scan.pdf", PNG, 415),
        ("empty.txt", b"", 422),
    ],
    ids=["over the limit", "unsupported type", "empty file"],
)
async def test_a_refused_upload_gets_a_declared_problem(api, document, problem, name, data, status):
    created = await api.upload_ok("a.md", MARKDOWN)

    for method, path, response in (
        ("post", "/api/v1/docs", await api.upload(name, data)),
        (
            "put",
            "/api/v1/docs/{document_id}",
            await api.upload(name, data, document_id=created["document_id"]),
        ),
    ):
        problem(response, status)
        assert_declared(document, method, path, response)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/chat", {"question": "   "}),
        ("post", "/api/v1/chat", {"question": "Anything?", "top_k": 0}),
        ("post", "/api/v1/chat", {"question": "Anything?", "temprature": 0.2}),
        ("post", "/v1/chat/completions", {"messages": []}),
        ("post", "/api/v1/feedback", {"trace_id": "not a trace id", "rating": "up"}),
        ("post", "/api/v1/docs", {"url": "not a url"}),
        ("get", "/api/v1/docs?limit=0", None),
        ("get", "/api/v1/feedback?rating=sideways", None),
    ],
)
async def test_a_bad_body_or_parameter_gets_a_declared_422(
    api, document, api_error, method, path, body
):
    response = await api.client.request(method, path, json=body, headers=api.auth("admin"))

    api_error(response, 422)
    assert_declared(document, method, path.partition("?")[0], response)


async def test_text_parameters_say_they_hold_no_nul_which_is_refused_with_a_declared_422(
    api, document, api_error
):
    patterns = [
        schema.get("pattern")
        for _, _, operation in operations(document)
        for parameter in operation.get("parameters", [])
        for schema in [parameter["schema"], *parameter["schema"].get("oneOf", [])]
        if schema.get("type") == "string"
    ]
    assert patterns
    assert all(patterns)
    assert all(re.search(pattern, "with\x00nul") is None for pattern in patterns)

    response = await api.client.get("/api/v1/audit?subject=a%00b", headers=api.auth("admin"))

    api_error(response, 422)
    assert_declared(document, "get", "/api/v1/audit", response)


async def test_a_body_that_is_not_json_gets_a_declared_400(api, document, api_error):
    for path in ("/api/v1/chat", "/v1/chat/completions", "/api/v1/feedback"):
        response = await api.client.post(
            path,
            content=b"{not json",
            headers={**api.auth("admin"), "Content-Type": "application/json"},
        )

        api_error(response, 400)
        assert_declared(document, "post", path, response)


async def test_an_upload_answers_202_then_200_for_the_same_bytes_both_declared(api, document):
    first = await api.upload("a.md", MARKDOWN)
    again = await api.upload("a.md", MARKDOWN)

    assert (first.status_code, again.status_code) == (202, 200)
    for response in (first, again):
        assert_declared(document, "post", "/api/v1/docs", response)
    upload = document["paths"]["/api/v1/docs"]["post"]
    for status in ("200", "202"):
        body = upload["responses"][status]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/UploadAccepted"}
    bodies = upload["requestBody"]["content"]
    assert set(bodies) == {"multipart/form-data", "application/json"}
    assert bodies["multipart/form-data"]["schema"]["required"] == ["file"]
    assert bodies["application/json"]["schema"]["required"] == ["url"]


async def test_chat_and_completions_declare_their_event_streams(api, document):
    asked = await api.chat("Where are bicycles stored?", stream=True)
    completed = await api.client.post(
        "/v1/chat/completions",
        json={"stream": True, "messages": [{"role": "user", "content": "Bicycles?"}]},
        headers=api.auth("reader"),
    )

    for path, response in (("/api/v1/chat", asked), ("/v1/chat/completions", completed)):
        assert response.headers["content-type"].startswith("text/event-stream")
        assert_declared(document, "post", path, response)
        answers = document["paths"][path]["post"]["responses"]["200"]["content"]
        assert set(answers) == {"application/json", "text/event-stream"}


async def test_the_original_file_is_declared_in_its_media_type(api, document):
    created = await api.upload_ok("a.md", MARKDOWN)
    path = "/api/v1/docs/{document_id}/versions/{version}/file"

    response = await api.client.get(
        concrete(path, created["document_id"]), headers=api.auth("reader")
    )

    assert response.status_code == 200
    assert_declared(document, "get", path, response)


async def test_public_routes_declare_no_security_and_the_others_inherit_the_key(api, document):
    public = {(m, p) for m, p, op in operations(document) if op.get("security") == []}

    assert public == {
        ("get", "/"),
        ("get", "/health/live"),
        ("get", "/health/ready"),
        ("get", "/metrics"),
    }
    assert document["security"] == [{"apiKey": []}, {"bearer": []}]
    for method, path in public:
        response = await api.client.request(method, path)
        assert response.status_code == 200
        assert_declared(document, method, path, response)


async def test_every_error_is_declared_as_a_problem_but_openais_in_its_shape(document):
    openai_routes = []
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400 or (path, status) == ("/health/ready", "503"):
                continue
            content = response["content"]
            if path.startswith("/v1/"):
                assert list(content) == ["application/json"], (method, path, status)
                error = content["application/json"]["schema"]["properties"]["error"]
                assert set(error["required"]) == {"message", "type", "code", "param"}
                openai_routes.append((method, path))
                continue
            assert list(content) == [PROBLEM_JSON], (method, path, status)
            schema = content[PROBLEM_JSON]["schema"]
            assert schema == {"$ref": "#/components/schemas/ProblemDetails"}
    problem = document["components"]["schemas"]["ProblemDetails"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert {("get", "/v1/models"), ("post", "/v1/chat/completions")} <= set(openai_routes)


async def test_the_rate_limited_routes_declare_429_and_the_rate_limit_headers(document):
    declaring = {(m, p) for m, p, op in operations(document) if "429" in op["responses"]}
    keyed = {(m, p) for m, p, op in operations(document) if op.get("security") != []}

    # Every route behind a key may answer 429 to an address with too many failed sign-ins.
    assert declaring == keyed
    assert declaring >= RATE_LIMITED
    for method, path in declaring:
        responses = document["paths"][path][method]["responses"]
        assert {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
            responses["429"]["headers"]
        )
        success = next(r for s, r in responses.items() if s.startswith("2"))
        assert "RateLimit-Remaining" in success["headers"]


async def test_a_real_429_is_declared_with_its_headers(start_api, problem):
    limited = await start_api({"ASKDOCS_RATE_LIMIT__READER__CHAT_PER_WINDOW": "1"})
    document = (await limited.client.get("/schema/openapi.json")).json()

    await limited.chat("Where are bicycles stored?")
    response = await limited.chat("Where are bicycles stored?")

    problem(response, 429)
    assert_declared(document, "post", "/api/v1/chat", response)


async def test_request_bodies_refusing_unknown_fields_say_so(document):
    schemas = document["components"]["schemas"]

    for name in ("ChatBody", "DocumentPatch", "FeedbackBody"):
        assert schemas[name]["additionalProperties"] is False
    assert "additionalProperties" not in schemas["CompletionRequest"]


async def test_a_failed_sign_in_429_and_a_json_body_415_are_declared(start_api, problem):
    api = await start_api({"ASKDOCS_RATE_LIMIT__FAILED_SIGN_INS_PER_WINDOW": "1"})
    document = (await api.client.get("/schema/openapi.json")).json()
    wrong_type = await api.client.post(
        "/api/v1/feedback",
        content=b"{}",
        headers={**api.auth("reader"), "Content-Type": "text/plain"},
    )
    await api.client.get("/api/v1/audit", headers={"X-API-Key": "askd_wrong"})

    blocked = await api.client.get("/api/v1/audit", headers=api.auth("admin"))

    problem(wrong_type, 415)
    assert_declared(document, "post", "/api/v1/feedback", wrong_type)
    problem(blocked, 429)
    assert_declared(document, "get", "/api/v1/audit", blocked)
