#!/usr/bin/env bash
# Recreate the issued documents of the example folders from their sources and events.
#
#   bash examples/build.sh [PYTHON]      (default: .venv/bin/python of the repository)
#
# Each file examples/sources/<example>/<YYYY-MM-DD>_<name>.yaml is copied to
# examples/<example>/drafts/<name>.yaml and issued by the real command,
#   facturo issue drafts/<name>.yaml --date <YYYY-MM-DD>
# Each line of examples/sources/<example>/events.txt, `<YYYY-MM-DD> <command> <args>`
# (blank lines and # comments aside; arguments are quoted as in a shell), is run as
#   facturo --today <YYYY-MM-DD> <command> <args>
# inside the example folder: pay, credit, accept, decline, or issue (of a draft that
# `accept` wrote). Sources and events run in date order; on one day the sources first,
# then the events in the order of the file. So the issued files, with their payments,
# credit notes and acceptances, are exactly what a user's commands would have written.
# Issued documents are never edited: run this only to rebuild the examples from scratch
# (after changing a source or an event, or when the document format changes), then commit
# the result. The output is byte-for-byte the same on every run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
python="${1:-$repo/.venv/bin/python}"
python="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")"
unset FACTURO_DIR FACTURO_TODAY FACTURO_NO_CACHE
# Each example is rebuilt from scratch: the git history of the repository holds earlier
# builds, whose numbers and seals facturo would rightly take for issued documents deleted
# or replaced. So git is not looked up above the examples while they are rebuilt.
export GIT_CEILING_DIRECTORIES="$here"
export FACTURO_PDF=0 # out/ is not part of the examples (git-ignored): no need to render

facturo() { "$python" -m facturo "$@"; }
log="$(mktemp)"
plan="$(mktemp)"
trap 'rm -f "$log" "$plan"' EXIT

# The words of an event line, split as a shell would, without evaluating anything.
words() {
    "$python" -c 'import shlex, sys; print(*shlex.split(sys.argv[1]), sep="\n")' "$1"
}

for sources in "$here"/sources/*/; do
    example="$(basename "$sources")"
    folder="$here/$example"
    events="$sources/events.txt"
    [[ -f "$folder/facturo.yaml" ]] || { echo "$folder/facturo.yaml is missing" >&2; exit 1; }
    echo "== $example"
    rm -rf "$folder/invoices" "$folder/credit-notes" "$folder/quotes" "$folder/.facturo"

    # The plan: date, sources before events, order, kind, what. Sorted, it is the replay.
    : >"$plan"
    seq=0
    for source in "$sources"*.yaml; do
        base="$(basename "$source")"
        seq=$((seq + 1))
        printf '%s\t0\t%05d\tsource\t%s\n' "${base%%_*}" "$seq" "$source" >>"$plan"
    done
    if [[ -f "$events" ]]; then
        number=0
        while IFS= read -r line || [[ -n "$line" ]]; do
            number=$((number + 1))
            [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
            if [[ ! "$line" =~ ^([0-9]{4}-[0-9]{2}-[0-9]{2})[[:space:]]+(pay|credit|accept|decline|issue)[[:space:]] ]]; then
                echo "$events:$number: expected '<YYYY-MM-DD> pay|credit|accept|decline|issue ...'" >&2
                exit 1
            fi
            printf '%s\t1\t%05d\tevent\t%s\n' "${BASH_REMATCH[1]}" "$number" "${line#*[[:space:]]}" >>"$plan"
            if [[ "${BASH_REMATCH[2]}" == accept ]]; then
                # The drafts `accept` writes, left by an earlier build if never issued.
                quote="$(words "${line#*[[:space:]]}" | sed -n 2p)"
                rm -f "$folder/drafts/$quote-invoice.yaml" "$folder/drafts/$quote-deposit.yaml"
            fi
        done <"$events"
    fi

    while IFS=$'\t' read -r date _ _ kind what; do
        if [[ "$kind" == source ]]; then
            base="$(basename "$what")"
            draft="$folder/drafts/${base#*_}"
            if [[ -e "$draft" ]]; then
                echo "$draft exists: a hand-written draft has the name of a source" >&2
                exit 1
            fi
            cp "$what" "$draft"
            if ! result="$(facturo --dir "$folder" issue "$draft" --date "$date" 2>"$log")"; then
                cat "$log" >&2
                exit 1
            fi
            printf '%s  %-44s %s\n' "$date" "${base#*_}" "$result"
        else
            mapfile -t args < <(words "$what")
            if ! result="$(cd "$folder" && facturo --dir . --today "$date" "${args[@]}" 2>"$log")"; then
                echo "events.txt, $date: facturo ${args[*]}" >&2
                cat "$log" >&2
                exit 1
            fi
            printf '%s  %-44s %s\n' "$date" "$what" "$(tr '\n' ' ' <<<"$result" | sed 's/ *$//')"
        fi
    done < <(sort -t $'\t' -k1,1 -k2,2n -k3,3n "$plan")

    facturo --dir "$folder" check
    rm -rf "$folder/.facturo"
done
