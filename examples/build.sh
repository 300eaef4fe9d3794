#!/usr/bin/env bash
# Recreate the issued documents of the example folders from their draft sources.
#
#   bash examples/build.sh [PYTHON]      (default: .venv/bin/python of the repository)
#
# Each file examples/sources/<example>/<YYYY-MM-DD>_<name>.yaml is copied to
# examples/<example>/drafts/<name>.yaml and issued by the real command,
#   facturo issue drafts/<name>.yaml --date <YYYY-MM-DD>
# in date order, so the issued files are canonical and sealed exactly as a user's would be.
# Issued documents are never edited: run this only to rebuild the examples from scratch
# (after changing a source, or when the document format changes), then commit the result.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
python="${1:-$repo/.venv/bin/python}"
unset FACTURO_DIR FACTURO_TODAY FACTURO_NO_CACHE

facturo() { "$python" -m facturo "$@"; }
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

for sources in "$here"/sources/*/; do
    example="$(basename "$sources")"
    folder="$here/$example"
    [[ -f "$folder/facturo.yaml" ]] || { echo "$folder/facturo.yaml is missing" >&2; exit 1; }
    echo "== $example"
    rm -rf "$folder/invoices" "$folder/credit-notes" "$folder/quotes" "$folder/.facturo"
    for source in "$sources"*.yaml; do
        base="$(basename "$source")"
        date="${base%%_*}"
        draft="$folder/drafts/${base#*_}"
        if [[ -e "$draft" ]]; then
            echo "$draft exists: a hand-written draft has the name of a source" >&2
            exit 1
        fi
        cp "$source" "$draft"
        if ! number="$(facturo --dir "$folder" issue "$draft" --date "$date" 2>"$log")"; then
            cat "$log" >&2
            exit 1
        fi
        printf '%s  %-40s %s\n' "$date" "${base#*_}" "$number"
    done
    facturo --dir "$folder" check
    rm -rf "$folder/.facturo"
done
