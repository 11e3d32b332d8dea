"""What the image's virtualenv holds: each distribution's size on disk (its files as RECORD
lists them, plus the bytecode compiled in the build), largest first. `nox -s container` prints
it."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path


def size_of(distribution: importlib.metadata.Distribution) -> int:
    total = 0
    for listed in distribution.files or []:
        path = Path(str(distribution.locate_file(listed)))
        if path.is_file():
            total += path.stat().st_size
            cached = path.parent / "__pycache__"
            if path.suffix == ".py" and cached.is_dir():
                total += sum(p.stat().st_size for p in cached.glob(f"{path.stem}.*.pyc"))
    return total


if __name__ == "__main__":
    top = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    sizes = sorted(
        ((size_of(d), d.metadata["Name"]) for d in importlib.metadata.distributions()),
        reverse=True,
    )
    print(f"{sum(size for size, _ in sizes) / 1e6:6.1f} MB in {len(sizes)} distributions")
    for size, name in sizes[:top]:
        print(f"{size / 1e6:6.1f} MB  {name}")
