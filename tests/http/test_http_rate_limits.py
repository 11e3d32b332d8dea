"""Rate limits over HTTP: 429 with Retry-After, RateLimit-* headers, status, client IPs."""

from __future__ import annotations

import pytest

LIMITS = {
    "ASKDOCS_RATE_LIMIT__READER__CHAT_PER_WINDOW": "3",
    "ASKDOCS_RATE_LIMIT__EDITOR__CHAT_PER_WINDOW": "3",
    "ASKDOCS_RATE_LIMIT__EDITOR__WRITES_PER_WINDOW": "2",
}
QUESTION = "Where are bicycles stored?"


@pytest.fixture
async def limited(start_api):
    return await start_api(LIMITS)


def rate_limit_headers(response):
    return {
        name: int(response.headers[name])
        for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
    }


async def test_successful_chats_carry_ratelimit_headers_counting_down(limited):
    remaining = []
    for _ in range(3):
        response = await limited.chat(QUESTION)
        assert response.status_code == 200
        headers = rate_limit_headers(response)
        assert headers["RateLimit-Limit"] == 3
        assert headers["RateLimit-Reset"] >= 1
        assert "Retry-After" not in response.headers
        remaining.append(headers["RateLimit-Remaining"])

    assert remaining == [2, 1, 0]


async def test_the_fourth_chat_in_a_window_is_a_429_problem_with_retry_after(limited, problem):
    for _ in range(3):
        assert (await limited.chat(QUESTION)).status_code == 200

    response = await limited.chat(QUESTION)

    problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1
    headers = rate_limit_headers(response)
    assert headers["RateLimit-Limit"] == 3
    assert headers["RateLimit-Remaining"] == 0
    assert headers["RateLimit-Reset"] == int(response.headers["Retry-After"])


async def test_rate_limit_status_reports_usage_without_counting_itself(limited):
    await limited.chat(QUESTION)

    statuses = [
        (await limited.client.get("/api/v1/rate-limit/status", headers=limited.auth("reader")))
        for _ in range(5)
    ]

    for response in statuses:
        assert response.status_code == 200
        assert "RateLimit-Limit" not in response.headers
        body = response.json()
        assert (body["limit"], body["remaining"], body["used"]) == (3, 2, 1)
        assert body["group"] == "chat"
        assert body["reset"] >= 1
        assert body["groups"]["chat"]["used"] == 1
    assert (await limited.chat(QUESTION)).headers["RateLimit-Remaining"] == "1"


async def test_an_editor_sees_the_document_write_limit_in_its_status(limited):
    await limited.upload_ok("a.txt", b"The first of several notes about the office.")

    body = (
        await limited.client.get("/api/v1/rate-limit/status", headers=limited.auth("editor"))
    ).json()

    assert body["groups"]["document_writes"] == {
        "limit": 2,
        "remaining": 1,
        "used": 1,
        "reset": body["groups"]["document_writes"]["reset"],
    }
    assert body["groups"]["chat"]["used"] == 0
    assert (body["limit"], body["remaining"], body["group"]) == (2, 1, "document_writes")


async def test_document_writes_have_their_own_limit(limited, problem):
    first = await limited.upload("a.txt", b"The first of several notes about the office.")
    second = await limited.upload("b.txt", b"The second of several notes about the office.")
    third = await limited.upload("c.txt", b"The third of several notes about the office.")
    chat = await limited.chat(QUESTION, role="editor")

    assert (first.status_code, second.status_code) == (202, 202)
    assert first.headers["RateLimit-Limit"] == "2"
    problem(third, 429)
    assert "Retry-After" in third.headers
    assert chat.status_code == 200
    assert chat.headers["RateLimit-Remaining"] == "2"


async def test_health_is_not_rate_limited(limited):
    for _ in range(5):
        response = await limited.client.get("/health/live")

        assert response.status_code == 200
        assert "RateLimit-Limit" not in response.headers


async def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(limited):
    # Every request counts against the peer address whatever the header claims, so another
    # reader's first chat finds the per-IP counter the first reader already used up.
    for n in range(3):
        response = await limited.chat(QUESTION, headers={"X-Forwarded-For": f"203.0.113.{n}"})
        assert response.status_code == 200

    response = await limited.chat(
        QUESTION, role="other_reader", headers={"X-Forwarded-For": "198.51.100.9"}
    )

    assert response.status_code == 429


async def test_readers_at_one_address_leave_the_editors_there_their_own_allowance(limited):
    for _ in range(3):
        assert (await limited.chat(QUESTION)).status_code == 200
    assert (await limited.chat(QUESTION, role="other_reader")).status_code == 429

    editor = await limited.chat(QUESTION, role="editor")

    assert editor.status_code == 200
    assert editor.headers["RateLimit-Remaining"] == "2"


async def test_every_x_forwarded_for_line_counts_so_a_client_cannot_rotate_the_first(start_api):
    proxied = await start_api(
        {**LIMITS, "ASKDOCS_SERVER__TRUSTED_PROXIES": "10.0.0.5"},
        client_address=("10.0.0.5", 4711),
    )
    # The client writes its own first line and changes it every time; the trusted proxy
    # appends the address it saw as a second line.
    # Two readers take turns, two chats each: within their own limits, not within the
    # address's.
    statuses = []
    for n, reader in enumerate(["reader", "other_reader", "reader", "other_reader"]):
        headers = [("X-API-Key", proxied.keys[reader]), ("X-Forwarded-For", f"198.51.100.{n}"),
                   ("X-Forwarded-For", "203.0.113.7")]  # fmt: skip
        response = await proxied.client.post(
            "/api/v1/chat", json={"question": QUESTION}, headers=headers
        )
        statuses.append(response.status_code)

    assert statuses == [200, 200, 200, 429]


async def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(start_api):
    proxied = await start_api(
        {**LIMITS, "ASKDOCS_SERVER__TRUSTED_PROXIES": "10.0.0.5, 10.0.0.6"},
        client_address=("10.0.0.5", 4711),
    )
    # The leftmost entries are whatever the client wrote; the address the trusted proxies saw
    # is the rightmost one that is not a proxy.
    client = {"X-Forwarded-For": "not-an-address, 192.0.2.77, 203.0.113.7, 10.0.0.6"}
    for _ in range(3):
        assert (await proxied.chat(QUESTION, headers=client)).status_code == 200

    same_client = await proxied.chat(
        QUESTION, role="other_reader", headers={"X-Forwarded-For": "203.0.113.7"}
    )
    other_client = await proxied.chat(
        QUESTION, role="other_reader", headers={"X-Forwarded-For": "192.0.2.77"}
    )

    assert same_client.status_code == 429
    assert other_client.status_code == 200


async def test_rate_limit_status_sees_the_forwarded_client_of_a_trusted_proxy(start_api):
    proxied = await start_api(
        {**LIMITS, "ASKDOCS_SERVER__TRUSTED_PROXIES": "10.0.0.5"},
        client_address=("10.0.0.5", 4711),
    )
    for _ in range(2):
        await proxied.chat(QUESTION, headers={"X-Forwarded-For": "203.0.113.7"})

    seen = await proxied.client.get(
        "/api/v1/rate-limit/status",
        headers={**proxied.auth("other_reader"), "X-Forwarded-For": "203.0.113.7"},
    )
    unseen = await proxied.client.get(
        "/api/v1/rate-limit/status",
        headers={**proxied.auth("other_reader"), "X-Forwarded-For": "198.51.100.9"},
    )

    assert seen.json()["groups"]["chat"]["used"] == 2
    assert unseen.json()["groups"]["chat"]["used"] == 0


async def test_the_openai_compatible_route_shares_the_chat_limit(limited, problem, openai_error):
    body = {"messages": [{"role": "user", "content": QUESTION}]}
    bearer = {"Authorization": f"Bearer {limited.keys['reader']}"}
    assert (await limited.chat(QUESTION)).status_code == 200
    for _ in range(2):
        response = await limited.client.post("/v1/chat/completions", json=body, headers=bearer)
        assert response.status_code == 200
        assert "RateLimit-Remaining" in response.headers

    refused = await limited.client.post("/v1/chat/completions", json=body, headers=bearer)
    assert openai_error(refused, 429)["code"] == "rate_limit_exceeded"
    assert int(refused.headers["Retry-After"]) > 0
    problem(await limited.chat(QUESTION), 429)


async def test_failed_sign_ins_from_one_address_are_limited_even_for_a_good_key(start_api, problem):
    api = await start_api({"ASKDOCS_RATE_LIMIT__FAILED_SIGN_INS_PER_WINDOW": "5"})
    wrong = [
        (await api.client.get("/api/v1/docs", headers={"X-API-Key": f"askd_guess{n}"}))
        for n in range(5)
    ]

    refused = await api.client.get("/api/v1/docs", headers={"X-API-Key": "askd_guess6"})
    good_key = await api.client.get("/api/v1/docs", headers=api.auth("reader"))
    health = await api.client.get("/health/live")

    assert [r.status_code for r in wrong] == [401] * 5
    assert "failed sign-ins" in problem(refused, 429)["detail"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert good_key.status_code == 429
    assert health.status_code == 200


async def test_failed_sign_ins_are_counted_per_address(start_api):
    proxied = await start_api(
        {"ASKDOCS_RATE_LIMIT__FAILED_SIGN_INS_PER_WINDOW": "2",
         "ASKDOCS_SERVER__TRUSTED_PROXIES": "10.0.0.5"},
        client_address=("10.0.0.5", 4711),
    )  # fmt: skip
    for n in range(3):
        await proxied.client.get(
            "/api/v1/docs",
            headers={"X-API-Key": f"askd_guess{n}", "X-Forwarded-For": "198.51.100.1"},
        )

    attacker = await proxied.client.get(
        "/api/v1/docs", headers={**proxied.auth("reader"), "X-Forwarded-For": "198.51.100.1"}
    )
    neighbour = await proxied.client.get(
        "/api/v1/docs", headers={**proxied.auth("reader"), "X-Forwarded-For": "198.51.100.2"}
    )

    assert (attacker.status_code, neighbour.status_code) == (429, 200)
