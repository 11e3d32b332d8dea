"""The service image as it ships (ADR 0048): small, labelled, non-root, read-only, and
answering through its published port, on its embedded defaults and on PostgreSQL and Redis."""

from __future__ import annotations

import time

import httpx
import pytest

import askdocs
from tests.container.conftest import Container, podman, running
from tests.e2e.conftest import free_port, migrated_schema_url, settle
from tests.support.pdf import make_pdf

MAX_IMAGE_BYTES = 250 * 1000 * 1000
"""The size podman reports (MB of 10^6 bytes), over which the build fails."""
PAGES = [
    "The observatory opens at nine in the morning.",
    "Parking permits cost forty euros per month and are sold at the front desk.",
]
LEFT_OUT = ("pip", "setuptools", "wheel", "polyfactory", "faker", "rich", "pytest", "uv")


def upload_and_ask(container: Container) -> dict:
    with container.client() as client:
        accepted = client.post(
            "/api/v1/docs", files={"file": ("guide.pdf", make_pdf(PAGES))}, data={"tags": "t"}
        )
        assert accepted.status_code in (200, 202), accepted.text  # 200: the same bytes again
        assert settle(client, accepted.json()["status_url"])["status"] == "ready"
        reply = client.post("/api/v1/chat", json={"question": "How much do parking permits cost?"})
        assert reply.status_code == 200, reply.text
        return dict(reply.json())


def test_the_image_is_under_250_mb(inspected):
    assert inspected["Size"] < MAX_IMAGE_BYTES, f"{inspected['Size'] / 1e6:.1f} MB"


def test_the_image_is_labelled_with_the_version_source_and_licence(inspected):
    labels = inspected["Labels"]

    assert labels["org.opencontainers.image.version"] == askdocs.__version__
    assert labels["org.opencontainers.image.licenses"] == "Apache-2.0"
    assert labels["org.opencontainers.image.source"]
    assert labels["org.opencontainers.image.revision"]


def test_the_package_inside_is_that_version(embedded):
    done = embedded.python("import askdocs; print(askdocs.__version__)")

    assert done.stdout.strip() == askdocs.__version__, done.stderr


def test_the_service_runs_as_uid_10001_under_tini(embedded):
    ids = embedded.python("import os; print(os.getuid(), os.getgid())")
    first = embedded.python("print(open('/proc/1/cmdline').read().split(chr(0))[0])")

    assert ids.stdout.split() == ["10001", "10001"], ids.stderr
    assert first.stdout.strip() == "/usr/bin/tini"


def test_the_healthcheck_passes(embedded):
    done = podman("healthcheck", "run", embedded.name, check=False)

    assert done.returncode == 0, done.stdout + done.stderr


def test_an_uploaded_pdf_is_answered_through_the_published_port(embedded):
    reply = upload_and_ask(embedded)

    assert "forty euros" in reply["answer"]
    assert reply["sources"][0]["document"] == "guide.pdf"
    assert reply["sources"][0]["page"] == 2


def test_the_openapi_document_is_served_without_the_packages_left_out(embedded):
    response = httpx.get(f"{embedded.url}/schema/openapi.json", timeout=30)
    installed = embedded.python(
        "import importlib.metadata as m; print(' '.join(d.metadata['Name'].lower() "
        "for d in m.distributions()))"
    )

    assert response.status_code == 200
    assert installed.returncode == 0, installed.stderr
    assert not set(LEFT_OUT) & set(installed.stdout.split())


def test_the_root_is_read_only_even_to_root_and_uploads_land_on_the_volume(embedded):
    upload_and_ask(embedded)
    written = embedded.python("open('/opt/venv/probe', 'w')", user="0")
    blobs = embedded.python(
        "import pathlib; print(sum(1 for p in pathlib.Path('/var/lib/askdocs/blobs')"
        ".rglob('*') if p.is_file()))"
    )

    assert "Read-only file system" in written.stderr
    assert int(blobs.stdout) >= 1, blobs.stderr


def test_there_is_no_shell_or_package_manager(embedded):
    done = embedded.python(
        "import os; print([p for p in ('/bin/sh', '/bin/bash', '/usr/bin/apt', "
        "'/usr/bin/dpkg', '/opt/venv/bin/pip') if os.path.exists(p)])"
    )

    assert done.stdout.strip() == "[]", done.stderr


def test_sigterm_stops_the_service_within_seconds(image):
    port = free_port()
    with running(image, "-p", f"127.0.0.1:{port}:8000", port=port, env={}) as container:
        started = time.monotonic()
        podman("stop", "-t", "20", container.name)
        took = time.monotonic() - started
        code = podman("inspect", "-f", "{{.State.ExitCode}}", container.name).stdout.strip()

    assert took < 10, f"podman stop took {took:.1f} s: SIGTERM was not handled"
    assert code in ("0", "143"), container.logs()


@pytest.mark.e2e
def test_on_postgresql_and_redis_a_pdf_is_answered(image):
    port = free_port()
    with migrated_schema_url() as database_url:
        settings = {
            "ASKDOCS_DATABASE__URL": database_url,
            "ASKDOCS_REDIS__URL": "redis://127.0.0.1:6379/0",
            "ASKDOCS_SERVER__HOST": "127.0.0.1",
            "ASKDOCS_SERVER__PORT": str(port),
        }
        with running(image, "--network", "host", port=port, env=settings) as container:
            reply = upload_and_ask(container)
            ready = httpx.get(f"{container.url}/health/ready", timeout=30)
            health = podman("healthcheck", "run", container.name, check=False)

    assert "forty euros" in reply["answer"]
    assert ready.status_code == 200, ready.text
    assert health.returncode == 0
