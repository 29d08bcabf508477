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

Every word is said in the current language (``index.i18n``: Vietnamese when the
environment asks for it): whole messages with named placeholders, translated by
``locale/vi/LC_MESSAGES/terminal.po``; dates and counts as that language writes
them. In English the lines are the messages as written, byte for byte.

This module is a consumer of the index, like the command line: nothing in
``index/`` imports it (another interface renders the same data its own way).
It must not import click.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ingest.extract.relations import INVERSE, NAMES
from ingest.paths import one_line, shown as shown_path
from ingest.vocabulary.citekeys import key_parts

# "_" taken by its other name: a name of another module starting with "_" reads as private (test_architecture)
from .i18n import N_, current, gettext as _, plain_number, shown_date, shown_number

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


# The labels of a record's summary: marked here, translated where shown (``_field``).
FIELD_LABELS = (N_("Issuer"), N_("Title"), N_("Marks"), N_("Signer"), N_("Recipients"), N_("Cites"),
                N_("Standing"), N_("Period"), N_("Figures"), N_("Needs OCR"), N_("OCR"), N_("Corrected"), N_("Note"))
# The counts of search facets and of stats, by the name of what they count.
COUNT_LABELS = {"year": N_("by year"), "type": N_("by type"), "issuer": N_("by issuer")}


def _field(label: str, value: str) -> str:
    """A line of a record's summary, the values aligned after their labels: the
    column is as wide as the longest label in the current language and a space
    (Vietnamese labels are longer; English keeps its column of 12)."""
    width = max(len(_(name)) for name in FIELD_LABELS) + 2  # the colon and a space
    return f"  {_(label) + ':':<{width}}{value}"


def _num(value: float | int) -> str:
    """A count or measure as the language writes it: Vietnamese groups thousands
    with a dot and writes decimals with a comma (``shown_number``); English as it
    always printed them (no grouping, a point), never with an exponent."""
    if current() == "vi":
        return shown_number(value)
    return plain_number(value)


def _count_label(name: str) -> str:
    """'by year' for the counts of 'year' (or of stats' 'by_year')."""
    name = name.removeprefix("by_")
    return _(COUNT_LABELS[name]) if name in COUNT_LABELS else _("by {name}").format(name=name)


def _value(value: str) -> str:
    """A counted value; 'unknown' is what ``report.stats`` counts a missing one as."""
    return _("unknown") if value == "unknown" else value


# --- files found and files that failed (parse, ingest) ---------------------------

def error_line(path: str, reason: str) -> str:
    """A file that could not be read, in one line whatever its name holds (a newline
    in a name is shown ``\\n``)."""
    return _("error: {path}: {reason}").format(path=shown_path(path), reason=one_line(reason))


def skipped_lines(skipped: list[dict], verbose: bool) -> list[str]:
    """A line for each link or folder left out (``{path, reason}``); the files of
    types not read named when ``verbose``, else counted by extension in one line."""
    lines, by_ext = [], {}
    for entry in skipped:
        if entry["reason"].startswith("type not read") and not verbose:
            ext = entry["reason"].partition("(")[2].rstrip(")")  # "type not read (.py)"
            by_ext[ext] = by_ext.get(ext, 0) + 1
        else:
            lines.append(_("skipped: {path}: {reason}").format(path=shown_path(entry["path"]),
                                                                reason=one_line(entry["reason"])))
    if by_ext:
        kinds = ", ".join(f"{ext} {_num(n)}" for ext, n in sorted(by_ext.items()))
        lines.append(_("skipped: {count} file(s) of a type not read ({kinds}); --verbose names them")
                     .format(count=_num(sum(by_ext.values())), kinds=kinds))
    return lines


def failed_count_line(failed: int) -> str:
    """The last line of a parse that could not read every file."""
    return _("{count} file(s) could not be parsed").format(count=_num(failed))


# --- one record (parse, show) -----------------------------------------------------

def record_lines(record: dict) -> list[str]:
    """The summary of a parsed record: its file, what it is, who issued and signed
    it, to whom, what it cites, the period and figures it reports, its OCR, notes."""
    return [*_identity_lines(record), _issuer_line(record), _field(N_("Title"), record.get("title") or "—"),
            *_marks_lines(record), _signer_line(record), _recipients_line(record), *_cited_lines(record),
            *_standing_lines(record), *_period_lines(record), *_figures_lines(record), *_ocr_lines(record),
            *_corrected_lines(record), *(_field(N_("Note"), warning) for warning in record.get("warnings", []))]


def _corrected_lines(record: dict) -> list[str]:
    """Each correction by hand: the field, what was read, the value, who and when."""
    return [_field(N_("Corrected"), _("{field}: {was} → {value}, by {who} on {day}").format(
        field=fix.get("field"), was=fix.get("was") or "—", value=fix.get("value"), who=fix.get("by") or "?",
        day=shown_date((fix.get("at") or "")[:10]))) for fix in record.get("corrections") or []]


def _identity_lines(record: dict) -> list[str]:
    """The file (format, pages, encoding), then its type and number, date and place."""
    kind = _kind(record.get("doc_type"), record.get("symbol")) or _("type and number not found")
    when = f" — {shown_date(record['date'])}" if record.get("date") else ""
    where = f", {record['place']}" if record.get("place") else ""
    pages = _num(record["pages"]) if record.get("pages") else "?"
    return [_("{path}  ({format}, {pages} page(s), {encoding})").format(
                path=shown_path(record["path"]), format=record.get("format"), pages=pages,
                encoding=record.get("encoding")),
            f"  {kind}{when}{where}"]


def _issuer_line(record: dict) -> str:
    issuer = record.get("issuer") or "—"
    if record.get("parent_issuer"):
        issuer += "  " + _("(under {parent})").format(parent=record["parent_issuer"])
    if record.get("provenance", {}).get("issuer") == "inferred":
        issuer += "  " + _("[inferred from the body]")
    return _field(N_("Issuer"), issuer)


def _marks_lines(record: dict) -> list[str]:
    """Its confidentiality and urgency, when it is marked (the words of Nghị định 30
    in every language: they name the marks printed on the document)."""
    marks = ", ".join(f"{label} {record[name]}" for name, label in
                      (("confidentiality", "độ mật:"), ("urgency", "độ khẩn:")) if record.get(name))
    return [_field(N_("Marks"), marks)] if marks else []


def _signer_line(record: dict) -> str:
    signer = ", ".join(v for v in (record.get("signer_name"), record.get("signer_title")) if v) or "—"
    if record.get("signer_authority"):
        signer += f"  ({record['signer_authority']})"
    return _field(N_("Signer"), signer)


def _recipients_line(record: dict) -> str:
    recipients = record.get("recipients") or []
    named = f" ({_first(recipients, RECIPIENTS_SHOWN, '; ')})" if recipients else ""
    return _field(N_("Recipients"), f"{_num(len(recipients))}{named}")


def _cited_lines(record: dict) -> list[str]:
    """The documents its main part cites (not its attachments'), the first few listed."""
    main = [c for c in record.get("citations", []) if c.get("part") == "main"]
    if not main:
        return []
    lines = [_field(N_("Cites"), _num(len(main))), *(f"    - {_citation(c)}" for c in main[:CITED_SHOWN])]
    if len(main) > CITED_SHOWN:
        lines.append("    " + _("… and {more} more").format(more=_num(len(main) - CITED_SHOWN)))
    return lines


def _citation(citation: dict) -> str:
    """'[căn cứ] Quyết định 1520/QĐ-UBND (2023-12-15)', and the plans it issues."""
    what = citation.get("name") or citation.get("type") or ""
    if citation.get("relation"):
        what = f"[{NAMES[citation['relation']]}] {what}"
    if citation.get("symbol"):
        what = f"{what} {citation['symbol']}"
    when = f" ({shown_date(citation['date'])})" if citation.get("date") else ""
    plans = ", ".join(f"{i['type']} {i['title'] or ''}".strip() for i in citation.get("issues") or [])
    issues = _("; issues {plans}").format(plans=plans) if plans else ""
    return f"{what}{when}{issues}"


def _standing_lines(record: dict) -> list[str]:
    """What in the archive amends, replaces, repeals or corrects it (``graph.standing``)."""
    if "standing" not in record:
        return []
    if not record["standing"]:
        return [_field(N_("Standing"), _("nothing in the archive amends, replaces or repeals it"))]
    changing = _("{count} document(s) in the archive change it").format(count=_num(len(record["standing"])))
    return [_field(N_("Standing"), changing), *(f"    - {_changed_by(s)}" for s in record["standing"])]


def _changed_by(change: dict) -> str:
    """'bị thay thế bởi Quyết định 93/2007/QĐ-TTg (2007-06-22), from 2007-07-10'."""
    when = f" ({shown_date(change['date'])})" if change.get("date") else ""
    since = (_(", from {date}").format(date=shown_date(change["effective_date"]))
             if change.get("effective_date") else "")
    return f"{INVERSE[change['relation']]} {_kind(change.get('doc_type'), change.get('symbol'))}{when}{since}"


def _period_lines(record: dict) -> list[str]:
    period = record.get("period")
    if not period:
        return []
    return [_field(N_("Period"), _("{text} ({start} to {end})").format(
        text=period["text"], start=shown_date(period["start"]), end=shown_date(period["end"])))]


def _figures_lines(record: dict) -> list[str]:
    figures = record.get("figures")
    if not figures:
        return []
    quoted = _first([f["text"] for f in figures], FIGURES_SHOWN, ", ")
    return [_field(N_("Figures"), f"{_num(len(figures))} ({quoted})")]


def _ocr_lines(record: dict) -> list[str]:
    """The scanned pages: waiting for OCR, or read with this confidence (pages from 1)."""
    pages = ", ".join(str(p + 1) for p in record.get("ocr_pages", []))
    if record.get("needs_ocr"):
        return [_field(N_("Needs OCR"), _("pages {pages}").format(pages=pages))]
    if record.get("ocr_confidence") is not None:
        return [_field(N_("OCR"), _("pages {pages}, mean word confidence {confidence}%").format(
            pages=pages, confidence=_num(float(record["ocr_confidence"]))))]
    return []


# --- review ------------------------------------------------------------------------

def unsure_lines(item: dict) -> list[str]:
    """A value to check (``review.Unsure.to_dict``): the file, the field and its
    reading, why, and where its picture was written."""
    reading = item.get("reading") or _("(nothing read)")
    confidence = f" ({_num(item['confidence'])}%)" if item.get("confidence") is not None else ""
    lines = [f"{shown_path(item['path'])}", f"  {item['field']}: {reading}{confidence}",
             f"    {one_line(item.get('why') or '')}"]
    if item.get("crop"):
        lines.append("    " + _("picture: {path}").format(path=shown_path(item["crop"])))
    return lines


def nothing_to_review_line() -> str:
    return _("no value in the archive needs checking")


# --- search -----------------------------------------------------------------------

# The first line of a search, by (exact count, every word matched): whole sentences,
# as each language orders "about" and the relaxed match.
MATCHED = {(True, False): N_("{total} document(s)"),
           (False, False): N_("about {total} document(s)"),
           (True, True): N_("{total} document(s) matching most of the words (none or few had them all)"),
           (False, True): N_("about {total} document(s) matching most of the words (none or few had them all)")}


def search_lines(results: Results) -> list[str]:
    """How many documents match, each hit after a blank line, then the facets asked."""
    lines = [_(MATCHED[bool(results.exact), bool(results.relaxed)]).format(total=_num(results.total))]
    for hit in results.hits:
        lines += ["", *hit_lines(hit)]
    for name, counts in results.facets.items():
        lines += ["", facet_line(name, counts)]
    return lines


def hit_lines(hit: Hit) -> list[str]:
    """A hit: its type and number in bold, date, issuer and score; title, snippet, file,
    and the other files holding the same document."""
    head = _kind(hit.doc_type, hit.symbol) or "—"
    lines = [f"{_bold(head)}  {shown_date(hit.date)}  {hit.issuer or ''}  [{hit.score:g}]",
             f"  {hit.title or ''}", f"  {hit.snippet}", f"  {shown_path(hit.path)}"]
    if hit.also_at:
        also = ", ".join(shown_path(path) for path in hit.also_at)
        lines.append("  " + _("also at: {paths}").format(paths=also))
    return lines


def facet_line(name: str, counts: dict[str, int]) -> str:
    """'by year: 2024: 4, 2023: 1', the largest counts first."""
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    return f"{_count_label(name)}: " + ", ".join(f"{_value(value)}: {_num(count)}" for value, count in ranked)


# --- cites and trace --------------------------------------------------------------

def citing_lines(groups: Iterable[CitingGroup], symbol: str) -> list[str]:
    """The groups of documents citing ``symbol`` (as typed), or a line saying none does."""
    lines = [line for group in groups for line in citing_group_lines(group)]
    return lines or [_("no document in the archive cites {symbol}").format(symbol=symbol)]


def citing_group_lines(group: CitingGroup) -> list[str]:
    """What the citations identify (symbol, the issuer's name, year) in bold, then each
    citing document loaded: what it is, the citation's words, its file; and how many more."""
    symbol, issuer, year = key_parts(group.key)
    issuer = group.issuer_name or issuer
    lines = [_bold(_("{symbol}  issuer: {issuer}  year: {year}  cited by {total}").format(
        symbol=symbol, issuer=issuer or _("not printed"), year=year or _("not printed"), total=_num(group.total)))]
    for citing in group:
        lines += _citing_lines(citing)
    if group.total > len(group):
        more = _num(group.total - len(group))
        lines.append("  " + _("... and {more} more (--limit 0 lists them all)").format(more=more))
    return lines


def _citing_lines(citing) -> list[str]:
    """One citing document: what it is, date, issuer and roles; the citation's words; its file."""
    record = citing.record
    roles = f"  [{', '.join(NAMES[r] for r in citing.roles)}]" if citing.roles else ""
    return [f"  {_kind(record.get('doc_type'), record.get('symbol'))}  {shown_date(record.get('date'))}  "
            f"{record.get('issuer') or ''}{roles}",
            f"    {one_line(citing.citation.get('text') or '')}",
            f"    {shown_path(record['path'])}"]


def trace_lines(node: Node, indent: str = "") -> list[str]:
    """A trace as an indented tree: each node with how its parent cites it (``[căn
    cứ]``, every role), how many times when more than once, its date, ``[missing]``
    when it is not archived, else the file it resolved to and on what evidence, and
    the words that cite it (a plan a decision issues has none)."""
    missing = "" if node.status == "archived" else _yellow("  " + _("[missing]"))
    when = f"  {shown_date(node.date)}" if node.date else ""
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
    return _("archive ready: {archive} ({documents} documents)").format(archive=shown, documents=_num(documents))


def stats_lines(stats: dict) -> list[str]:
    """The dict of ``report.stats``: counts by year, type and issuer (the largest
    first), the failed files, the scans waiting for OCR, the citations."""
    lines = [_("{documents} documents").format(documents=_num(stats["documents"]))]
    for name in ("by_year", "by_type", "by_issuer"):
        counted = list(stats[name].items())[:STATS_SHOWN]
        listed = ", ".join(f"{_value(value)} {_num(count)}" for value, count in counted)
        lines.append(f"{_count_label(name)}: {listed}")
    lines.append(_("failed files: {count}").format(count=_num(len(stats["failed"]))))
    lines += [f"  {shown_path(failure['path'])}: {one_line(failure['error'])}" for failure in stats["failed"]]
    lines.append(_("waiting for OCR: {count}").format(count=_num(len(stats["waiting_for_ocr"]))))
    lines.append(_("citations: {citations}, of which resolve to nothing in the archive: {unresolved}").format(
        citations=_num(stats["citations"]), unresolved=_num(stats["unresolved_citations"])))
    twice = (N_("numbers given to two different documents: {count} (vanban duplicates lists them)")
             if stats["numbered_twice"] else N_("numbers given to two different documents: {count}"))
    lines.append(_(twice).format(count=_num(len(stats["numbered_twice"]))))
    return lines


def numbered_twice_lines(groups: list[dict], warning: bool = False) -> list[str]:
    """Each number given to several contents (``numbering.NumberedTwice.to_dict``):
    the number, its body and year, then each content with its date, title and files."""
    lines = []
    for group in groups:
        head = _("{symbol} of {issuer}, {year}: the number of {count} different documents").format(
            symbol=group["symbol"], issuer=group["issuer"] or _("an unnamed body"), year=group["year"],
            count=_num(len(group["contents"])))
        lines.append(_("warning: {message}").format(message=head) if warning else _bold(head))
        for content in group["contents"]:
            date = shown_date(content["date"]) or _("undated")
            lines.append(f"  {date}  {one_line(content['title'] or '—')}")
            lines += [f"    {shown_path(path)}" for path in content["paths"]]
    return lines


def ingest_report_lines(report: IngestReport, verbose: bool) -> list[str]:
    """What an ingest did: the files added, replaced and pruned (named when
    ``verbose``), the counts, and a line for a rebuild, a repair and OCR when there
    was one. Its failures and skipped files are ``error_line`` and ``skipped_lines``."""
    lines = _changed_file_lines(report) if verbose else []
    lines.append(_("{added} added, {replaced} replaced, {unchanged} unchanged, {cached} from the cache, "
                   "{pruned} pruned, {failed} failed ({seconds} s); {waiting} waiting for OCR").format(
        added=_num(report.added), replaced=_num(report.replaced), unchanged=_num(report.unchanged),
        cached=_num(report.from_cache), pruned=_num(report.pruned), failed=_num(len(report.failed)),
        seconds=_num(float(report.seconds)), waiting=_num(len(report.waiting_ocr))))
    if report.upgraded:
        lines.append(_("index rebuilt in this version's format: {count} document(s) carried over from their "
                       "parsed records").format(count=_num(report.upgraded)))
    if report.repaired or report.unrestorable:
        lines.append(_repaired_line(report))
    if report.ocr_pages_read or report.ocr_pages_cached:
        lines.append(_("OCR: {read} page(s) read ({seconds} s of Tesseract), {cached} from the OCR cache").format(
            read=_num(report.ocr_pages_read), seconds=_num(float(report.ocr_seconds)),
            cached=_num(report.ocr_pages_cached)))
    return lines


def _repaired_line(report: IngestReport) -> str:
    """The documents a repair restored, and those it could not (a whole sentence each way)."""
    if report.unrestorable:
        return _("index repaired: {repaired} document(s) restored from their parsed records; {lost} had no "
                 "parsed record kept: ingest their files again").format(
            repaired=_num(report.repaired), lost=_num(report.unrestorable))
    return _("index repaired: {repaired} document(s) restored from their parsed records").format(
        repaired=_num(report.repaired))


# The files an ingest changed, by what it did to them.
CHANGED = (("added_paths", N_("added: {path}")), ("replaced_paths", N_("replaced: {path}")),
           ("pruned_paths", N_("pruned: {path}")))


def _changed_file_lines(report: IngestReport) -> list[str]:
    return [_(said).format(path=shown_path(name)) for field, said in CHANGED for name in getattr(report, field)]


# --- figures over periods ------------------------------------------------------

KIND_LABELS = {"actual": N_("actual"), "target": N_("target"), "comparison": N_("comparison")}  # register.py too


def _cell_text(values, sources: dict) -> str:
    """A cell: its value (its own report's first) with the number of the document
    it comes from; ``≠`` and the other value where reports disagree."""
    shown = []
    for value in values[:2]:
        numbers = dict.fromkeys(sources.setdefault((s.path, s.symbol, s.date), len(sources) + 1) for s in value.sources)
        refs = ",".join(map(str, list(numbers)[:3])) + ("…" if len(numbers) > 3 else "")
        shown.append(f"{_num(value.value)} [{refs}]")
    return " ≠ ".join(shown) + (" …" if len(values) > 2 else "")


def series_lines(series) -> list[str]:
    """``figures``: a table per issuer, a row per measure and kind, a column per period;
    then the documents the cells cite by number."""
    if not series.rows:
        return [_("no figure measures '{query}' in the {count} document(s) read").format(
            query=series.query, count=_num(series.documents))]
    sources: dict = {}
    lines = [_("{rows} row(s) of figures from {count} document(s)").format(
        rows=_num(len(series.rows)), count=_num(series.documents))]
    if series.more:
        lines.append(_("only the newest {count} matching documents were read; narrow the question (--issuer, --from)")
                     .format(count=_num(series.documents)))
    for issuer in dict.fromkeys(row.issuer for row in series.rows):
        rows = [row for row in series.rows if row.issuer == issuer]
        columns = [c for c in series.columns if any(c.key in row.cells for row in rows)]
        table = [[_("Measure")] + [c.label for c in columns]]
        for row in rows:
            name = f"{row.measure} ({_(KIND_LABELS[row.kind])}, {row.unit})"
            table.append([name] + [_cell_text(row.cells[c.key], sources) if c.key in row.cells else "—"
                                   for c in columns])
        widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
        lines += ["", _bold(issuer)]
        lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in table]
    lines += ["", _("Documents:")]
    for (path, symbol, date), n in sorted(sources.items(), key=lambda kv: kv[1]):
        lines.append(f"  [{n}] {symbol or '—'}  {shown_date(date)}  {shown_path(path)}")
    return lines
