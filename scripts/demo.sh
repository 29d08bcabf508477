#!/usr/bin/env bash
# The demo on samples/: print each sample's record, index them, then search
# (typed without diacritics), list who cites a plan, trace a report, list what
# amends a decision and show its standing, follow a figure over the ward's four
# quarterly reports, and check for numbers given twice.
# The index goes to $VANBAN_INDEX, else to a fresh temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
export VANBAN_INDEX="${VANBAN_INDEX:-$(mktemp -d)/vanban-index}"
vanban=.venv/bin/vanban
step() { printf '\n\033[1m$ vanban %s\033[0m\n' "$*"; }

step parse samples/
$vanban parse samples/
step ingest samples/
$vanban ingest samples/
step search '"cai cach hanh chinh"' --limit 3
$vanban search "cai cach hanh chinh" --limit 3
step cites 16/KH-UBND
$vanban cites 16/KH-UBND
step trace samples/bc_ward_report.docx
$vanban trace samples/bc_ward_report.docx
step cites 215/QĐ-UBND --relation sua_doi
$vanban cites 215/QĐ-UBND --relation sua_doi
step show samples/qd_with_attachment.docx
$vanban show samples/qd_with_attachment.docx
step figures '"ho so tiep nhan"' --from 2025
$vanban figures "ho so tiep nhan" --from 2025
step duplicates
$vanban duplicates
echo
echo "index: $VANBAN_INDEX"
