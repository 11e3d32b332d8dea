"""The stored original of a version, for the links under an answer's sources."""

from __future__ import annotations

from urllib.parse import quote


async def test_a_reader_opens_the_original_as_uploaded(api, handbook):
    uploaded = await api.upload_ok(handbook.name, handbook.pdf)

    response = await api.client.get(f"{uploaded['status_url']}/file", headers=api.auth("reader"))

    assert response.status_code == 200
    assert response.content == handbook.pdf
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == "inline; filename*=UTF-8''handbook.pdf"
    assert response.headers["cache-control"] == "no-store"


async def test_an_uploaded_page_is_served_sandboxed(api):
    page = (
        b"<html><body><script>alert(1)</script><p>Opening hours are nine to five.</p></body></html>"
    )
    uploaded = await api.upload_ok("h\u00e9llo page.html", page)

    response = await api.client.get(f"{uploaded['status_url']}/file", headers=api.auth("reader"))

    assert response.status_code == 200
    assert response.content == page
    policy = response.headers["content-security-policy"]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy
    assert quote("h\u00e9llo page.html", safe="") in response.headers["content-disposition"]


async def test_no_key_no_such_version_and_a_deleted_document_are_refused(api, handbook, problem):
    uploaded = await api.upload_ok(handbook.name, handbook.pdf)
    document_id = uploaded["document_id"]
    url = f"{uploaded['status_url']}/file"

    problem(await api.client.get(url), 401)
    problem(await api.client.get(f"/api/v1/docs/{document_id}/versions/9/file",
                                 headers=api.auth("reader")), 404)  # fmt: skip
    problem(await api.client.get("/api/v1/docs/nope/versions/1/file", headers=api.auth("reader")),
            404)  # fmt: skip

    await api.client.delete(f"/api/v1/docs/{document_id}", headers=api.auth("editor"))
    problem(await api.client.get(url, headers=api.auth("reader")), 404)

    await api.client.post(f"/api/v1/docs/{document_id}/restore", headers=api.auth("editor"))
    assert (await api.client.get(url, headers=api.auth("reader"))).status_code == 200
