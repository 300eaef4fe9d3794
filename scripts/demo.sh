#!/usr/bin/env bash
# A tour of facturo on a copy of examples/freelance (the checkout is never touched).
#
#   bash scripts/demo.sh PYTHON        (make demo: bash scripts/demo.sh .venv/bin/python)
set -euo pipefail

python="${1:?usage: bash scripts/demo.sh PYTHON}"
python="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
unset FACTURO_DIR FACTURO_TODAY FACTURO_NO_CACHE
export PYTHONUNBUFFERED=1 # keep stdout and stderr lines in order in a pipe
exec 2>&1

SHOWN_INVOICE=F-2026-0004 # three VAT rates, line and document discounts
DRAFT=drafts/velo-partage-sprint-4.yaml
LAST_ISSUE_DATE=2026-11-20 # of the example's last invoice: numbers follow dates

demo_root="$(mktemp -d "${TMPDIR:-/tmp}/facturo-demo.XXXXXX")"
folder="$demo_root/freelance"
cp -R "$repo/examples/freelance" "$folder"
rm -rf "$folder/.facturo" "$folder/out"
cd "$folder"

facturo() { "$python" -m facturo "$@"; }

step() {
    printf '\n== %s\n$ facturo %s\n' "$1" "${*:2}"
}

echo "facturo demo on a copy of examples/freelance: $folder"

step "Validate the whole folder (config, clients, drafts, seals, numbering)" check
facturo check
echo "(no output: no problem)"

step "Issued documents, with derived status" list
facturo list

step "One invoice" show "$SHOWN_INVOICE"
facturo show "$SHOWN_INVOICE"

issue_date="$(date +%F)"
if [[ "$issue_date" < "$LAST_ISSUE_DATE" ]]; then
    # A clock before the example's last invoice: move facturo's "today" instead.
    issue_date=2026-11-30
    export FACTURO_TODAY="$issue_date"
fi
step "Issue a draft: it gets the next number, is sealed, the draft is removed" \
    issue "$DRAFT" --date "$issue_date"
number="$(facturo issue "$DRAFT" --date "$issue_date")"
echo "$number"

step "The list again" list
facturo list

step "Render it again (issue already did): a Factur-X PDF/A-3" render "$number"
facturo render "$number"
echo "PDF: $folder/out/${issue_date:0:4}/$number.pdf"

STATEMENT=bank/releve-2026-11.xml
step "Import a bank statement (CAMT.053): credits matched to invoices, recorded as payments" \
    bank import "$STATEMENT"
facturo bank import "$STATEMENT"

step "The same statement again: each bank transaction is recorded once" \
    bank import "$STATEMENT"
facturo bank import "$STATEMENT"

step "Write off the 0.50 EUR the client's bank kept, as the import proposed" \
    pay F-2026-0014 --write-off
facturo pay F-2026-0014 --write-off

step "Late invoices: penalties and the reminder level due (remind --send emails them)" remind
facturo remind

step "Subscriptions: their next billing date and yearly value" subscription list
facturo subscription list

step "Bill each subscription period due, once (cron runs it daily; a second run does nothing)" recur
facturo recur
facturo recur

step "Time and materials: the hours tracked in time/ not billed yet" time list --unbilled
facturo time list --unbilled

step "Bill Vélo Partage's November hours: one line per project, each entry rounded up to 15 min" \
    bill-time velo-partage --from 2026-11-01 --to 2026-11-30 --round 15m
written="$(facturo bill-time velo-partage --from 2026-11-01 --to 2026-11-30 --round 15m)"
echo "$written"
time_draft="${written#wrote }"
time_draft="${time_draft%%:*}"
cat "$time_draft"

step "The same again: the entries are in that draft already, nothing is billed twice" \
    bill-time velo-partage
facturo bill-time velo-partage

step "A draft from the catalog: two training days at the catalog's price" \
    new --client halles-numeriques --item formation-python:2
facturo new --client halles-numeriques --item formation-python:2

step "A client's account statement" statement kiezlabor
facturo statement kiezlabor

step "Revenue per quarter: invoiced and collected, net, VAT and gross" report revenue --by quarter
facturo report revenue --by quarter --chart
facturo report revenue --by quarter

step "VAT for the return: goods on the invoice date, services on payment" report vat --period 2026
facturo report vat --period 2026

printf '\nThe demo folder is %s (remove it with: rm -rf %s)\n' "$folder" "$demo_root"
