"""/api/v1/docs over HTTP: upload, versions, listing, edits, soft delete and the refusals."""

from __future__ import annotations

from tests.support.pdf import make_pdf

UPLOAD_LIMIT = 200_000
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
HTML = (
    b"<!doctype html><html><head><title>Rota</title></head><body>"
    b"<p>The night porter starts his round at eleven every evening.</p></body></html>"
)


async def test_an_upload_is_accepted_with_its_document_version_status_and_status_url(api, handbook):
    response = await api.upload(handbook.name, handbook.pdf, tags="hr,policy")

    assert response.status_code == 202
    body = response.json()
    assert {"document_id", "version", "status", "status_url"} <= body.keys()
    assert body["version"] == 1
    assert body["status"] == "queued"
    assert body["status_url"] == f"/api/v1/docs/{body['document_id']}/versions/1"
    assert response.headers["location"] == body["status_url"]
    settled = await api.settled(body["status_url"])
    assert settled["status"] == "ready"
    assert settled["page_count"] == len(handbook.pages)
    assert (settled["pages_done"], settled["pages_total"]) == (4, 4)
    assert settled["attempts"] == 1
    assert settled["media_type"] == "application/pdf"


async def test_uploading_identical_bytes_again_answers_200_with_the_same_version(api, handbook):
    first = await api.upload_ok(handbook.name, handbook.pdf)

    again = await api.upload(handbook.name, handbook.pdf)

    assert again.status_code == 200
    assert again.json()["document_id"] == first["document_id"]
    assert again.json()["version"] == first["version"] == 1
    listing = await api.client.get("/api/v1/docs", headers=api.auth("reader"))
    assert listing.json()["total"] == 1


async def test_a_new_version_is_accepted_and_reuses_its_unchanged_pages(api, handbook):
    first = await api.upload_ok(handbook.name, handbook.pdf)
    changed = list(handbook.pages)
    changed[1] = "Parking permits cost fifty euros per month for every employee."

    response = await api.upload(handbook.name, make_pdf(changed), document_id=first["document_id"])

    assert response.status_code == 202
    body = response.json()
    assert body["document_id"] == first["document_id"]
    assert body["version"] == 2
    await api.settled(body["status_url"])
    document = await api.client.get(
        f"/api/v1/docs/{first['document_id']}", headers=api.auth("reader")
    )
    assert [v["version"] for v in document.json()["versions"]] == [1, 2]
    assert document.json()["current_version"] == 2


async def test_one_document_has_its_versions_and_a_top_level_status(api, handbook):
    accepted = await api.upload_ok(handbook.name, handbook.pdf, tags="hr")

    response = await api.client.get(
        f"/api/v1/docs/{accepted['document_id']}", headers=api.auth("reader")
    )

    assert response.status_code == 200
    document = response.json()
    assert document["id"] == accepted["document_id"]
    assert document["name"] == handbook.name
    assert document["tags"] == ["hr"]
    assert document["status"] == "ready"
    assert document["deleted"] is False
    assert len(document["versions"]) == 1
    assert document["versions"][0]["status"] == "ready"
    assert document["versions"][0]["error"] is None


async def test_an_unknown_document_or_version_is_a_404_problem(api, handbook, problem):
    accepted = await api.upload_ok(handbook.name, handbook.pdf)

    missing_document = await api.client.get("/api/v1/docs/nope", headers=api.auth("reader"))
    missing_version = await api.client.get(
        f"/api/v1/docs/{accepted['document_id']}/versions/7", headers=api.auth("reader")
    )

    problem(missing_document, 404)
    assert "7" in problem(missing_version, 404)["detail"]


async def test_the_list_filters_by_tags_and_status_and_paginates(api):
    ids = {}
    for name, tags in (("a.txt", "hr,policy"), ("b.txt", "hr"), ("c.txt", "it")):
        text = f"Document {name} explains the {name[0]} procedure in three short sentences."
        ids[name] = (await api.upload_ok(name, text.encode(), tags=tags))["document_id"]
    reader = api.auth("reader")

    everything = (await api.client.get("/api/v1/docs", headers=reader)).json()
    hr = (await api.client.get("/api/v1/docs", params={"tags": "hr"}, headers=reader)).json()
    both = (await api.client.get("/api/v1/docs?tags=hr,policy", headers=reader)).json()
    ready = (await api.client.get("/api/v1/docs?status=ready", headers=reader)).json()
    failed = (await api.client.get("/api/v1/docs?status=failed", headers=reader)).json()
    first = (await api.client.get("/api/v1/docs?limit=2", headers=reader)).json()
    second = (await api.client.get("/api/v1/docs?offset=2&limit=2", headers=reader)).json()

    assert everything["total"] == 3
    assert {d["id"] for d in hr["items"]} == {ids["a.txt"], ids["b.txt"]}
    assert hr["total"] == 2
    assert [d["id"] for d in both["items"]] == [ids["a.txt"]]
    assert ready["total"] == 3
    assert failed == {"items": [], "total": 0, "offset": 0, "limit": 50}
    assert (first["total"], first["offset"], first["limit"], len(first["items"])) == (3, 0, 2, 2)
    assert (second["total"], second["offset"], second["limit"], len(second["items"])) == (
        3,
        2,
        2,
        1,
    )
    paged = {d["id"] for d in first["items"]} | {d["id"] for d in second["items"]}
    assert paged == set(ids.values())


async def test_patching_tags_and_name_shows_in_the_sources_of_a_later_answer(api, handbook):
    accepted = await api.upload_ok(handbook.name, handbook.pdf, tags="draft")
    question = "How much do parking permits cost?"
    before = await api.ask(question)
    assert before["sources"][0]["tags"] == ["draft"]

    response = await api.client.patch(
        f"/api/v1/docs/{accepted['document_id']}",
        json={"tags": ["hr", "final"], "name": "staff-handbook.pdf"},
        headers=api.auth("editor"),
    )

    assert response.status_code == 200
    assert response.json()["tags"] == ["hr", "final"]
    assert response.json()["name"] == "staff-handbook.pdf"
    after = await api.ask(question)
    assert after["cached"] is False
    assert after["sources"][0]["tags"] == ["hr", "final"]
    assert after["sources"][0]["document"] == "staff-handbook.pdf"
    assert after["sources"][0]["version"] == 1


async def test_a_malformed_tag_or_an_empty_name_is_a_422_problem(api, handbook, problem):
    accepted = await api.upload_ok(handbook.name, handbook.pdf)
    url = f"/api/v1/docs/{accepted['document_id']}"

    bad_tag = await api.client.patch(url, json={"tags": ["a,b"]}, headers=api.auth("editor"))
    empty_name = await api.client.patch(url, json={"name": "  "}, headers=api.auth("editor"))

    problem(bad_tag, 422)
    problem(empty_name, 422)


async def test_a_soft_deleted_document_is_neither_listed_nor_cited_until_restored(
    api, handbook, problem
):
    accepted = await api.upload_ok(handbook.name, handbook.pdf)
    document_id = accepted["document_id"]
    question = "When does the library close on Fridays?"
    assert (await api.ask(question))["sources"][0]["document_id"] == document_id

    deleted = await api.client.delete(f"/api/v1/docs/{document_id}", headers=api.auth("editor"))

    assert deleted.status_code == 204
    listing = (await api.client.get("/api/v1/docs", headers=api.auth("reader"))).json()
    assert listing["total"] == 0
    with_deleted = await api.client.get(
        "/api/v1/docs?include_deleted=true", headers=api.auth("reader")
    )
    assert [d["deleted"] for d in with_deleted.json()["items"]] == [True]
    hidden = await api.ask(question)
    assert all(s["document_id"] != document_id for s in hidden["sources"])
    assert handbook.pages[2] not in hidden["answer"]
    new_version = await api.upload(handbook.name, b"Other text here.", document_id=document_id)
    problem(new_version, 409)

    restored = await api.client.post(
        f"/api/v1/docs/{document_id}/restore", headers=api.auth("editor")
    )

    assert restored.status_code == 200
    assert restored.json()["deleted"] is False
    back = await api.ask(question)
    assert back["sources"][0]["document_id"] == document_id
    assert handbook.pages[2] in back["answer"]
    listing = (await api.client.get("/api/v1/docs", headers=api.auth("reader"))).json()
    assert listing["total"] == 1


async def test_restoring_a_live_document_is_a_409_problem(api, handbook, problem):
    accepted = await api.upload_ok(handbook.name, handbook.pdf)

    response = await api.client.post(
        f"/api/v1/docs/{accepted['document_id']}/restore", headers=api.auth("editor")
    )

    problem(response, 409)


async def test_a_new_version_of_an_unknown_document_is_a_404_problem(api, handbook, problem):
    response = await api.upload(handbook.name, handbook.pdf, document_id="missing")

    problem(response, 404)


async def test_a_reader_may_read_documents_but_not_write_them(api, handbook, problem):
    accepted = await api.upload_ok(handbook.name, handbook.pdf)
    url = f"/api/v1/docs/{accepted['document_id']}"
    reader = api.auth("reader")

    upload = await api.upload("notes.txt", b"Some notes about the office.", role="reader")
    patch = await api.client.patch(url, json={"tags": ["x"]}, headers=reader)
    delete = await api.client.delete(url, headers=reader)
    read = await api.client.get(url, headers=reader)

    for refused in (upload, patch, delete):
        problem(refused, 403)
    assert read.status_code == 200
    assert read.json()["tags"] == []
    assert read.json()["deleted"] is False


async def test_an_admin_may_write_documents(api, handbook):
    response = await api.upload(handbook.name, handbook.pdf, role="admin")

    assert response.status_code == 202


async def test_a_file_over_the_size_limit_is_a_413_problem(api, problem):
    response = await api.upload("big.txt", b"a" * (UPLOAD_LIMIT + 1))

    body = problem(response, 413)
    assert str(UPLOAD_LIMIT) in body["detail"]


async def test_a_body_far_over_the_size_limit_is_a_413_problem(api, problem):
    response = await api.upload("huge.txt", b"a" * (UPLOAD_LIMIT * 10))

    problem(response, 413)
    listing = await api.client.get("/api/v1/docs", headers=api.auth("reader"))
    assert listing.json()["total"] == 0


async def test_png_bytes_named_pdf_are_a_415_problem(api, problem):
    response = await api.upload("scan.pdf", PNG)

    body = problem(response, 415)
    assert "PNG" in body["detail"]


async def test_html_named_pdf_is_accepted_as_html_because_types_are_sniffed(api):
    accepted = await api.upload_ok("rota.pdf", HTML)

    version = await api.client.get(accepted["status_url"], headers=api.auth("reader"))
    reply = await api.ask("When does the night porter start his round?")

    assert version.json()["media_type"] == "text/html"
    assert "The night porter starts his round at eleven every evening." in reply["answer"]
    assert reply["sources"][0]["document"] == "rota.pdf"
    assert reply["sources"][0]["page"] is None


async def test_a_broken_pdf_is_accepted_then_fails_with_a_reason(api):
    body = await api.upload_ok("broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Cat")

    assert body["status"] == "failed"
    assert "PDF" in body["settled"]["error"]
    failed = await api.client.get("/api/v1/docs?status=failed", headers=api.auth("reader"))
    assert [d["id"] for d in failed.json()["items"]] == [body["document_id"]]
    assert failed.json()["items"][0]["status"] == "failed"


async def test_an_empty_file_is_a_422_problem(api, problem):
    response = await api.upload("empty.txt", b"")

    body = problem(response, 422)
    assert "empty" in body["detail"]


async def test_an_upload_without_the_file_field_is_a_422_problem(api, problem):
    response = await api.client.post(
        "/api/v1/docs",
        files={"document": ("a.txt", b"Text in the wrong field.")},
        headers=api.auth("editor"),
    )

    body = problem(response, 422)
    assert "file" in body["detail"]


async def test_an_upload_that_is_not_multipart_is_a_415_problem(api, problem):
    response = await api.client.post(
        "/api/v1/docs",
        content=b"plain bytes",
        headers={**api.auth("editor"), "content-type": "application/octet-stream"},
    )

    problem(response, 415)


async def test_each_version_keeps_the_file_name_it_was_uploaded_under(api, handbook):
    first = await api.upload_ok(handbook.name, handbook.pdf)
    second = await api.upload_ok(
        "handbook-2026.pdf",
        make_pdf([*handbook.pages, "A new page."]),
        document_id=first["document_id"],
    )

    document = (
        await api.client.get(f"/api/v1/docs/{first['document_id']}", headers=api.auth("reader"))
    ).json()

    assert second["settled"]["name"] == "handbook-2026.pdf"
    assert [v["name"] for v in document["versions"]] == [handbook.name, "handbook-2026.pdf"]
    assert document["name"] == handbook.name
