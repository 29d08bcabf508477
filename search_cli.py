"""vanban: parse, index and search Vietnamese official documents.

Commands are thin shells over the library in ``ingest/`` and ``index/``.
"""
from __future__ import annotations

import json
import sys

import click

from ingest.batch import DEFAULT_TIMEOUT, parse_many
from ingest.files import expand_paths


def _summary(record: dict) -> str:
    def val(name):
        return record.get(name) or "—"

    pages = record.get("pages")
    head = f"{record['path']}  ({record.get('format')}, {pages if pages else '?'} page(s), {record.get('encoding')})"
    kind = " ".join(v for v in (record.get("doc_type"), record.get("symbol")) if v) or "type and number not found"
    lines = [head, f"  {kind}" + (f" — {record['date']}" if record.get("date") else "")
             + (f", {record['place']}" if record.get("place") else "")]
    issuer = val("issuer")
    if record.get("parent_issuer"):
        issuer += f"  (under {record['parent_issuer']})"
    if record.get("provenance", {}).get("issuer") == "inferred":
        issuer += "  [inferred from the body]"
    lines.append(f"  Issuer:     {issuer}")
    lines.append(f"  Title:      {val('title')}")
    signer = ", ".join(v for v in (record.get("signer_name"), record.get("signer_title")) if v) or "—"
    if record.get("signer_authority"):
        signer += f"  ({record['signer_authority']})"
    lines.append(f"  Signer:     {signer}")
    recipients = record.get("recipients") or []
    lines.append(f"  Recipients: {len(recipients)}" + (f" ({'; '.join(recipients[:3])}{'; …' if len(recipients) > 3 else ''})" if recipients else ""))
    main = [c for c in record.get("citations", []) if c.get("part") == "main"]
    if main:
        lines.append(f"  Cites:      {len(main)}")
        for c in main[:8]:
            what = c.get("name") or c.get("type") or ""
            what = f"{what} {c['symbol']}" if c.get("symbol") else what
            when = f" ({c['date']})" if c.get("date") else ""
            issues = "; issues " + ", ".join(f"{i['type']} {i['title'] or ''}".strip() for i in c["issues"]) if c.get("issues") else ""
            lines.append(f"    - {what}{when}{issues}")
        if len(main) > 8:
            lines.append(f"    … and {len(main) - 8} more")
    if record.get("period"):
        p = record["period"]
        lines.append(f"  Period:     {p['text']} ({p['start']} to {p['end']})")
    if record.get("figures"):
        shown = ", ".join(f["text"] for f in record["figures"][:5])
        lines.append(f"  Figures:    {len(record['figures'])} ({shown}{', …' if len(record['figures']) > 5 else ''})")
    if record.get("needs_ocr"):
        lines.append("  Needs OCR:  pages " + ", ".join(str(p + 1) for p in record.get("ocr_pages", [])))
    for warning in record.get("warnings", []):
        lines.append(f"  Note:       {warning}")
    return "\n".join(lines)


@click.group()
@click.version_option(package_name="vanban")
def cli() -> None:
    """Parse, index and search Vietnamese official documents."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file per line.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=None, help="Worker processes (default: all cores).")
@click.option("--timeout", type=click.FloatRange(1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds one file may take before it is stopped and reported.")
def parse(paths, as_json, jobs, timeout):
    """Parse documents and print their records.

    PATHS are files or folders (searched recursively). Each file that cannot be
    read gets a one-line error on stderr; the others are still parsed, and the
    exit code is 1 if any file failed.
    """
    failed = 0
    for record in parse_many(expand_paths(paths), jobs=jobs, timeout=timeout):
        if record.get("error"):
            failed += 1
            click.echo(f"error: {record['path']}: {record['error']}", err=True)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        elif not record.get("error"):
            click.echo(_summary(record) + "\n")
    if failed:
        click.echo(f"{failed} file(s) could not be parsed", err=True)
        sys.exit(1)


if __name__ == "__main__":
    cli()
