"""The two checks `nox -s docs` runs besides the linter: relative links and anchors
(scripts/check_doc_links.py), and the runnable shell examples (scripts/run_doc_examples.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while they are made
    spec.loader.exec_module(module)
    return module


links = _script("check_doc_links")
examples = _script("run_doc_examples")


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Quickstart", "quickstart"),
        ("Use askdocs as a library", "use-askdocs-as-a-library"),
        ("PostgreSQL + pgvector (issue: PostgreSQL)", "postgresql--pgvector-issue-postgresql"),
        ("A local model in process (llama.cpp)", "a-local-model-in-process-llamacpp"),
        (
            "Checking from a terminal: `askdocs health` and `askdocs db status`",
            "checking-from-a-terminal-askdocs-health-and-askdocs-db-status",
        ),
        ("The [API](api.md) and worker_settings", "the-api-and-worker_settings"),
        ("1M chunks", "1m-chunks"),
    ],
)
def test_a_heading_gets_the_anchor_github_gives_it(heading: str, anchor: str) -> None:
    assert links.slug(heading) == anchor


def test_a_repeated_heading_gets_a_numbered_anchor_and_headings_in_code_none() -> None:
    markdown = '# Runs\n\n## Run\n\n```bash\n# Not a heading\n```\n\n## Run\n\n<a id="here"></a>\n'
    assert links.anchors(markdown) == {"runs", "run", "run-1", "here"}


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_links_to_missing_files_and_headings_are_reported_and_good_ones_are_not(
    tmp_path: Path,
) -> None:
    _write(tmp_path, "docs/api.md", "# HTTP API\n\n## Errors\n")
    readme = _write(
        tmp_path,
        "README.md",
        "See [the errors](docs/api.md#errors), [the\nAPI](docs/api.md), [home](#top),\n"
        "[gone](docs/gone.md), [wrong](docs/api.md#no-such) and [x](https://example.org/#y).\n"
        "\n# Top\n\n[ref]: docs/missing/\n",
    )
    broken = [(link.line, link.target) for link in links.check_file(readme)]
    assert broken == [(3, "docs/gone.md"), (3, "docs/api.md#no-such"), (7, "docs/missing/")]


def test_links_inside_code_are_text_not_links(tmp_path: Path) -> None:
    readme = _write(
        tmp_path,
        "README.md",
        "`[a](nowhere.md)` and ``[b](`nowhere.md`)``\n\n```markdown\n[c](nowhere.md)\n```\n",
    )
    assert list(links.check_file(readme)) == []


def test_only_a_marked_bash_fence_is_an_example(tmp_path: Path) -> None:
    page = _write(
        tmp_path,
        "page.md",
        "```bash\nnot run\n```\n\n<!-- docs:run -->\n\n```bash\necho one\necho two\n```\n"
        "\n<!-- docs:run -->\n```sh\necho three\n```\n",
    )
    found = list(examples.examples_in(page))
    assert [(example.line, example.script) for example in found] == [
        (7, "echo one\necho two\n"),
        (13, "echo three\n"),
    ]


def test_a_marker_before_anything_but_a_shell_fence_is_an_error(tmp_path: Path) -> None:
    page = _write(tmp_path, "page.md", "<!-- docs:run -->\n```python\nprint()\n```\n")
    with pytest.raises(ValueError, match=r"page\.md:1: .* is not followed by a bash fence"):
        list(examples.examples_in(page))


def test_an_example_runs_where_the_manual_lies_with_the_server_s_address_and_key(
    tmp_path: Path,
) -> None:
    script = (
        'test -f manual.txt && test -d manuals && test "$KEY" = askd_k\n'
        'test "$ASKDOCS_URL" = http://127.0.0.1:1234 && test "$HOME" = "$PWD"\n'
        "echo http://127.0.0.1:8000/health/ready\n"
    )
    example = examples.Example(tmp_path / "page.md", 1, script)
    result = examples.run(example, examples.Server("http://127.0.0.1:1234", "askd_k"), tmp_path)
    assert (result.returncode, result.stdout) == (0, "http://127.0.0.1:1234/health/ready\n")


def test_an_example_fails_at_its_first_failing_command(tmp_path: Path) -> None:
    example = examples.Example(tmp_path / "page.md", 1, "false\necho not reached\n")
    result = examples.run(example, examples.Server("http://127.0.0.1:1234", "k"), tmp_path)
    assert (result.returncode, result.stdout) == (1, "")


def test_the_examples_see_no_askdocs_setting_of_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASKDOCS_DATABASE__URL", "postgresql://elsewhere/askdocs")
    example = examples.Example(tmp_path / "page.md", 1, 'test -z "${ASKDOCS_DATABASE__URL:-}"\n')
    result = examples.run(example, examples.Server("http://127.0.0.1:1234", "k"), tmp_path)
    assert result.returncode == 0
