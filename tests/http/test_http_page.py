"""The chat page at `/`: served from the package, public, with no inline or third-party code."""

from __future__ import annotations

import re

REFERENCE = re.compile(r'(?:src|href)="([^"]+)"')
MODULE_IMPORT = re.compile(r'^import .* from "\./([\w-]+\.js)";$', re.MULTILINE)


async def page_scripts(api) -> dict[str, str]:
    """app.js and every module it imports, by their own imports, as served."""
    scripts: dict[str, str] = {}
    pending = ["app.js"]
    while pending:
        name = pending.pop()
        response = await api.client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith("text/javascript")
        scripts[name] = response.text
        pending += [m for m in MODULE_IMPORT.findall(response.text) if m not in scripts]
    return scripts


async def test_the_page_and_every_file_it_references_are_served_without_a_key(api):
    page = await api.client.get("/")
    references = [r for r in REFERENCE.findall(page.text) if not r.startswith("data:")]
    assets = {ref: await api.client.get(ref) for ref in references}

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert set(references) == {"/static/app.css", "/static/app.js"}
    assert {ref: r.status_code for ref, r in assets.items()} == dict.fromkeys(references, 200)
    assert assets["/static/app.js"].headers["content-type"].startswith("text/javascript")
    assert assets["/static/app.css"].headers["content-type"].startswith("text/css")


async def test_the_page_runs_no_inline_script_and_loads_nothing_from_elsewhere(api):
    page = (await api.client.get("/")).text
    scripts = await page_scripts(api)
    script = "\n".join(scripts.values())
    style = (await api.client.get("/static/app.css")).text

    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    assert not re.search(r"<script[^>]*>\s*[^<\s]", page)  # no script body
    assert not re.search(r"\son\w+=", page)  # no inline event handler
    for text in (page, script, style):
        assert "http://" not in text
        assert "https://" not in text
    assert ".innerHTML" not in script  # text goes into the page as text
    assert "localStorage" not in script  # the key lives in the tab's sessionStorage only
    assert set(scripts) == {"app.js", "api.js", "chat.js", "documents.js"}


async def test_only_the_page_assets_are_served_from_the_package(api, problem):
    for path in ("/static/__init__.py", "/static/../index.html", "/static/../__init__.py"):
        response = await api.client.get(path)
        assert response.status_code == 404, path
