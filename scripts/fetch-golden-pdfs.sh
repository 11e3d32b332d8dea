#!/usr/bin/env bash
# Lay out the PDF corpus of tests/golden/debian_pdfs.jsonl (Debian 12, as root). Idempotent: a
# no-op (well under a second) when every PDF is in place already.
#   1. `apt-get install` the Debian documentation packages below that are not installed yet
#      (`apt-get update` is run first, once, only then);
#   2. copy each PDF to <dir>/<package>/<file>.pdf (a `.pdf.gz` is gunzipped into `.pdf`),
#      through a temporary file so an interrupted run leaves no half-written PDF. Where dpkg
#      was told to leave the docs out (path-exclude), the file is taken from the package's
#      .deb instead (`apt-get download` + `dpkg-deb --fsys-tarfile`).
# The file list must stay in step with tests/golden/debian_pdfs.corpus.txt.
# Prints the folder. Env: ASKDOCS_GOLDEN_PDFS (default /var/cache/askdocs/golden-pdfs).
set -euo pipefail

OUT=${ASKDOCS_GOLDEN_PDFS:-/var/cache/askdocs/golden-pdfs}

# package  installed path
FILES=(
    "r-doc-pdf /usr/share/R/doc/manual/R-intro.pdf"
    "r-doc-pdf /usr/share/R/doc/manual/R-data.pdf"
    "r-doc-pdf /usr/share/R/doc/manual/R-FAQ.pdf"
    "r-doc-pdf /usr/share/R/doc/manual/R-admin.pdf"
    "bash-doc /usr/share/doc/bash/bash.pdf"
    "glpk-doc /usr/share/doc/glpk-doc/gmpl.pdf"
    "glpk-doc /usr/share/doc/glpk-doc/graphs.pdf"
    "glpk-doc /usr/share/doc/glpk-doc/cnfsat.pdf"
    "gnuplot-doc /usr/share/doc/gnuplot/gnuplot.pdf"
    "asymptote-doc /usr/share/doc/asymptote/asy-latex.pdf"
    "asymptote-doc /usr/share/doc/asymptote/CAD.pdf"
    "asymptote-doc /usr/share/doc/asymptote/asyRefCard.pdf"
    "asymptote-doc /usr/share/doc/asymptote/TeXShopAndAsymptote.pdf"
    "pari-doc /usr/share/pari/doc/tutorial.pdf"
    "pari-doc /usr/share/pari/doc/parallel.pdf"
    "pari-doc /usr/share/pari/doc/INSTALL.pdf"
    "pari-doc /usr/share/pari/doc/develop.pdf"
    "maint-guide /usr/share/doc/maint-guide/maint-guide.en.pdf"
    "developers-reference /usr/share/developers-reference/developers-reference.pdf"
    "debian-policy /usr/share/doc/debian-policy/policy.pdf.gz"
    "debian-policy /usr/share/doc/debian-policy/fhs/fhs-3.0.pdf.gz"
    "xorg-docs /usr/share/doc/xorg-docs/README.pdf.gz"
    "xorg-docs /usr/share/doc/xorg-docs/ReleaseNotes.pdf.gz"
    "xorg-docs /usr/share/doc/xorg-docs/fonts/fonts.pdf.gz"
    "xorg-docs /usr/share/doc/xorg-docs/input/XKB-Config.pdf.gz"
    "xorg-docs /usr/share/doc/xorg-docs/input/XKB-Enhancing.pdf.gz"
    "xorg-docs /usr/share/doc/xorg-docs/ctext/ctext.pdf.gz"
    "xorg-docs /usr/share/doc/xorg-docs/xlfd/xlfd.pdf.gz"
    "xorg-docs /usr/share/doc/xorg-docs/icccm/icccm.pdf.gz"
    "scons-doc /usr/share/doc/scons/PDF/scons-user.pdf.gz"
    "ddd-doc /usr/share/doc/ddd/ddd.pdf.gz"
)

dest_of() { # package path -> <OUT>/<package>/<basename without .gz>
    local name=${2##*/}
    echo "$OUT/$1/${name%.gz}"
}

# Fast path: everything in place.
missing=()
for entry in "${FILES[@]}"; do
    read -r pkg src <<<"$entry"
    [[ -s $(dest_of "$pkg" "$src") ]] || missing+=("$entry")
done
if ((${#missing[@]} == 0)); then
    echo "$OUT"
    exit 0
fi

for tool in apt-get dpkg-query dpkg-deb gunzip; do
    command -v "$tool" >/dev/null || { echo "missing $tool (Debian only)" >&2; exit 1; }
done

# 1. Install the packages that are not installed yet.
declare -A seen=()
to_install=()
for entry in "${missing[@]}"; do
    read -r pkg _ <<<"$entry"
    [[ -z ${seen[$pkg]:-} ]] || continue
    seen[$pkg]=1
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || to_install+=("$pkg")
done
if ((${#to_install[@]})); then
    if ((EUID != 0)); then
        echo "run as root to install: ${to_install[*]}" >&2
        exit 1
    fi
    echo "installing ${to_install[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${to_install[@]}" >/dev/null
fi

# 2. Copy (or gunzip) each missing PDF into place.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
from_deb() { # package path -> path of the file extracted from the package's .deb
    local pkg=$1 src=$2 tree=$WORK/tree-$1
    if [[ ! -d $tree ]]; then
        mkdir -p "$tree"
        (cd "$WORK" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null)
        dpkg-deb -x "$WORK/${pkg}"_*.deb "$tree"
    fi
    echo "$tree$src"
}
for entry in "${missing[@]}"; do
    read -r pkg src <<<"$entry"
    dest=$(dest_of "$pkg" "$src")
    from=$src
    [[ -f $from ]] || from=$(from_deb "$pkg" "$src")
    [[ -f $from ]] || { echo "$pkg does not ship $src" >&2; exit 1; }
    mkdir -p "${dest%/*}"
    tmp=$dest.part
    if [[ $from == *.gz ]]; then
        gunzip -c "$from" >"$tmp"
    else
        cp "$from" "$tmp"
    fi
    [[ $(head -c 5 "$tmp") == %PDF- ]] || { echo "$from is not a PDF" >&2; rm -f "$tmp"; exit 1; }
    mv "$tmp" "$dest"
done

echo "$OUT"
