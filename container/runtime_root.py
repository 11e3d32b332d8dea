"""Lay out the image's root filesystem: only the files of the Debian packages the service runs
on (Python, the C libraries beneath it and the wheels, tini), none of a package manager, shell
or coreutils (ADR 0048).

Run as root in the build stage, where those packages are installed:
``python3 runtime_root.py DEST PACKAGE...``. The packages named and everything they depend on
(their Depends and Pre-Depends, as installed) are copied with their symlinks; documentation,
manuals, translations and glibc's character-set converters are left out. Files that package
scripts generate rather than ship (the CA bundle, the standard library's bytecode, the loader's
cache) are added or made here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

LEFT_OUT = re.compile(
    r"^/usr/share/(doc|doc-base|man|info|locale|lintian|bug|bash-completion)/"
    r"|^/usr/lib/x86_64-linux-gnu/gconv/"
)
"""What no process of the service reads (Python has its own codecs; glibc's gconv is for iconv)."""
GENERATED = ("/etc/ssl/certs/ca-certificates.crt", "/etc/nsswitch.conf")
"""Files made by package scripts rather than shipped, kept when present."""
TRUST_STORE = ("/usr/lib/ssl/cert.pem", "/usr/lib/ssl/certs")
"""OpenSSL's default CA file and folder: symlinks to the bundle, from the `openssl` package,
whose command the image does not need."""
NOT_AT_RUN_TIME = frozenset({"dpkg", "tar", "install-info", "debconf", "perl-base"})
"""Packages that others depend on for their install scripts only (readline-common on dpkg)."""
MERGED_USR = ("/bin", "/sbin", "/lib", "/lib64")
"""Debian 12's top-level symlinks into /usr."""


def installed_packages() -> dict[str, str]:
    """Installed package name -> its Depends and Pre-Depends."""
    fields = "${db:Status-Abbrev}\t${Package}\t${Pre-Depends}, ${Depends}\n"
    listing = subprocess.run(  # noqa: S603 (a fixed command)
        ["/usr/bin/dpkg-query", "-W", "-f", fields], check=True, capture_output=True, text=True
    ).stdout
    packages = {}
    for line in listing.splitlines():
        status, name, depends = line.split("\t")
        if status.startswith("ii"):
            packages[name] = depends
    return packages


def closure(roots: list[str], packages: dict[str, str]) -> set[str]:
    """The packages in `roots` and all they depend on; of alternatives, those installed."""
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen or name in NOT_AT_RUN_TIME:
            continue
        if name not in packages:
            raise SystemExit(f"runtime_root: {name} is not installed")
        seen.add(name)
        for clause in filter(None, (c.strip() for c in packages[name].split(","))):
            choices = [re.split(r"[\s(:]", alt.strip())[0] for alt in clause.split("|")]
            pending.extend(choice for choice in choices if choice in packages)
    return seen


def package_files(name: str) -> list[str]:
    listed = subprocess.run(  # noqa: S603 (the names of installed packages)
        ["/usr/bin/dpkg-query", "-L", name], check=True, capture_output=True, text=True
    )
    return [path for path in listed.stdout.splitlines() if path.startswith("/")]


def copy_entry(path: str, dest: Path) -> None:
    """Copy one file or symlink (not a directory's contents) to the same place under `dest`,
    through the merged-/usr symlinks, keeping modes and times."""
    source = Path(os.path.realpath(os.path.dirname(path))) / os.path.basename(path)
    if not os.path.lexists(source) or (source.is_dir() and not source.is_symlink()):
        return
    target = dest / source.relative_to("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        return
    if source.is_symlink():
        target.symlink_to(os.readlink(source))
    else:
        shutil.copy2(source, target)
        for cached in _bytecode_of(source):
            copy_entry(str(cached), dest)


def _bytecode_of(source: Path) -> list[Path]:
    """The standard library's .pyc, which Debian compiles at install rather than ships."""
    if source.suffix != ".py":
        return []
    cache = source.parent / "__pycache__"
    return sorted(cache.glob(f"{source.stem}.*.pyc")) if cache.is_dir() else []


def main(dest: Path, roots: list[str]) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for link in MERGED_USR:
        if os.path.islink(link) and not (dest / link[1:]).is_symlink():
            (dest / link[1:]).symlink_to(os.readlink(link))
    chosen = closure(roots, installed_packages())
    for name in sorted(chosen):
        for path in package_files(name):
            if not LEFT_OUT.search(path):
                copy_entry(path, dest)
    for path in (*GENERATED, *TRUST_STORE):
        if os.path.lexists(path):
            copy_entry(path, dest)
    for folder, mode in (("tmp", 0o1777), ("etc", 0o755), ("proc", 0o555), ("sys", 0o555),
                         ("dev", 0o755), ("run", 0o755)):  # fmt: skip
        (dest / folder).mkdir(exist_ok=True)
        (dest / folder).chmod(mode)
    for mounted in ("etc/hosts", "etc/hostname", "etc/resolv.conf"):
        (dest / mounted).touch()  # the runtime binds over them, also on a read-only root
    subprocess.run(["/sbin/ldconfig", "-r", str(dest)], check=True)  # noqa: S603 (fixed)
    print(f"runtime_root: {len(chosen)} packages: {' '.join(sorted(chosen))}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
