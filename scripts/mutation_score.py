"""Mutation score per package, from the results mutmut left in ./mutants (run by `nox -s mutation`).

A mutant counts as killed when a test failed on it, when it timed out (it hung the code, which
a test noticed) or when the type checker refused it. The score is killed over the mutants that
were checked: a mutant no test reaches ("no tests") counts as a survivor, not as left out.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

PACKAGES = ("askdocs/domain", "askdocs/application")
KILLED = frozenset({"killed", "timeout", "caught by type check"})
NOT_COUNTED = frozenset({"not checked", "skipped", "check was interrupted by user"})


def statuses(package: str) -> Counter[str]:
    """How many of the package's mutants ended in each state."""
    counts: Counter[str] = Counter()
    for meta in sorted((Path("mutants") / package).rglob("*.py.meta")):
        for exit_code in json.loads(meta.read_text())["exit_code_by_key"].values():
            counts[status_by_exit_code[exit_code]] += 1
    return counts


def pragmas(package: str) -> int:
    """How many lines of the package's source opt out of mutation."""
    return sum(path.read_text().count("pragma: no mutate") for path in Path(package).rglob("*.py"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument(
        "--fail-under", type=float, help="exit 1 when a package scores below this per cent"
    )
    fail_under = parser.parse_args().fail_under
    rows = []
    for package in PACKAGES:
        counts = statuses(package)
        checked = sum(n for status, n in counts.items() if status not in NOT_COUNTED)
        killed = sum(counts[status] for status in KILLED)
        score = killed / checked if checked else 0.0
        rows.append((package.removeprefix("askdocs/") + "/", counts, checked, killed, score))
    print("| package | mutants | checked | killed | survived | no tests | timeout | score |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, counts, checked, killed, score in rows:
        print(
            f"| {name} | {counts.total()} | {checked} | {killed} | {counts['survived']}"
            f" | {counts['no tests']} | {counts['timeout']} | {score:.1%} |"
        )
    all_checked = sum(row[2] for row in rows)
    all_killed = sum(row[3] for row in rows)
    total = all_killed / all_checked if all_checked else 0.0
    print(f"| both | | {all_checked} | {all_killed} | | | | {total:.1%} |")
    print("lines with `pragma: no mutate`:", sum(pragmas(package) for package in PACKAGES))
    below = [row[0] for row in rows if fail_under is not None and row[4] * 100 < fail_under]
    if below:
        print(f"below {fail_under:g} %: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
