"""The wheel is what ships: build it, install it in a clean venv, import it, inspect it.

The venv holds the core install only (no extra), as `pip install askdocs` makes it: the
README's library example must run there, and what needs an extra must say which."""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.support.packaging import (
    PACKAGE_FOLDERS,
    SOURCE_ROOT,
    copy_source_tree,
    run,
    uv_command,
)

BACKEND_SDKS = ("litestar", "uvicorn", "asyncpg", "pgvector", "pgqueuer", "redis", "openai",
                "groq", "httpx2", "jwt", "prometheus_client", "datadog",
                "opentelemetry")  # fmt: skip
LIBRARY_EXAMPLE = re.compile(r"<!-- library:example -->\n```python\n(.*?)\n```", re.DOTALL)

pytestmark = pytest.mark.slow


class Built(NamedTuple):
    tree: Path
    sdist: Path
    wheel: Path
    python: Path


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def _wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _package_folder_files(tree: Path) -> list[Path]:
    return [
        path
        for folder in PACKAGE_FOLDERS
        for path in sorted((tree / folder).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """An sdist and the wheel built from it (a scratch copy of the tree is the source), and
    the python of a clean venv with that wheel and its dependencies installed."""
    tmp = tmp_path_factory.mktemp("packaging")
    tree = copy_source_tree(tmp / "source")
    dist, venv = tmp / "dist", tmp / "venv"
    uv = uv_command()
    # `uv build` makes the sdist, then the wheel from the unpacked sdist.
    run([*uv, "build", "--out-dir", dist, tree], cwd=tmp)
    python = venv / "bin" / "python"
    run([*uv, "venv", "--python", sys.executable, venv], cwd=tmp)
    wheel = _one(dist, "askdocs-*.whl")
    run([*uv, "pip", "install", "--python", python, wheel], cwd=tmp)
    return Built(tree, _one(dist, "askdocs-*.tar.gz"), wheel, python)


def test_wheel_installs_and_imports_in_a_clean_venv(built: Built, tmp_path: Path) -> None:
    result = run(
        [
            built.python,
            "-c",
            "import askdocs, askdocs.application, askdocs.domain; "
            "print(askdocs.__version__); print(askdocs.__file__)",
        ],
        cwd=tmp_path,
    )
    version, location = result.stdout.split()
    assert version.count(".") >= 1
    assert Path(location).resolve().is_relative_to(built.python.parent.parent.resolve()), location


def test_wheel_ships_the_package_and_nothing_else(built: Built) -> None:
    names = _wheel_names(built.wheel)
    tops = {name.split("/", 1)[0] for name in names}
    assert tops <= {"askdocs", next(t for t in tops if t.endswith(".dist-info"))}, tops
    inner = {name.split("/")[1] for name in names if name.startswith("askdocs/")}
    assert inner == {"__init__.py", "py.typed", *PACKAGE_FOLDERS}, inner
    assert not [n for n in names if n.endswith(("noxfile.py", "setup.py")) or "/tests/" in n]


def test_every_folder_with_an_init_module_is_a_package_in_the_wheel(built: Built) -> None:
    names = _wheel_names(built.wheel)
    packages = [p.parent for p in _package_folder_files(built.tree) if p.name == "__init__.py"]
    assert len(packages) > len(PACKAGE_FOLDERS)
    missing = [
        str(p.relative_to(built.tree))
        for p in packages
        if f"askdocs/{p.relative_to(built.tree).as_posix()}/__init__.py" not in names
    ]
    assert not missing, f"packages left out of the wheel: {missing}"


def test_every_file_of_the_package_folders_is_in_the_wheel(built: Built) -> None:
    # Modules and package data alike: migrations, the web page's static files, the demo corpus.
    names = _wheel_names(built.wheel)
    expected = {
        f"askdocs/{p.relative_to(built.tree).as_posix()}" for p in _package_folder_files(built.tree)
    }
    assert any(n.endswith(".sql") for n in expected)
    assert any(n.startswith("askdocs/entrypoints/web/static/") for n in expected)
    shipped = {n for n in names if n.startswith("askdocs/")}
    assert expected - shipped == set()
    assert shipped - expected == {"askdocs/__init__.py", "askdocs/py.typed"}


def test_the_sdist_carries_the_sources_the_tests_and_the_docs(built: Built) -> None:
    with tarfile.open(built.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "setup.py", "__init__.py", "py.typed", "noxfile.py"} <= names
    assert {"tests/conftest.py", "docs/architecture.md", "migrations/README.md"} <= names
    assert not [n for n in names if n.startswith(".ci/") or "__pycache__" in n]


def test_a_module_left_in_build_lib_by_an_earlier_build_does_not_ship(tmp_path: Path) -> None:
    # A wheel built from the tree itself (as `pip install .` does) reuses its build/ folder.
    tree = copy_source_tree(tmp_path / "source")
    stale = tree / "build" / "lib" / "askdocs" / "domain" / "deleted_since.py"
    stale.parent.mkdir(parents=True)
    stale.write_text("GONE = True\n")
    run([*uv_command(), "build", "--wheel", "--out-dir", tmp_path / "dist", tree], cwd=tmp_path)
    names = _wheel_names(_one(tmp_path / "dist", "askdocs-*.whl"))
    assert "askdocs/domain/__init__.py" in names
    assert "askdocs/domain/deleted_since.py" not in names


def test_the_core_install_holds_no_backend_sdk(built: Built, tmp_path: Path) -> None:
    probe = f"import importlib.util as u; print([m for m in {BACKEND_SDKS!r} if u.find_spec(m)])"
    assert run([built.python, "-c", probe], cwd=tmp_path).stdout.strip() == "[]"


def test_the_readme_library_example_runs_on_the_core_install(built: Built, tmp_path: Path) -> None:
    found = LIBRARY_EXAMPLE.search((SOURCE_ROOT / "README.md").read_text(encoding="utf-8"))
    assert found is not None, "README.md has no python block after <!-- library:example -->"
    example = tmp_path / "example.py"
    example.write_text(found.group(1), encoding="utf-8")

    printed = run([built.python, example], cwd=tmp_path).stdout

    assert "ten seconds" in printed
    assert "- manual.txt, page " in printed


def test_serve_without_the_server_extra_is_one_line_naming_it(built: Built, tmp_path: Path) -> None:
    result = run([built.python.parent / "askdocs", "serve"], cwd=tmp_path, status=2)
    assert result.stderr.strip().splitlines() == [
        "askdocs serve: askdocs serve needs askdocs[server], which is not installed "
        "(no module 'litestar'): pip install 'askdocs[server]'"
    ]


def test_a_database_without_the_postgres_extra_is_refused_naming_it(
    built: Built, tmp_path: Path
) -> None:
    database = {"ASKDOCS_DATABASE__URL": "postgresql://askdocs@127.0.0.1:5432/askdocs"}
    askdocs = built.python.parent / "askdocs"
    migrate = run([askdocs, "migrate"], cwd=tmp_path, status=2, env=database)
    assert "pip install 'askdocs[postgres]'" in migrate.stderr
    assert len(migrate.stderr.strip().splitlines()) == 1
    library = run(
        [built.python, "-c", "import askdocs; askdocs.Askdocs.from_env()"],
        cwd=tmp_path,
        status=1,
        env=database,
    )
    assert library.stderr.strip().splitlines()[-1] == (
        "askdocs.entrypoints.extras.MissingExtra: database.url needs askdocs[postgres], which "
        "is not installed (no module 'asyncpg'): pip install 'askdocs[postgres]'"
    )


@pytest.fixture(scope="module")
def server_only(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a clean venv with the wheel and its `server` extra, nothing more."""
    tmp = tmp_path_factory.mktemp("server-only")
    venv = tmp / "venv"
    uv = uv_command()
    run([*uv, "venv", "--python", sys.executable, venv], cwd=tmp)
    run([*uv, "pip", "install", "--python", venv / "bin" / "python", f"{built.wheel}[server]"],
        cwd=tmp)  # fmt: skip
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
    assert run([server_only, "-c", build], cwd=tmp_path).stdout.splitlines()[-1] == "[]"
    # Past the extra's check and the serve module's imports: only the address is refused.
    refused = run([server_only.parent / "askdocs", "serve", "--host", "203.0.113.1"],
                  cwd=tmp_path, status=2)  # fmt: skip
    assert refused.stderr.startswith("askdocs serve: cannot listen on 203.0.113.1:")
