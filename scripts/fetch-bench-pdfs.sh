#!/usr/bin/env bash
# Fetch a folder of real PDFs for the ingestion benchmark (Debian 12, run as root or any user
# that can run apt-get download). Idempotent: a no-op (~0 s) when the folder already holds at
# least $MIN_PDFS PDFs.
#   1. `apt-get download` the documentation packages below into <cache>/debs (no install; a
#      .deb already there for a package is reused; `apt-get update` is run once as root when
#      apt does not know a package yet);
#   2. `dpkg-deb -x` each into a scratch dir and keep only regular *.pdf and *.pdf.gz files
#      (gunzipped), dropping any that do not start with the %PDF- header;
#   3. flatten them into <cache>/pdfs with unique names (the path under usr/share/doc with '/'
#      turned into '__', e.g. texlive-doc__latex__base__ltnews30.pdf), swapped in whole so an
#      interrupted run leaves no half-filled folder.
# texlive-latex-base-doc alone (~85 MB download, ~105 MB unpacked) ships ~269 text-bearing
# PDFs of 1 to ~1600 pages (LaTeX kernel sources, guides, ltnews issues, package manuals).
# Prints one line `<n> PDFs, <bytes> bytes in <dir>`.
# Env: ASKDOCS_BENCH_CACHE (default $HOME/.cache/askdocs-bench), MIN_PDFS (220),
#      KEEP_DEBS=0 deletes the downloaded .debs once extracted.
set -euo pipefail

PACKAGES=(texlive-latex-base-doc)
CACHE=${ASKDOCS_BENCH_CACHE:-$HOME/.cache/askdocs-bench}
OUT=$CACHE/pdfs
DEBS=$CACHE/debs
MIN_PDFS=${MIN_PDFS:-220}
KEEP_DEBS=${KEEP_DEBS:-1}

count_pdfs() { find "$1" -maxdepth 1 -type f -name '*.pdf' | wc -l; }
report() {
    local n bytes
    n=$(count_pdfs "$OUT")
    bytes=$(find "$OUT" -maxdepth 1 -type f -name '*.pdf' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
    echo "$n PDFs, $bytes bytes in $OUT"
}

if [[ -d $OUT ]] && (($(count_pdfs "$OUT") >= MIN_PDFS)); then
    report
    exit 0
fi

for tool in apt-get apt-cache dpkg-deb gunzip; do
    command -v "$tool" >/dev/null || { echo "missing $tool (Debian/Ubuntu only)" >&2; exit 1; }
done

mkdir -p "$CACHE" "$DEBS"
WORK=$(mktemp -d "$CACHE/.work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
STAGE=$WORK/pdfs
mkdir -p "$STAGE"

updated=0
for pkg in "${PACKAGES[@]}"; do
    if ! apt-cache show "$pkg" >/dev/null 2>&1; then
        if ((updated == 0)) && ((EUID == 0)); then
            apt-get update -qq
            updated=1
        fi
        apt-cache show "$pkg" >/dev/null 2>&1 || { echo "apt does not know $pkg (run apt-get update?)" >&2; exit 1; }
    fi
    debs=("$DEBS/${pkg}"_*.deb)
    if [[ ! -f ${debs[0]} ]]; then
        echo "downloading $pkg" >&2
        # As root apt would drop to _apt, which cannot write under a 0700 $HOME: fetch as root.
        sandbox=()
        ((EUID != 0)) || sandbox=(-o APT::Sandbox::User=root)
        (cd "$WORK" && apt-get download -q "${sandbox[@]}" "$pkg" >/dev/null)
        mv "$WORK/${pkg}"_*.deb "$DEBS/"
        debs=("$DEBS/${pkg}"_*.deb)
    fi
    deb=${debs[-1]}
    tree=$WORK/tree
    rm -rf "$tree"
    dpkg-deb -x "$deb" "$tree"
    while IFS= read -r -d '' f; do
        rel=${f#"$tree"/}
        rel=${rel#usr/share/doc/}
        rel=${rel%.gz}
        name=${rel//\//__}
        dest=$STAGE/$name
        i=1
        while [[ -e $dest ]]; do dest=$STAGE/${name%.pdf}-$i.pdf; i=$((i + 1)); done
        if [[ $f == *.gz ]]; then
            gunzip -c "$f" >"$dest" 2>/dev/null || { rm -f "$dest"; continue; }
        else
            mv "$f" "$dest"
        fi
        [[ $(head -c 5 "$dest") == %PDF- ]] || rm -f "$dest"
    done < <(find "$tree" -type f \( -name '*.pdf' -o -name '*.pdf.gz' \) -print0)
    rm -rf "$tree"
    [[ $KEEP_DEBS == 1 ]] || rm -f "$deb"
done

n=$(count_pdfs "$STAGE")
if ((n < MIN_PDFS)); then
    echo "only $n PDFs extracted from ${PACKAGES[*]}, expected >= $MIN_PDFS" >&2
    exit 1
fi
rm -rf "$OUT"
mv "$STAGE" "$OUT"
report
