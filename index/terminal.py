"""What the commands print on a terminal, as text.

The contract: pure functions from the library's data (parsed records, search
``Results`` and their ``Hit``s, the citing groups of ``graph.cites``, the trace
``Node``s of ``graph.trace``, the ``report.stats`` dict, an ``IngestReport``, the
files an intake skipped) to lines of text, a ``list[str]`` each. They read
nothing, write nothing and ask nothing: the caller prints the lines, one per line
(``search_cli`` echoes them with click, on stdout or stderr as each command says).

Paths are shown as ``ingest.paths.shown`` shows them and every reason on one line,
whatever a file's name or an error holds. Emphasis (bold headings, a yellow
``[missing]``) is ANSI SGR, the bytes ``click.style`` writes; ``click.echo``
drops it when the output is not a terminal.

This module is a consumer of the index, like the command line: nothing in
``index/`` imports it (another interface renders the same data its own way).
It must not import click.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ingest.extract.relations import INVERSE, NAMES
from ingest.paths import one_line, shown as shown_path
from ingest.vocabulary.citekeys import key_parts

if TYPE_CHECKING:  # the types read here; imported only for the reader and type checkers
    from index.graph import CitingGroup, Node
    from index.run import IngestReport
    from index.query import Hit, Results

_BOLD, _YELLOW, _RESET = "\x1b[1m", "\x1b[33m", "\x1b[0m"  # as click.style(bold=True) / (fg="yellow")

CITED_SHOWN = 8    # citations of a record's main part listed in its summary
FIGURES_SHOWN = 5  # figures quoted in a record's summary
RECIPIENTS_SHOWN = 3
STATS_SHOWN = 15   # years, types and issuers listed by stats


def _bold(text: str) -> str:
    return f"{_BOLD}{text}{_RESET}"


def _yellow(text: str) -> str:
    return f"{_YELLOW}{text}{_RESET}"


def _kind(doc_type: str | None, symbol: str | None) -> str:
    """'Quyết định 215/QĐ-UBND': the type and the number, either left out when not known."""
    return " ".join(v for v in (doc_type, symbol) if v)


def _first(items: list[str], shown: int, sep: str) -> str:
    """The first ``shown`` items, and an ellipsis when there are more."""
    return sep.join(items[:shown]) + (f"{sep}…" if len(items) > shown else "")


def _field(label: str, value: str) -> str:
    """A line of a record's summary, the values aligned after their labels."""
    return f"  {label + ':':<12}{value}"


# --- files found and files that failed (parse, ingest) ---------------------------

def error_line(path: str, reason: str) -> str:
    """A file that could not be read, in one line whatever its name holds (a newline
    in a name is shown ``\\n``)."""
    return f"error: {shown_path(path)}: {one_line(reason)}"


def skipped_lines(skipped: list[dict], verbose: bool) -> list[str]:
    """A line for each link or folder left out (``{path, reason}``); the files of
    types not read named when ``verbose``, else counted by extension in one line."""
    lines, by_ext = [], {}
    for entry in skipped:
        if entry["reason"].startswith("type not read") and not verbose:
            ext = entry["reason"].partition("(")[2].rstrip(")")  # "type not read (.py)"
            by_ext[ext] = by_ext.get(ext, 0) + 1
        else:
            lines.append(f"skipped: {shown_path(entry['path'])}: {one_line(entry['reason'])}")
    if by_ext:
        kinds = ", ".join(f"{ext} {n}" for ext, n in sorted(by_ext.items()))
        lines.append(f"skipped: {sum(by_ext.values())} file(s) of a type not read ({kinds}); --verbose names them")
    return lines


def failed_count_line(failed: int) -> str:
    """The last line of a parse that could not read every file."""
    return f"{failed} file(s) could not be parsed"


# --- one record (parse, show) -----------------------------------------------------

def record_lines(record: dict) -> list[str]:
    """The summary of a parsed record: its file, what it is, who issued and signed
    it, to whom, what it cites, the period and figures it reports, its OCR, notes."""
    return [*_identity_lines(record), _issuer_line(record), _field("Title", record.get("title") or "—"),
            *_marks_lines(record), _signer_line(record), _recipients_line(record), *_cited_lines(record),
            *_standing_lines(record), *_period_lines(record), *_figures_lines(record), *_ocr_lines(record),
            *(_field("Note", warning) for warning in record.get("warnings", []))]


def _identity_lines(record: dict) -> list[str]:
    """The file (format, pages, encoding), then its type and number, date and place."""
    pages = record.get("pages") or "?"
    kind = _kind(record.get("doc_type"), record.get("symbol")) or "type and number not found"
    when = f" — {record['date']}" if record.get("date") else ""
    where = f", {record['place']}" if record.get("place") else ""
    return [f"{shown_path(record['path'])}  ({record.get('format')}, {pages} page(s), {record.get('encoding')})",
            f"  {kind}{when}{where}"]


def _issuer_line(record: dict) -> str:
    issuer = record.get("issuer") or "—"
    if record.get("parent_issuer"):
        issuer += f"  (under {record['parent_issuer']})"
    if record.get("provenance", {}).get("issuer") == "inferred":
        issuer += "  [inferred from the body]"
    return _field("Issuer", issuer)


def _marks_lines(record: dict) -> list[str]:
    """Its confidentiality and urgency, when it is marked."""
    marks = ", ".join(f"{label} {record[name]}" for name, label in
                      (("confidentiality", "độ mật:"), ("urgency", "độ khẩn:")) if record.get(name))
    return [_field("Marks", marks)] if marks else []


def _signer_line(record: dict) -> str:
    signer = ", ".join(v for v in (record.get("signer_name"), record.get("signer_title")) if v) or "—"
    if record.get("signer_authority"):
        signer += f"  ({record['signer_authority']})"
    return _field("Signer", signer)


def _recipients_line(record: dict) -> str:
    recipients = record.get("recipients") or []
    named = f" ({_first(recipients, RECIPIENTS_SHOWN, '; ')})" if recipients else ""
    return _field("Recipients", f"{len(recipients)}{named}")


def _cited_lines(record: dict) -> list[str]:
    """The documents its main part cites (not its attachments'), the first few listed."""
    main = [c for c in record.get("citations", []) if c.get("part") == "main"]
    if not main:
        return []
    lines = [_field("Cites", str(len(main))), *(f"    - {_citation(c)}" for c in main[:CITED_SHOWN])]
    if len(main) > CITED_SHOWN:
        lines.append(f"    … and {len(main) - CITED_SHOWN} more")
    return lines


def _citation(citation: dict) -> str:
    """'[căn cứ] Quyết định 1520/QĐ-UBND (2023-12-15)', and the plans it issues."""
    what = citation.get("name") or citation.get("type") or ""
    if citation.get("relation"):
        what = f"[{NAMES[citation['relation']]}] {what}"
    if citation.get("symbol"):
        what = f"{what} {citation['symbol']}"
    when = f" ({citation['date']})" if citation.get("date") else ""
    issues = ("; issues " + ", ".join(f"{i['type']} {i['title'] or ''}".strip() for i in citation["issues"])
              if citation.get("issues") else "")
    return f"{what}{when}{issues}"


def _standing_lines(record: dict) -> list[str]:
    """What in the archive amends, replaces, repeals or corrects it (``graph.standing``)."""
    if "standing" not in record:
        return []
    if not record["standing"]:
        return [_field("Standing", "nothing in the archive amends, replaces or repeals it")]
    return [_field("Standing", f"{len(record['standing'])} document(s) in the archive change it"),
            *(f"    - {_changed_by(s)}" for s in record["standing"])]


def _changed_by(change: dict) -> str:
    """'bị thay thế bởi Quyết định 93/2007/QĐ-TTg (2007-06-22), from 2007-07-10'."""
    when = f" ({change['date']})" if change.get("date") else ""
    since = f", from {change['effective_date']}" if change.get("effective_date") else ""
    return f"{INVERSE[change['relation']]} {_kind(change.get('doc_type'), change.get('symbol'))}{when}{since}"


def _period_lines(record: dict) -> list[str]:
    period = record.get("period")
    return [_field("Period", f"{period['text']} ({period['start']} to {period['end']})")] if period else []


def _figures_lines(record: dict) -> list[str]:
    figures = record.get("figures")
    if not figures:
        return []
    return [_field("Figures", f"{len(figures)} ({_first([f['text'] for f in figures], FIGURES_SHOWN, ', ')})")]


def _ocr_lines(record: dict) -> list[str]:
    """The scanned pages: waiting for OCR, or read with this confidence (pages from 1)."""
    pages = ", ".join(str(p + 1) for p in record.get("ocr_pages", []))
    if record.get("needs_ocr"):
        return [_field("Needs OCR", f"pages {pages}")]
    if record.get("ocr_confidence") is not None:
        return [_field("OCR", f"pages {pages}, mean word confidence {record['ocr_confidence']:g}%")]
    return []


# --- search -----------------------------------------------------------------------

def search_lines(results: Results) -> list[str]:
    """How many documents match, each hit after a blank line, then the facets asked."""
    lines = [f"{'' if results.exact else 'about '}{results.total} document(s)"
             + (" matching most of the words (none or few had them all)" if results.relaxed else "")]
    for hit in results.hits:
        lines += ["", *hit_lines(hit)]
    for name, counts in results.facets.items():
        lines += ["", facet_line(name, counts)]
    return lines


def hit_lines(hit: Hit) -> list[str]:
    """A hit: its type and number in bold, date, issuer and score; title, snippet, file,
    and the other files holding the same document."""
    head = _kind(hit.doc_type, hit.symbol) or "—"
    lines = [f"{_bold(head)}  {hit.date or ''}  {hit.issuer or ''}  [{hit.score:g}]",
             f"  {hit.title or ''}", f"  {hit.snippet}", f"  {shown_path(hit.path)}"]
    if hit.also_at:
        lines.append(f"  also at: {', '.join(shown_path(path) for path in hit.also_at)}")
    return lines


def facet_line(name: str, counts: dict[str, int]) -> str:
    """'by year: 2024: 4, 2023: 1', the largest counts first."""
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    return f"by {name}: " + ", ".join(f"{value}: {count}" for value, count in ranked)


# --- cites and trace --------------------------------------------------------------

def citing_lines(groups: Iterable[CitingGroup], symbol: str) -> list[str]:
    """The groups of documents citing ``symbol`` (as typed), or a line saying none does."""
    lines = [line for group in groups for line in citing_group_lines(group)]
    return lines or [f"no document in the archive cites {symbol}"]


def citing_group_lines(group: CitingGroup) -> list[str]:
    """What the citations identify (symbol, the issuer's name, year) in bold, then each
    citing document loaded: what it is, the citation's words, its file; and how many more."""
    symbol, issuer, year = key_parts(group.key)
    issuer = group.issuer_name or issuer
    lines = [_bold(f"{symbol}  issuer: {issuer or 'not printed'}  year: {year or 'not printed'}  "
                   f"cited by {group.total}")]
    for citing in group:
        record = citing.record
        roles = f"  [{', '.join(NAMES[r] for r in citing.roles)}]" if citing.roles else ""
        lines += [f"  {_kind(record.get('doc_type'), record.get('symbol'))}  {record.get('date') or ''}  "
                  f"{record.get('issuer') or ''}{roles}",
                  f"    {one_line(citing.citation.get('text') or '')}",
                  f"    {shown_path(record['path'])}"]
    if group.total > len(group):
        lines.append(f"  ... and {group.total - len(group)} more (--limit 0 lists them all)")
    return lines


def trace_lines(node: Node, indent: str = "") -> list[str]:
    """A trace as an indented tree: each node with how its parent cites it (``[căn
    cứ]``, every role), how many times when more than once, its date, ``[missing]``
    when it is not archived, else the file it resolved to and on what evidence, and
    the words that cite it (a plan a decision issues has none)."""
    missing = "" if node.status == "archived" else _yellow("  [missing]")
    when = f"  {node.date}" if node.date else ""
    edge = f"[{', '.join(node.role_words)}] " if node.role_words else ""
    times = f"  ×{node.mentions}" if node.mentions > 1 else ""
    lines = [f"{indent}{edge}{node.label}{times}{when}{missing}"]
    if node.resolved_by and node.path:
        lines.append(f"{indent}  → {shown_path(node.path)} ({node.resolved_by})")
    if node.text and node.kind != "issued":
        lines.append(f"{indent}  {node.text[:120]}")
    for child in node.children:
        lines += trace_lines(child, indent + "    ")
    return lines


# --- the archive: init, stats, ingest ---------------------------------------------

def archive_ready_line(shown: str, documents: int) -> str:
    return f"archive ready: {shown} ({documents} documents)"


def stats_lines(stats: dict) -> list[str]:
    """The dict of ``report.stats``: counts by year, type and issuer (the largest
    first), the failed files, the scans waiting for OCR, the citations."""
    lines = [f"{stats['documents']} documents"]
    for name in ("by_year", "by_type", "by_issuer"):
        counted = list(stats[name].items())[:STATS_SHOWN]
        lines.append(f"{name.replace('_', ' ')}: " + ", ".join(f"{value} {count}" for value, count in counted))
    lines.append(f"failed files: {len(stats['failed'])}")
    lines += [f"  {shown_path(failure['path'])}: {one_line(failure['error'])}" for failure in stats["failed"]]
    lines.append(f"waiting for OCR: {len(stats['waiting_for_ocr'])}")
    lines.append(f"citations: {stats['citations']}, of which resolve to nothing in the archive: "
                 f"{stats['unresolved_citations']}")
    lines.append(f"numbers given to two different documents: {len(stats['numbered_twice'])}"
                 + (" (vanban duplicates lists them)" if stats["numbered_twice"] else ""))
    return lines


def numbered_twice_lines(groups: list[dict], warning: bool = False) -> list[str]:
    """Each number given to several contents (``numbering.NumberedTwice.to_dict``):
    the number, its body and year, then each content with its date, title and files."""
    lines = []
    for group in groups:
        head = (f"{group['symbol']} of {group['issuer'] or 'an unnamed body'}, {group['year']}: the number of "
                f"{len(group['contents'])} different documents")
        lines.append(f"warning: {head}" if warning else _bold(head))
        for content in group["contents"]:
            lines.append(f"  {content['date'] or 'undated'}  {one_line(content['title'] or '—')}")
            lines += [f"    {shown_path(path)}" for path in content["paths"]]
    return lines


def ingest_report_lines(report: IngestReport, verbose: bool) -> list[str]:
    """What an ingest did: the files added, replaced and pruned (named when
    ``verbose``), the counts, and a line for a rebuild, a repair and OCR when there
    was one. Its failures and skipped files are ``error_line`` and ``skipped_lines``."""
    lines = _changed_file_lines(report) if verbose else []
    lines.append(f"{report.added} added, {report.replaced} replaced, {report.unchanged} unchanged, "
                 f"{report.from_cache} from the cache, {report.pruned} pruned, {len(report.failed)} failed "
                 f"({report.seconds:g} s); {len(report.waiting_ocr)} waiting for OCR")
    if report.upgraded:
        lines.append(f"index rebuilt in this version's format: {report.upgraded} document(s) "
                     "carried over from their parsed records")
    if report.repaired or report.unrestorable:
        lines.append(f"index repaired: {report.repaired} document(s) restored from their parsed records"
                     + (f"; {report.unrestorable} had no parsed record kept: ingest their files again"
                        if report.unrestorable else ""))
    if report.ocr_pages_read or report.ocr_pages_cached:
        lines.append(f"OCR: {report.ocr_pages_read} page(s) read ({report.ocr_seconds:g} s of Tesseract), "
                     f"{report.ocr_pages_cached} from the OCR cache")
    return lines


def _changed_file_lines(report: IngestReport) -> list[str]:
    return [f"{label}: {shown_path(name)}"
            for label, names in (("added", report.added_paths), ("replaced", report.replaced_paths),
                                 ("pruned", report.pruned_paths))
            for name in names]
