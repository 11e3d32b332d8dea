"""Check the licenses of every distribution installed beside this Python against a policy.

Run with the Python of the environment to check (`nox -s licenses` makes one from uv.lock):

    python scripts/check_licenses.py security/licenses.toml

A distribution's license is read from its metadata, most precise first: the SPDX
`License-Expression` (PEP 639); else a one-line `License` field that is an SPDX expression
or a known alias; else its `License ::` classifiers (several mean a choice between them).
A distribution passes when its expression is satisfied by the policy's `allowed` ids (`OR`:
either side, `AND`: both), or when the policy's `reviewed` table names it with the version
checked and a reason. Exit status 1 lists every distribution that fails.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter
from importlib import metadata
from pathlib import Path

CLASSIFIER = "License :: OSI Approved :: "
# What classifiers and free-text License fields say, as SPDX ids. The BSD classifier names no
# clause count: "BSD" stands for the family, every member of which is permissive.
ALIASES = {
    "Apache Software License": "Apache-2.0",
    "Apache 2.0": "Apache-2.0",
    "Apache License, Version 2.0": "Apache-2.0",
    "MIT License": "MIT",
    "BSD License": "BSD",
    "3-Clause BSD License": "BSD-3-Clause",
    "ISC License (ISCL)": "ISC",
    "ISC License": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
}
TOKEN = re.compile(r"\(|\)|[^\s()]+")


class Unreadable(ValueError):
    """The metadata states no license this script can read."""


def declared_expression(dist: metadata.Distribution) -> str:
    """The distribution's license as an SPDX-like expression, or raise Unreadable."""
    meta = dist.metadata
    expression = _field(meta, "License-Expression")
    if expression:
        return expression
    field = _field(meta, "License")
    if field and "\n" not in field:
        candidate = ALIASES.get(field, field)
        if _is_expression(candidate):
            return candidate
    classifiers = [
        ALIASES.get(c.removeprefix(CLASSIFIER), c.removeprefix(CLASSIFIER))
        for c in meta.get_all("Classifier") or []
        if c.startswith(CLASSIFIER)
    ]
    if classifiers:
        return " OR ".join(classifiers)
    raise Unreadable(field.splitlines()[0][:60] if field else "no license in the metadata")


def _field(meta: metadata.PackageMetadata, name: str) -> str:
    values = meta.get_all(name) or []
    return str(values[0]).strip() if values else ""


def _is_expression(text: str) -> bool:
    """Whether `text` reads as ids joined by AND/OR/WITH (no free prose)."""
    tokens = [t for t in TOKEN.findall(text) if t not in "()"]
    return bool(tokens) and all(
        re.fullmatch(r"[A-Za-z0-9.+-]+", t) and (t in ("AND", "OR", "WITH") or t[0].isupper())
        for t in tokens
    )


def satisfied(expression: str, allowed: set[str]) -> bool:
    """Evaluate an SPDX expression: AND binds tighter than OR; `X WITH exception` is X."""
    tokens: list[str] = TOKEN.findall(expression)
    position = 0

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def term() -> bool:
        if peek() == "(":
            take()
            value = either()
            take()  # ")"
        else:
            value = take() in allowed
        if peek() == "WITH":
            take()
            take()  # the exception's id
        return value

    def both() -> bool:
        value = term()
        while peek() == "AND":
            take()
            value = term() and value
        return value

    def either() -> bool:
        value = both()
        while peek() == "OR":
            take()
            value = both() or value
        return value

    return either()


def main(policy_path: str) -> int:
    policy = tomllib.loads(Path(policy_path).read_text(encoding="utf-8"))
    allowed = set(policy["allowed"])
    reviewed = policy.get("reviewed", {})
    counts: Counter[str] = Counter()
    failures = []
    for dist in sorted(metadata.distributions(), key=lambda d: d.metadata["Name"].lower()):
        name, version = dist.metadata["Name"], dist.version
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in reviewed:
            entry = reviewed[key]
            if entry["version"] != version:
                failures.append(f"{name} {version}: reviewed at {entry['version']}, review again")
            counts[f"{entry['license']} (reviewed)"] += 1
            continue
        try:
            expression = declared_expression(dist)
        except Unreadable as unreadable:
            failures.append(f"{name} {version}: unreadable license ({unreadable})")
            continue
        counts[expression] += 1
        if not satisfied(expression, allowed):
            failures.append(f"{name} {version}: {expression}")
    for expression, count in counts.most_common():
        print(f"{count:4d}  {expression}")
    print(f"{sum(counts.values())} distributions checked, {len(failures)} refused")
    for failure in failures:
        print(f"refused: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
