"""Corrections by hand: a value a person has checked against the paper wins over
what the parser read, and keeps winning.

The contract: a correction is ``{"sha256", "path", "field", "value", "was", "by",
"at"}``, kept by the archive (``Archive.corrections``, ``Archive.correct``: a
file beside a Whoosh index, a table on PostgreSQL) and keyed by the file's
content (sha256), so it holds wherever that content is and whenever it is
parsed again. ``apply`` puts a document's corrections on a parsed record (the
ingest's workers and a Whoosh rebuild call it on every record they write):
the value, what follows from it (a number's symbol, an issuer's key and name),
``provenance[field] = "corrected by … on …"`` and the list under
``corrections``; a correction a record cannot take (a number where a later
reading found no symbol) is skipped, never raised. ``correct`` checks a value,
and has the archive record it and rewrite the document (at every path holding
its content) at once, so search, ``cites`` and ``trace`` find it.
"""
from __future__ import annotations

import datetime as dt

from ingest.vocabulary.dates import typed_date
from ingest.vocabulary.issuers import canonical_body, issuer_code
from ingest.vocabulary.symbols import parse_symbol

from .archive import Archive
from .i18n import N_
from .i18n import gettext as _
from .rows import prepare

# The fields a person may correct, and what each holds.
CORRECTABLE = {
    "symbol": N_("the number and symbol, as printed: 2154/BC-SYT"),
    "number": N_("the number alone (the symbol keeps its codes): 2154"),
    "date": N_("the date issued: 17/11/2017 or 2017-11-17"),
    "doc_type": N_("the type: Báo cáo, Quyết định ..."),
    "issuer": N_("the issuing body, as printed: SỞ Y TẾ"),
    "title": N_("the trích yếu"),
    "signer_name": N_("the signer's name"),
    "signer_title": N_("the signer's title: GIÁM ĐỐC"),
    "place": N_("the place: Kiên Giang"),
}
MAX_VALUE = 1000  # characters: a trích yếu is shorter
# The fields a correction sets, where it sets more than its own.
FOLLOWS = {"number": ("number", "symbol"), "symbol": ("symbol", "number"),
           "issuer": ("issuer", "issuer_key", "issuer_name"), "date": ("date", "date_precision")}


class NotCorrectable(ValueError):
    """A correction that cannot be taken: the field, or a value it cannot hold."""


def checked_value(record: dict, field: str, value: str) -> str:
    """The value as the record will hold it, or NotCorrectable saying why."""
    if field not in CORRECTABLE:
        raise NotCorrectable(_("{field} cannot be corrected; one of: {fields}").format(
            field=repr(field), fields=", ".join(CORRECTABLE)))
    value = " ".join(value.split())
    if not value or len(value) > MAX_VALUE:
        raise NotCorrectable(_("give {what} (one line, at most {most} characters)").format(
            what=_(CORRECTABLE[field]), most=MAX_VALUE))
    if field == "date":
        day = typed_date(value)
        if day is None:
            raise NotCorrectable(_("not a date: {value} (give 17/11/2017 or 2017-11-17)").format(value=repr(value)))
        return day
    if field == "symbol":
        parsed = parse_symbol(value)
        if parsed is None or not parsed.symbol:
            raise NotCorrectable(_("not a number and symbol: {value} (give it as printed: 2154/BC-SYT)").format(
                value=repr(value)))
        return parsed.symbol
    if field == "number":
        if not value.replace(" ", "").isalnum():
            raise NotCorrectable(_("not a number: {value}").format(value=repr(value)))
        if not record.get("symbol") or "/" not in record["symbol"]:
            raise NotCorrectable(_("this document has no symbol to put the number in: correct its symbol "
                                   "(2154/BC-SYT) instead"))
        return value.replace(" ", "")
    return value


def _set(record: dict, field: str, value: str) -> bool:
    """The value, and what follows from it; False where the record cannot take it
    (a number, where a later reading found no symbol to put it in)."""
    if field == "number":
        if "/" not in (record.get("symbol") or ""):
            return False
        field, value = "symbol", f"{value}/{record['symbol'].split('/', 1)[1]}"
    record[field] = value
    if field == "date":
        record["date_precision"] = "day"  # a correction is a whole date (``checked_value``)
    if field == "symbol":
        parsed = parse_symbol(value)
        record["number"] = parsed.number if parsed else None
        if parsed and parsed.type_code:
            record["type_code"] = parsed.type_code
    if field in ("symbol", "issuer"):
        parsed = parse_symbol(record["symbol"]) if record.get("symbol") else None
        code = issuer_code(parsed.codes, parsed.type_code) if parsed and parsed.symbol else None
        body = canonical_body(record.get("issuer"), record.get("parent_issuer"), code)
        if body:
            record["issuer_key"], record["issuer_name"] = body.key or None, body.name or None
    return True


def apply(record: dict, corrections: list[dict] | None) -> dict:
    """The record with these corrections (the oldest first, the newest wins);
    prepared again for the index where its title changed."""
    if not corrections or record.get("error"):
        return record
    record = dict(record, provenance=dict(record.get("provenance") or {}))
    for fix in sorted(corrections, key=lambda c: c.get("at") or ""):
        if fix.get("field") in CORRECTABLE and fix.get("value") and _set(record, fix["field"], fix["value"]):
            said = f"corrected by {fix.get('by') or '?'} on {(fix.get('at') or '')[:10]}"
            for field in FOLLOWS.get(fix["field"], (fix["field"],)):
                record["provenance"][field] = said
    record["corrections"] = sorted(corrections, key=lambda c: c.get("at") or "")
    if "_words" in record and any(c.get("field") == "title" for c in corrections):
        for name in ("_words", "_syllables", "_analysis"):
            record.pop(name, None)
        record = prepare(record)
    return record


def by_content(corrections: list[dict]) -> dict[str, list[dict]]:
    """Corrections by the sha256 of the content they correct."""
    found: dict[str, list[dict]] = {}
    for fix in corrections:
        if fix.get("sha256"):
            found.setdefault(fix["sha256"], []).append(fix)
    return found


def correct(store: Archive, path: str, field: str, value: str, who: str) -> dict:
    """Correct the document at ``path``: recorded by the archive and written at
    once. Returns the record as corrected; LookupError where the archive holds no
    such document, NotCorrectable for a value it cannot take, PermissionError for
    a role that may only read."""
    record = store.by_path(path)
    if record is None:
        raise LookupError(_("{path} is not in the archive").format(path=path))
    full = store.full_record(record)
    if not full.get("text") and not record.get("needs_ocr") and record.get("text_hash"):
        raise LookupError(_("the parsed record of {path} is not kept any more: ingest the file again, "
                            "then correct it").format(path=path))
    fix = {"sha256": record.get("sha256"), "path": path, "field": field,
           "value": checked_value(full, field, value), "was": full.get(field), "by": who,
           "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    corrected = apply({k: v for k, v in full.items() if k != "corrections"}, [*(full.get("corrections") or []), fix])
    prepared = prepare(dict(corrected))
    # The same content at other paths is the same document: corrected with it.
    copies = [path for path, sha in store.paths().items() if sha == fix["sha256"] and path != record["path"]]
    store.correct([prepared, *({**prepared, "path": copy} for copy in copies)], fix)
    return corrected
