"""Run the shell examples of README.md and docs/ that are marked runnable, against a real
`askdocs serve`: `nox -s docs` runs it, so an example that drifts from the CLI fails CI.

    python scripts/run_doc_examples.py README.md docs

An example is runnable when `<!-- docs:run -->` stands right before its ```bash (or ```sh)
fence, blank lines apart. Each runs in `bash -e -o pipefail`, in a fresh folder, as a reader
who has just started `askdocs serve` and copied the admin key it printed:

- one server on the embedded defaults serves every example, on a free port; the address
  `http://127.0.0.1:8000` in an example's text is replaced by the server's, and
  `ASKDOCS_URL` names it for the commands that default to that address;
- `KEY` holds the admin key the server printed (the README's `export KEY=askd_...`);
- the folder holds `.venv`, a link to the environment askdocs runs from (so `.venv/bin/askdocs`
  works as in the README), `manual.txt`, a one-line manual, and `manuals/`, a folder of two;
  `HOME` is the folder too, so `~/manuals/` is that folder;
- no other `ASKDOCS_*` variable is set, and the network is not needed.

A non-zero exit fails the example; its output is printed then. Exit 1 if any failed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path

MARKER = "<!-- docs:run -->"
DEFAULT_URL = "http://127.0.0.1:8000"
EXAMPLE_TIMEOUT_S = 120.0
SERVER_START_TIMEOUT_S = 60.0
_OPENING = re.compile(r"^```(?:bash|sh)\s*$")
_KEY_LINE = re.compile(r"^admin API key: (?P<key>\S+)$", re.M)
MANUAL = "To reset the device, hold the reset button for ten seconds.\n"
MANUALS = {
    "reset.md": "# Reset\n\nTo reset the device, hold the reset button for ten seconds.\n",
    "battery.txt": "The battery lasts twelve hours and charges in two.\n",
}


@dataclasses.dataclass(frozen=True)
class Example:
    """The shell text of one runnable example, and where it stands."""

    source: Path
    line: int
    script: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}"


def examples_in(path: Path) -> Iterator[Example]:
    """The runnable examples of one Markdown file; a marker without a shell fence after it is
    an error, so that a marker cannot silently run nothing."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines):
        if line.strip() != MARKER:
            continue
        start = number + 1
        while start < len(lines) and not lines[start].strip():
            start += 1
        if start == len(lines) or not _OPENING.match(lines[start]):
            raise ValueError(f"{path}:{number + 1}: {MARKER} is not followed by a bash fence")
        end = start + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        yield Example(path, start + 1, "\n".join(lines[start + 1 : end]) + "\n")


def markdown_files(paths: Iterable[Path]) -> list[Path]:
    """The Markdown files named, and those under the folders named."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.md")) if path.is_dir() else [path])
    return files


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_environment(home: Path) -> dict[str, str]:
    """This process's environment without any askdocs setting, at home in `home`."""
    environ = {name: value for name, value in os.environ.items() if not name.startswith("ASKDOCS_")}
    environ.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"))
    return environ


@dataclasses.dataclass(frozen=True)
class Server:
    url: str
    key: str


@contextlib.contextmanager
def served(folder: Path) -> Iterator[Server]:
    """`askdocs serve` on the embedded defaults on a free port, until the block ends."""
    port = free_port()
    output = folder / "serve.out"
    log = folder / "serve.log"
    askdocs = Path(sys.executable).parent / "askdocs"
    with output.open("w") as stdout, log.open("w") as stderr:
        process = subprocess.Popen(  # noqa: S603 (this environment's own askdocs)
            [str(askdocs), "serve", "--port", str(port)],
            cwd=folder,
            env=clean_environment(folder),
            stdout=stdout,
            stderr=stderr,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        key = _wait_until_ready(process, url, output, log)
        yield Server(url, key)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, output: Path, log: Path) -> str:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"askdocs serve exited {process.returncode}:\n{log.read_text()}")
        key = _KEY_LINE.search(output.read_text())
        if key and _answers(f"{url}/health/ready"):
            return key.group("key")
        time.sleep(0.2)
    raise RuntimeError(f"askdocs serve was not ready in {SERVER_START_TIMEOUT_S:g} s")


def _answers(url: str) -> bool:
    """Whether `url` (the server's own http:// address) answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (http://127.0.0.1)
            return bool(answer.status == 200)
    except OSError:
        return False


def lay_out(folder: Path) -> None:
    """What an example may find where it runs (see the module's docstring)."""
    (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (folder / "manual.txt").write_text(MANUAL, encoding="utf-8")
    (folder / "manuals").mkdir()
    for name, text in MANUALS.items():
        (folder / "manuals" / name).write_text(text, encoding="utf-8")


def run(example: Example, server: Server, workdir: Path) -> subprocess.CompletedProcess[str]:
    """Run `example` in a fresh folder under `workdir`."""
    folder = Path(tempfile.mkdtemp(prefix="example-", dir=workdir))
    lay_out(folder)
    environ = clean_environment(folder)
    environ.update(KEY=server.key, ASKDOCS_URL=server.url)
    script = example.script.replace(DEFAULT_URL, server.url)
    try:
        # The examples are the repository's own docs: running them is the point.
        return subprocess.run(  # noqa: S603
            ["bash", "-e", "-o", "pipefail", "-c", script],  # noqa: S607
            cwd=folder,
            env=environ,
            capture_output=True,
            text=True,
            timeout=EXAMPLE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(exc.cmd, 124, str(exc.stdout or ""), "timed out")


def main(argv: list[str]) -> int:
    files = markdown_files(Path(arg) for arg in argv or ["README.md", "docs"])
    examples = [example for path in files for example in examples_in(path)]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="askdocs-doc-examples-") as tmp:
        workdir = Path(tmp)
        (workdir / "server").mkdir()
        with served(workdir / "server") as server:
            for example in examples:
                started = time.monotonic()
                result = run(example, server, workdir)
                took = time.monotonic() - started
                print(f"{example}: exit {result.returncode} ({took:.1f} s)", flush=True)
                if result.returncode != 0:
                    failed += 1
                    print(result.stdout + result.stderr, file=sys.stderr, flush=True)
    print(f"{len(examples)} example(s) run, {failed} failed")
    return 1 if failed or not examples else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
