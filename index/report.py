"""Archive-wide views: statistics and export (the clerk's register: ``register``)."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

from ingest.vocabulary import nd30

from .analysis import symbol_term
from .graph import answered, citation_identity
from .numbering import numbered, numbered_twice, text_reader
from . import register
from .archive import Archive
from .rows import shown_issuer
from .run import read_log


def stats(store: Archive) -> dict:
    """The archive's counts, and what its citations name that it does not hold:
    one pass over the records (each decoded once), the citations answered after
    it from what identifies each archived document (symbol, date, issuer)."""
    by_year, by_type, by_issuer = Counter(), Counter(), Counter()
    waiting, unresolved = [], Counter()
    archived: dict[str, list[dict]] = {}
    cited: Counter = Counter()  # (key or symbol, symbol term, year, issuer) -> times cited: a few fields each
    kept = []  # of each numbered record, what a group of numbers given twice keeps
    for record in store.records():
        if fields := numbered(record):
            kept.append(fields)
        if record.get("symbol"):
            archived.setdefault(symbol_term(record["symbol"]), []).append(
                {k: record.get(k) for k in ("date", "issuer_key")})  # what ``answered`` compares
        by_year[(record.get("date") or "")[:4] or "unknown"] += 1
        by_type[record.get("doc_type") or "unknown"] += 1
        by_issuer[shown_issuer(record) or "unknown"] += 1  # one body, one name, however printed
        if record.get("needs_ocr"):
            waiting.append(record["path"])
        cited.update((c.get("key") or c["symbol"], *citation_identity(c)) for c in record.get("citations") or []
                     if c.get("part") == "main" and c.get("symbol"))
    for (key, term, year, issuer), times in cited.items():
        if not answered(archived.get(term, []), year, issuer):
            unresolved[key] += times
    log = read_log(store.folder)
    return {"documents": store.count(), "by_year": dict(sorted(by_year.items())),
            "by_type": dict(by_type.most_common()), "by_issuer": dict(by_issuer.most_common()),
            "failed": log.get("failed", []), "waiting_for_ocr": waiting, "citations": sum(cited.values()),
            "unresolved_citations": len(unresolved), "unresolved": dict(unresolved.most_common(50)),
            "numbered_twice": [g.to_dict() for g in numbered_twice(kept, text_reader(store))]}


def full_records(store: Archive) -> Iterator[dict]:
    """Every record, with its text (from the parsed-record cache, or the archive)."""
    for record in store.records():
        yield store.full_record(record)


def export(store: Archive, fmt: str, lang: str = "vi") -> Iterator[str]:
    """Every record as text, streamed: ``jsonl`` (with its text), ``csv`` (the
    clerk's register, labels in ``lang``: ``register.csv_chunks``), ``nd30-xml`` or
    ``nd30-json``. A ``docx`` is a whole file, not text: ``export_docx``."""
    if fmt in ("nd30-xml", "nd30-json"):
        documents = (nd30.metadata(record) for record in store.records())
        yield from nd30.xml_chunks(documents) if fmt == "nd30-xml" else nd30.json_chunks(documents)
    elif fmt == "jsonl":
        for record in full_records(store):
            yield json.dumps(record, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        yield from register.csv_chunks(store.records(), lang)
    else:
        raise ValueError(f"no text export {fmt!r}" + (" (a docx is bytes: export_docx)" if fmt == "docx" else ""))


def export_docx(store: Archive, lang: str = "vi") -> bytes:
    """The clerk's register of every record as a Word document (``register.docx_bytes``)."""
    return register.docx_bytes(store.records(), lang)
