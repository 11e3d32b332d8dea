"""The wheel is what ships: build it, install it in a clean venv, import it, inspect it.

The venv holds the core install only (no extra), as `pip install askdocs` makes it: the
README's library example must run there, and what needs an extra must say which."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 600
BACKEND_SDKS = ("litestar", "uvicorn", "asyncpg", "pgvector", "pgqueuer", "redis", "openai",
                "groq", "httpx2", "jwt", "prometheus_client")  # fmt: skip
LIBRARY_EXAMPLE = re.compile(r"<!-- library:example -->\n```python\n(.*?)\n```", re.DOTALL)

pytestmark = pytest.mark.slow


def _uv() -> list[str] | None:
    """The uv command, if uv is on PATH or importable (it is in the test group)."""
    if importlib.util.find_spec("uv") is not None:
        return [sys.executable, "-m", "uv"]
    found = shutil.which("uv")
    return [found] if found else None


def _clean_env() -> dict[str, str]:
    """The environment without anything that could put the working tree on sys.path."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH"):
        env.pop(name, None)
    return env


def _run(
    args: list[str | Path], cwd: Path, *, status: int = 0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**_clean_env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == status, (
        f"{' '.join(map(str, args))} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, python of a clean venv with the wheel and its dependencies installed)."""
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not running from a source checkout")
    tmp = tmp_path_factory.mktemp("packaging")
    dist, venv = tmp / "dist", tmp / "venv"
    uv = _uv()
    python = venv / "bin" / "python"

    venv_args: list[str | Path] = [sys.executable, "-m", "venv", venv]
    if uv is not None:
        venv_args.insert(3, "--without-pip")
    _run(venv_args, cwd=tmp)

    if uv is not None:
        _run([*uv, "build", "--wheel", "--out-dir", dist, ROOT], cwd=tmp)
    else:
        _run([python, "-m", "pip", "wheel", "--no-deps", "-w", dist, ROOT], cwd=tmp)
    wheels = sorted(dist.glob("askdocs-*.whl"))
    assert len(wheels) == 1, wheels
    wheel = wheels[0]

    if uv is not None:
        _run([*uv, "pip", "install", "--python", python, wheel], cwd=tmp)
    else:
        _run([python, "-m", "pip", "install", "-q", wheel], cwd=tmp)
    return wheel, python


def test_wheel_installs_and_imports_in_a_clean_venv(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    _, python = built
    result = _run(
        [
            python,
            "-c",
            "import askdocs, askdocs.application, askdocs.domain; "
            "print(askdocs.__version__); print(askdocs.__file__)",
        ],
        cwd=tmp_path,
    )
    version, location = result.stdout.split()
    assert version.count(".") >= 1
    assert Path(location).resolve().is_relative_to(python.parent.parent.resolve()), location


def test_wheel_ships_the_package_and_nothing_else(built: tuple[Path, Path]) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert tops <= {"askdocs", next(t for t in tops if t.endswith(".dist-info"))}, tops
    inner = {name.split("/")[1] for name in names if name.startswith("askdocs/")}
    assert not inner & {"tests", "noxfile.py", ".ci", "docs", "scripts", "Containerfile"}, inner
    assert not [n for n in names if n.endswith("noxfile.py") or "/tests/" in n or "/.ci/" in n]
    assert "askdocs/py.typed" in names
    assert "askdocs/__init__.py" in names
    assert any(n.startswith("askdocs/migrations/") for n in names), names
    assert any(n.startswith("askdocs/domain/") for n in names)
    assert any(n.startswith("askdocs/application/") for n in names)


def test_the_core_install_holds_no_backend_sdk(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, python = built
    probe = f"import importlib.util as u; print([m for m in {BACKEND_SDKS!r} if u.find_spec(m)])"
    assert _run([python, "-c", probe], cwd=tmp_path).stdout.strip() == "[]"


def test_the_readme_library_example_runs_on_the_core_install(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    _, python = built
    found = LIBRARY_EXAMPLE.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found is not None, "README.md has no python block after <!-- library:example -->"
    example = tmp_path / "example.py"
    example.write_text(found.group(1), encoding="utf-8")

    printed = _run([python, example], cwd=tmp_path).stdout

    assert "ten seconds" in printed
    assert "- manual.txt, page " in printed


def test_serve_without_the_server_extra_is_one_line_naming_it(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    _, python = built
    result = _run([python.parent / "askdocs", "serve"], cwd=tmp_path, status=2)
    assert result.stderr.strip().splitlines() == [
        "askdocs serve: askdocs serve needs askdocs[server], which is not installed "
        "(no module 'litestar'): pip install 'askdocs[server]'"
    ]


def test_a_database_without_the_postgres_extra_is_refused_naming_it(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    _, python = built
    database = {"ASKDOCS_DATABASE__URL": "postgresql://askdocs@127.0.0.1:5432/askdocs"}
    migrate = _run([python.parent / "askdocs", "migrate"], cwd=tmp_path, status=2, env=database)
    assert "pip install 'askdocs[postgres]'" in migrate.stderr
    assert len(migrate.stderr.strip().splitlines()) == 1
    library = _run(
        [python, "-c", "import askdocs; askdocs.Askdocs.from_env()"],
        cwd=tmp_path,
        status=1,
        env=database,
    )
    assert library.stderr.strip().splitlines()[-1] == (
        "askdocs.entrypoints.extras.MissingExtra: database.url needs askdocs[postgres], which "
        "is not installed (no module 'asyncpg'): pip install 'askdocs[postgres]'"
    )


@pytest.fixture(scope="module")
def server_only(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a clean venv with the wheel and its `server` extra, nothing more."""
    wheel, _ = built
    uv = _uv()
    if uv is None:
        pytest.skip("uv is needed to install a wheel with an extra here")
    tmp = tmp_path_factory.mktemp("server-only")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp)
    _run([*uv, "pip", "install", "--python", venv / "bin" / "python", f"{wheel}[server]"], cwd=tmp)
    return venv / "bin" / "python"


def test_the_server_extra_alone_builds_the_app_as_the_quickstart_serves_it(
    server_only: Path, tmp_path: Path
) -> None:
    build = (
        "from askdocs.entrypoints.http.app import create_app_from_settings\n"
        "from askdocs.entrypoints.settings import load_settings\n"
        "create_app_from_settings(load_settings({}))\n"
        "import importlib.util as u\n"
        "print([m for m in ('asyncpg', 'pgqueuer', 'redis', 'openai', 'groq') if u.find_spec(m)])"
    )
    assert _run([server_only, "-c", build], cwd=tmp_path).stdout.splitlines()[-1] == "[]"
    # Past the extra's check and the serve module's imports: only the address is refused.
    refused = _run([server_only.parent / "askdocs", "serve", "--host", "203.0.113.1"],
                   cwd=tmp_path, status=2)  # fmt: skip
    assert refused.stderr.startswith("askdocs serve: cannot listen on 203.0.113.1:")
