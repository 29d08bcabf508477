"""A record in the element set of the national metadata standard, as XML and JSON.

Nghị định 30/2020/NĐ-CP (Phụ lục VI) lists the information an e-document system
keeps of each document and exchanges with others; the element names are those of
the exchange format the ministries use (edXML): the issuing body (``OrganName``,
its parent ``OrganInCharge``), the number and notation (``CodeNumber`` ``45``,
``CodeNotation`` ``BC-UBND``), the day (``IssuedDate``) and place, the type
(``TypeName``), the trích yếu (``Subject``), the pages (``PageAmount``), the signer
(``SignerInfo``: ``Competence`` ``TM. ỦY BAN NHÂN DÂN``, ``Position``, ``FullName``),
the Nơi nhận (``To``), độ khẩn (``Priority``) and độ mật (``Confidentiality``).
vanban adds what it reads beyond them: the whole ``Symbol`` (the notation alone
cannot say ``05-CT/TW`` from ``05/CT-TW``), ``EffectiveDate``, the cited documents
with their relation (``References``) and the ``File`` it came from.

``metadata`` gives a record's elements (absent values left out); ``to_xml`` and
``to_json`` write a list of them, ``read_xml`` and ``read_json`` read such a file
back to the same list. A file read is bounded (``MAX_BYTES``) and parsed without
entities from outside it (expat resolves none; Python's expat refuses the
exponential entity blow-up).
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator

NAMESPACE = "urn:vanban:nd30:1"
MAX_BYTES = 64 * 2**20

# (element, record field): plain text elements, in the standard's order.
TEXT_ELEMENTS = [
    ("OrganName", None),  # the body's name to show (``issuer_name``), else as printed
    ("OrganInCharge", "parent_issuer"),
    ("CodeNumber", "number"),
    ("CodeNotation", None),  # the symbol after its number: ``BC-UBND``, ``2020/NĐ-CP``
    ("Symbol", "symbol"),
    ("IssuedDate", "date"),
    ("Place", "place"),
    ("TypeName", "doc_type"),
    ("Subject", "title"),
    ("PageAmount", "pages"),
]
SIGNER = [("Competence", "signer_authority"), ("Position", "signer_title"), ("FullName", "signer_name")]
AFTER = [("Priority", "urgency"), ("Confidentiality", "confidentiality"), ("EffectiveDate", "effective_date")]
REFERENCE = [("Relation", "relation"), ("TypeName", "type"), ("CodeNumber", "number"), ("Symbol", "symbol"),
             ("IssuedDate", "date"), ("OrganName", None), ("Name", "name")]
INTEGERS = {"PageAmount"}


class ExchangeError(ValueError):
    """A file that is not a readable exchange file: the message says why."""


def metadata(record: dict) -> dict:
    """The record's elements, absent values left out."""
    meta: dict = {}
    for element, name in TEXT_ELEMENTS:
        meta[element] = record.get(name) if name else None
    meta["OrganName"] = record.get("issuer_name") or record.get("issuer")
    meta["CodeNotation"] = notation(record.get("symbol"), record.get("number"))
    meta["SignerInfo"] = _kept({e: record.get(n) for e, n in SIGNER})
    meta["To"] = list(record.get("recipients") or [])
    for element, name in AFTER:
        meta[element] = record.get(name)
    for element in ("IssuedDate", "EffectiveDate"):  # a day, as edXML takes it; a date read in part is left out
        if meta.get(element) and len(str(meta[element])) != 10:
            meta[element] = None
    meta["References"] = [_reference(c) for c in record.get("citations") or [] if c.get("part", "main") == "main"]
    meta["File"] = _kept({"Path": record.get("path"), "Sha256": record.get("sha256")})
    return _kept(meta)


def notation(symbol: str | None, number: str | None) -> str | None:
    """``45/BC-UBND`` -> ``BC-UBND``; ``30/2020/NĐ-CP`` -> ``2020/NĐ-CP``."""
    if not symbol:
        return None
    if number and symbol.startswith(number):
        return symbol[len(number):].lstrip("/-") or None
    return symbol


def _reference(citation: dict) -> dict:
    ref = {element: citation.get(name) if name else None for element, name in REFERENCE}
    ref["OrganName"] = citation.get("issuer_name") or citation.get("issuer")
    ref["CodeNotation"] = notation(citation.get("symbol"), citation.get("number"))
    return _kept(ref)


def _kept(values: dict) -> dict:
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


# --- XML -----------------------------------------------------------------------------

def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def to_xml(documents: Iterable[dict]) -> bytes:
    return "".join(xml_chunks(documents)).encode("utf-8")


def xml_chunks(documents: Iterable[dict]) -> Iterator[str]:
    """``<Documents xmlns="urn:vanban:nd30:1"><Document>...``, a document at a time
    (an archive of years does not fit in memory as one tree)."""
    ET.register_namespace("", NAMESPACE)
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<Documents xmlns="{NAMESPACE}">\n'
    for meta in documents:
        node = _document_element(meta)
        ET.indent(node, level=1)
        yield "  " + ET.tostring(node, encoding="unicode").replace(f' xmlns="{NAMESPACE}"', "", 1) + "\n"
    yield "</Documents>\n"


def _document_element(meta: dict):
    node = ET.Element(_q("Document"))
    for element, _ in TEXT_ELEMENTS:
        _text(node, element, meta)
    if "SignerInfo" in meta:
        signer = ET.SubElement(node, _q("SignerInfo"))
        for element, _ in SIGNER:
            _text(signer, element, meta["SignerInfo"])
    if "To" in meta:
        to = ET.SubElement(node, _q("To"))
        for place in meta["To"]:
            ET.SubElement(to, _q("Place")).text = place
    for element, _ in AFTER:
        _text(node, element, meta)
    if "References" in meta:
        refs = ET.SubElement(node, _q("References"))
        for ref in meta["References"]:
            item = ET.SubElement(refs, _q("Reference"))
            for element in REFERENCE_ORDER:
                _text(item, element, ref)
    if "File" in meta:
        file = ET.SubElement(node, _q("File"))
        for element in ("Path", "Sha256"):
            _text(file, element, meta["File"])
    return node


REFERENCE_ORDER = ["Relation", "TypeName", "CodeNumber", "CodeNotation", "Symbol", "IssuedDate", "OrganName", "Name"]


def _text(parent, element: str, values: dict) -> None:
    if element in values:
        ET.SubElement(parent, _q(element)).text = str(values[element])


def read_xml(data: bytes) -> list[dict]:
    """The documents of an exchange file written by ``to_xml`` (or another system
    writing the same elements), as ``metadata`` gives them."""
    if len(data) > MAX_BYTES:
        raise ExchangeError(f"larger than {MAX_BYTES // 2**20} MB")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ExchangeError(f"not well-formed XML ({exc})") from None
    if root.tag != _q("Documents"):
        raise ExchangeError(f"the root element is {root.tag}, not Documents of {NAMESPACE}")
    return [_document(node) for node in root.findall(_q("Document"))]


def _document(node) -> dict:
    meta = _values(node, [e for e, _ in TEXT_ELEMENTS] + [e for e, _ in AFTER])
    signer = node.find(_q("SignerInfo"))
    if signer is not None:
        meta["SignerInfo"] = _values(signer, [e for e, _ in SIGNER])
    to = node.find(_q("To"))
    if to is not None:
        meta["To"] = [p.text or "" for p in to.findall(_q("Place"))]
    refs = node.find(_q("References"))
    if refs is not None:
        meta["References"] = [_values(r, REFERENCE_ORDER) for r in refs.findall(_q("Reference"))]
    file = node.find(_q("File"))
    if file is not None:
        meta["File"] = _values(file, ["Path", "Sha256"])
    order = [e for e, _ in TEXT_ELEMENTS] + ["SignerInfo", "To"] + [e for e, _ in AFTER] + ["References", "File"]
    return {k: meta[k] for k in order if k in meta}


def _values(node, elements: list[str]) -> dict:
    values = {}
    for element in elements:
        child = node.find(_q(element))
        if child is not None and child.text is not None:
            values[element] = int(child.text) if element in INTEGERS else child.text
    return values


# --- JSON ----------------------------------------------------------------------------

def to_json(documents: Iterable[dict]) -> str:
    return "".join(json_chunks(documents))


def json_chunks(documents: Iterable[dict]) -> Iterator[str]:
    """``{"Documents": [...]}``, a document at a time."""
    yield '{"Documents": ['
    for at, meta in enumerate(documents):
        yield ("," if at else "") + "\n " + json.dumps(meta, ensure_ascii=False)
    yield "\n]}\n"


def read_json(data: bytes) -> list[dict]:
    if len(data) > MAX_BYTES:
        raise ExchangeError(f"larger than {MAX_BYTES // 2**20} MB")
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExchangeError(f"not JSON ({exc})") from None
    if not isinstance(value, dict) or not isinstance(value.get("Documents"), list):
        raise ExchangeError('not an exchange file: no "Documents" list')
    return value["Documents"]
