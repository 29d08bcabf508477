"""What each page shows, as plain data for its template.

The contract: one function per page, from an open archive and the page's
parameters to a dict the template renders (and nothing else: no HTML here; the
templates escape every value). The same library functions answer the command
line (``graph.cites``, ``graph.trace``, ``report.stats``, ``store.search``), so
a page and a command never disagree; the ``/api/`` twins return
``answers.*_objects``, exactly what ``--json`` prints.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ingest.extract.relations import NAMES
from ingest.vocabulary.symbols import normalize_symbol

from ..graph import cites, citing_its_year, resolved, standing, trace
from ..i18n import N_
from ..report import stats
from ..rows import shown_issuer
from ..series import follow
from . import pictures

PAGE_SIZE = 10  # hits a page: each one's snippet reads its text (only the page's hits are made)
MAX_PAGE = 100           # 1,000 hits deep: past that, a person narrows the search
EXPORT_MAX = 5000        # hits written to a CSV or DOCX of a search
CITATIONS_SHOWN = 300    # a record's citations listed on its page
FIGURES_SHOWN = 300
CITING_SHOWN = 100       # documents listed per cited document (all are counted)
FACETS_SHOWN = 12


@dataclass
class SearchForm:
    """The search box and its filters as the URL gives them (``/search?q=...``)."""

    q: str = ""
    year: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    sort: str = "relevance"
    page: int = 1

    def options(self) -> dict:
        return dict(year=self.year, date_from=self.date_from, date_to=self.date_to, doc_type=self.doc_type,
                    issuer=self.issuer, sort=self.sort)

    def params(self, **changed) -> dict:
        """The URL parameters of this search with some changed (a facet, a page)."""
        values = {"q": self.q, "year": self.year, "from": self.date_from, "to": self.date_to,
                  "type": self.doc_type, "issuer": self.issuer,
                  "sort": None if self.sort == "relevance" else self.sort, "page": None}
        values.update(changed)
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def narrowed(self) -> bool:
        return any((self.year, self.date_from, self.date_to, self.doc_type, self.issuer))


# The fields a person checks and corrects, by their names on the pages.
FIELD_NAMES = {"symbol": N_("Number and symbol"), "number": N_("Number"), "date": N_("Date issued"),
               "doc_type": N_("Type"), "issuer": N_("Issuing body"), "title": N_("Summary (trích yếu)"),
               "signer_name": N_("Signer"), "signer_title": N_("Signer's title"), "place": N_("Place"),
               "issuer_name": N_("Issuing body")}
FACET_FILTER = {"year": "year", "type": "type", "issuer": "issuer"}
FACET_LABELS = {"year": N_("Year"), "type": N_("Type"), "issuer": N_("Issuing body")}


def search_page(store, form: SearchForm) -> dict:
    """The hits of one page, the total (estimated or exact), the facets as links
    that narrow, and the pages."""
    if not form.q.strip():
        return {"form": form, "searched": False}
    page = min(max(form.page, 1), MAX_PAGE)
    results = store.search(form.q, limit=page * PAGE_SIZE, start=(page - 1) * PAGE_SIZE, facets=True,
                           **form.options())
    hits = results.hits
    pages = min(MAX_PAGE, max(1, math.ceil(results.total / PAGE_SIZE)))
    facets = [(name, FACET_LABELS[name], _facet_links(form, name, counts))
              for name, counts in results.facets.items() if counts]
    return {"form": form, "searched": True, "results": results, "hits": hits, "page": page, "pages": pages,
            "facets": facets, "page_size": PAGE_SIZE}


def _facet_links(form: SearchForm, name: str, counts: dict[str, int]) -> list[dict]:
    ranked = sorted(counts.items(), key=lambda kv: (-int(kv[0]), 0) if name == "year" else (-kv[1], kv[0]))
    chosen = str(getattr(form, {"type": "doc_type"}.get(name, name)) or "")
    return [{"value": value, "count": count, "chosen": value == chosen,
             "params": form.params(**{FACET_FILTER[name]: None if value == chosen else value})}
            for value, count in ranked[:FACETS_SHOWN]]


def export_records(store, form: SearchForm):
    """The records of a search's hits, best first, for its CSV or DOCX."""
    results = store.search(form.q, limit=EXPORT_MAX, **form.options())
    for hit in results.hits:
        record = store.by_path(hit.path)
        if record is not None:
            yield record


def find_documents(store, target: str) -> list[dict]:
    """The archived documents a page names: a path in the archive, else a symbol.
    Nothing on disk is looked at (a page must not tell which files exist)."""
    record = store.by_path(target)
    if record is not None:
        return [record]
    symbol = normalize_symbol(target)
    return store.by_symbol(symbol) if symbol else []


def document_page(store, record: dict, query: str, ocr_cache: str | None) -> dict:
    """A record whole: its fields, its citations each resolved in the archive, the
    documents citing it, what changes it, figures, sections, pages."""
    full = store.full_record(record)
    citing = citing_its_year(store, full)  # once: who cites it, and what changes it
    return {"record": full, "issuer": shown_issuer(full), "uncertain": uncertain_fields(full),
            "citations": _resolved_citations(store, full), "cited_by": _cited_by(full, citing),
            "standing": standing(store, full, citing), "sections": full.get("sections") or [],
            "figures": (full.get("figures") or [])[:FIGURES_SHOWN], "pages": _pictured_pages(full, query, ocr_cache),
            "query": query}


def uncertain_fields(record: dict) -> dict[str, str]:
    """Field -> how it is uncertain, as the parser noted in ``provenance`` (a value
    OCR was unsure of; a date whose day was unreadable)."""
    return {name: how for name, how in (record.get("provenance") or {}).items()
            if "uncertain" in how or "unreadable" in how}


def _resolved_citations(store, record: dict) -> list[dict]:
    rows = []
    for citation in (record.get("citations") or [])[:CITATIONS_SHOWN]:
        found, how = resolved(store, citation, heads=True) if citation.get("symbol") else ([], None)
        found = [d for d in found if d["path"] != record["path"]]
        rows.append({"citation": citation, "relation": NAMES.get(citation.get("relation") or "", ""),
                     "also": [NAMES[r] for r in citation.get("also") or [] if r in NAMES],
                     "found": found[0] if found else None, "how": how})
    return rows


def _cited_by(record: dict, citing: dict) -> list:
    """The groups citing it (but itself), each its oldest ``CITING_SHOWN``."""
    groups = [replace(g, documents=g.documents[:CITING_SHOWN]) for g in citing.values()]
    return [g for g in groups if any(c.citation.get("symbol") and c.record["path"] != record["path"] for c in g)]


def _pictured_pages(record: dict, query: str, ocr_cache: str | None) -> list[dict]:
    if not pictures.has_pictures(record):
        return []
    words = pictures.query_words(query) if query else set()
    pages = []
    for number in range(1, min(record["pages"], 20) + 1):  # the first 20 pages; the file has them all
        boxes = pictures.marked(pictures.word_boxes(record, number, ocr_cache), words) if words else []
        pages.append({"number": number, "marks": boxes})
    return pages


def cites_page(store, symbol: str, issuer: str | None, year: str | None, relation: str | None) -> dict:
    groups = cites(store, symbol, issuer=issuer or None, year=year or None, limit=CITING_SHOWN,
                   relation=relation or None) if symbol.strip() else {}
    return {"symbol": symbol, "issuer": issuer, "year": year, "relation": relation, "groups": list(groups.values()),
            "asked": bool(symbol.strip())}


def trace_page(store, target: str, depth: int, reverse: bool) -> dict:
    roots = find_documents(store, target) if target.strip() else []
    return {"target": target, "depth": depth, "reverse": reverse,
            "trees": [trace(store, root, depth=depth, reverse=reverse) for root in roots],
            "asked": bool(target.strip())}


def stats_page(store) -> dict:
    return {"stats": stats(store)}


# --- figures over periods ------------------------------------------------------------

KIND_NAMES = {"actual": N_("actual"), "target": N_("target"), "comparison": N_("comparison")}
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 220, 40
CHARTS_SHOWN = 12  # charts drawn a page (the table has every row)


def figures_page(store, query: str, issuer: str | None, date_from: str | None, date_to: str | None) -> dict:
    """``vanban figures`` as a page: the table of ``series.follow`` and, for each
    issuer and measure with values in two periods or more, a chart of its actuals
    and targets over those periods."""
    asked = bool(query.strip())
    series = follow(store, query, issuer=issuer or None, date_from=date_from, date_to=date_to) if asked else None
    return {"query": query, "issuer": issuer, "date_from": date_from, "date_to": date_to, "asked": asked,
            "series": series, "charts": charts(series) if series else [], "tables": tables(series) if series else [],
            "kind_names": KIND_NAMES}


def tables(series) -> list[dict]:
    """A table per issuer: its rows and the periods any of them has a value for."""
    out = []
    for issuer in dict.fromkeys(row.issuer for row in series.rows):
        rows = [row for row in series.rows if row.issuer == issuer]
        out.append({"issuer": issuer, "rows": rows,
                    "columns": [c for c in series.columns if any(c.key in row.cells for row in rows)]})
    return out


def charts(series) -> list[dict]:
    """Line charts as plain geometry for the template's SVG: one per issuer, measure
    and unit (its actual and target rows), x the periods in time order, y from zero."""
    groups: dict[tuple, list] = {}
    for row in series.rows:
        if row.kind != "comparison":
            groups.setdefault((row.issuer, row.measure, row.unit), []).append(row)
    out = []
    for (issuer, measure, unit), rows in groups.items():
        columns = [c for c in series.columns if any(c.key in r.cells for r in rows)]
        # One kind of period along the axis (the quarters, or the years): a year's
        # target beside quarterly actuals would read as a jump that never happened.
        spans = [c.span for c in columns if any(c.key in r.cells for r in rows if r.kind == "actual")]
        columns = [c for c in columns if c.span == max(set(spans), key=spans.count)] if spans else []
        if len(columns) < 2:
            continue
        top = max(r.cells[c.key][0].value for r in rows for c in columns if c.key in r.cells) or 1
        x_of = {c.key: CHART_PAD + i * (CHART_WIDTH - 2 * CHART_PAD) / (len(columns) - 1) for i, c in enumerate(columns)}
        lines = []
        for row in rows:
            points = [{"x": round(x_of[c.key], 1),
                       "y": round(CHART_HEIGHT - CHART_PAD - values[0].value / top * (CHART_HEIGHT - 2 * CHART_PAD), 1),
                       "value": values[0].value, "period": c.label, "path": values[0].sources[0].path}
                      for c in columns if (values := row.cells.get(c.key))]
            if points:
                lines.append({"kind": row.kind, "name": KIND_NAMES[row.kind], "points": points})
        out.append({"issuer": issuer, "measure": measure, "unit": unit, "top": top, "lines": lines,
                    "labels": [{"x": round(x_of[c.key], 1), "text": c.label} for c in columns],
                    "width": CHART_WIDTH, "height": CHART_HEIGHT, "pad": CHART_PAD})
        if len(out) >= CHARTS_SHOWN:
            break
    return out
