"""The citation graph: who cites a document, and what a document follows.

A symbol alone does not name a document (``308/QĐ-UBND`` is issued by every
People's Committee every year), so a citation resolves to an archived document
only when symbol, issuer and year agree, as far as the citation states them.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field

from ingest.extract.relations import INVERSE, NAMES, RELATIONS
from ingest.vocabulary.citekeys import key_parts, symbol_key
from ingest.vocabulary.issuers import body_of_symbol, issuer_code, issuer_key, issuer_name, issuer_pattern, same_issuer
from ingest.vocabulary.symbols import normalize_symbol, parse_symbol
from ingest.vocabulary.textnorm import fold
from ingest.vocabulary.typed import normalize_typed, typed_symbols

from .analysis import symbol_term
from .archive import Archive
from .query import spellings, symbol_pattern
from .rows import key_term


def citation_year(citation: dict) -> str | None:
    parsed = parse_symbol(citation["symbol"]) if citation.get("symbol") else None
    return (parsed.year if parsed else None) or (citation.get("date") or "")[:4] or None


def _citation_issuer(citation: dict) -> str | None:
    return citation.get("issuer_key") or issuer_key(citation.get("issuer_inferred"))


def matches(document: dict, citation: dict) -> bool:
    """Does this archived document answer this citation (symbol, issuer, year)?"""
    if symbol_term(document.get("symbol") or "") != symbol_term(citation.get("symbol") or ""):
        return False
    return _agrees(document, citation_year(citation), _citation_issuer(citation))


def citation_identity(citation: dict) -> tuple[str, str | None, str | None]:
    """What ``answered`` needs of a citation: its symbol's term, year and issuer key."""
    return symbol_term(citation["symbol"]), citation_year(citation), _citation_issuer(citation)


def answered(candidates: list[dict], year: str | None, issuer: str | None) -> bool:
    """Whether one of these archived documents, all with a citation's symbol term,
    answers a citation of that year and issuer (``citation_identity``): ``matches``
    with those read once (an archive-wide count asks this of every citation
    against every document sharing a ``12/QĐ-UBND``)."""
    return any(_agrees(d, year, issuer) for d in candidates)


def _agrees(document: dict, year: str | None, issuer: str | None) -> bool:
    if year and document.get("date") and document["date"][:4] != year:
        return False
    return same_issuer(issuer, document.get("issuer_key"))


def resolved(store: Archive, citation: dict, heads: bool = False) -> tuple[list[dict], str | None]:
    """The archived documents a citation names, and on what evidence: ``symbol``
    (symbol, issuer and year agree), or ``symbol + date`` for a national symbol
    printed without its year (``308/NĐ-CP ngày 28/11/2025``: the archived
    ``308/2025/NĐ-CP`` of that very date and issuer). ``heads``: their heads
    (``rows.head``), for a page that links them, not their records."""
    if not citation.get("symbol"):
        return [], None
    by_symbol = store.heads_of if heads else store.by_symbol
    found = [d for d in by_symbol(citation["symbol"]) if matches(d, citation)]
    if found:
        return found, "symbol"
    parsed = parse_symbol(citation["symbol"])
    if not parsed or parsed.year or not parsed.number or not citation.get("date"):
        return [], None
    dated = f"{parsed.number}/{citation['date'][:4]}/{'-'.join(parsed.codes)}"
    found = [d for d in by_symbol(dated) if d.get("date") == citation["date"]
             and same_issuer(_citation_issuer(citation), d.get("issuer_key"))]
    return found, "symbol + date" if found else None


@dataclass
class CitingDocument:
    """A citing document's head (``rows.head``: its heading and keyed citations, not
    the whole record) and the citation that cites."""

    record: dict
    citation: dict

    @property
    def roles(self) -> list[str]:
        """How it relates to the cited document: the relation of its first citation,
        then the other roles it cites it in (none known for a record parsed before
        relations were read)."""
        c = self.citation
        return [c["relation"], *c.get("also", [])] if c.get("relation") else []

    def to_dict(self) -> dict:
        r, c = self.record, self.citation
        return {"path": r["path"], "symbol": r.get("symbol"), "date": r.get("date"),
                "issuer": r.get("issuer"), "title": r.get("title"),
                "citation": {k: c.get(k) for k in ("text", "symbol", "date", "issuer", "issuer_inferred",
                                                   "issuer_name", "key", "relation", "also")}}


@dataclass
class CitingGroup:
    """The documents citing one identified document (symbol|issuer|year): ``total``
    of them, the first ``len(documents)`` (oldest first) loaded; ``issuer_name`` the
    cited body's name to show (None where no citation prints or implies it)."""

    key: str
    total: int
    documents: list[CitingDocument]
    issuer_name: str | None = None

    def __iter__(self):
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)


class PartialSymbol(ValueError):
    """A symbol typed in part that names several cited symbols (or none)."""

    def __init__(self, typed: str, candidates: list[tuple[str, int]]) -> None:
        self.typed, self.candidates = typed, candidates
        listed = "; ".join(f"{symbol} (cited by {count})" for symbol, count in candidates)
        super().__init__(f"{typed} is part of {len(candidates)} cited symbols: {listed}; give one of them"
                         if candidates else f"no cited symbol starts as {typed}")


def cited_symbol(store: Archive, text: str) -> tuple[str, dict[str, list[int]] | None]:
    """The symbol a person typed, in any spelling (``typed.typed_symbols``): whole
    (``214/2025/nd-cp``, ``35 2025 nđ cp``), or the one cited symbol its part names
    (``35/2025``); with its citing keys where finding the symbol read them (None
    where it did not). Raises PartialSymbol for a part that names several, listing
    them, and ValueError where the text names no symbol."""
    typed = next(iter(typed_symbols(normalize_typed(text))), None)
    if typed is None:
        raise ValueError(f"'{text}' is not a document number and symbol (e.g. 308/QĐ-UBND)")
    if typed.whole:
        as_typed, *others = spellings(symbol_term(typed.symbol))  # ``qd`` may be ``qđ``
        if not others:
            return typed.symbol, None
        keys = store.citing_keys(as_typed)
        if keys:  # cited as typed: the other spellings change nothing
            return normalize_symbol(as_typed) or typed.symbol, keys
        cited = {s: keys for s in others if (keys := store.citing_keys(s))}
        if len(cited) != 1:
            return typed.symbol, None
        [(term, keys)] = cited.items()
        return normalize_symbol(term) or typed.symbol, keys
    candidates = [(normalize_symbol(term) or term, count)
                  for term, count in store.cited_symbols(symbol_pattern(typed), PARTIAL_CANDIDATES)]
    if len(candidates) == 1:
        return candidates[0][0], None
    raise PartialSymbol(text.strip(), candidates)


PARTIAL_CANDIDATES = 20  # cited symbols listed for a symbol typed in part


def cites(store: Archive, symbol_text: str, issuer: str | None = None,
          year: str | None = None, limit: int | None = None, relation: str | None = None) -> dict[str, CitingGroup]:
    """Documents citing a symbol typed in any damaged form, grouped by what the
    citation identifies (symbol|issuer|year), the most cited first: the same symbol
    from different issuers or years is kept apart. ``limit``: documents loaded per
    group (all when None); ``total`` counts them all. ``relation``: only those citing
    it in that role (``extract.relations.RELATIONS``; read from every citing
    document's head, so the count is exact)."""
    symbol, keys = cited_symbol(store, symbol_text)
    wanted = issuer_pattern(issuer) if issuer else None
    if issuer and not wanted:  # punctuation only: it names no issuing body
        raise ValueError(f"--issuer {issuer!r} names no issuing body")
    bodies: dict[tuple[str, str], dict[str, list[int]]] = {}
    for key, docnums in (keys if keys is not None else store.citing_keys(symbol)).items():
        key_symbol, key_issuer, key_year = key_parts(key)
        body = _cited_body(key_symbol, key_issuer)
        if (wanted and not re.search(wanted, f" {body} ")) or (year and key_year != str(year)):
            continue
        bodies.setdefault((body, key_year), {})[key] = docnums
    shown = {group: _shown_docs(keys, None if relation else limit) for group, keys in bodies.items()}
    everyone = sorted({d for docnums in shown.values() for d in docnums})
    heads = dict(zip(everyone, store.heads_at(everyone)))  # what every group shows, under one searcher
    groups = [_group(body, key_year, keys, limit, [heads[d] for d in shown[body, key_year]], relation)
              for (body, key_year), keys in bodies.items()]
    groups = [g for g in groups if g.total]
    groups.sort(key=lambda g: (-g.total, g.key))
    return {g.key: g for g in groups}


def _cited_body(symbol: str, key_issuer: str) -> str:
    """The canonical body of a citation key's issuer: as the key says it, read again
    (an archive parsed before keys were canonical says ``bo truong bo tai chinh``),
    or, where the citation printed none, the central body the symbol's code names
    (``NĐ-CP``: ``chinh phu``), so the decree cited with and without its issuer is
    one document."""
    parsed = parse_symbol(symbol)
    code = issuer_code(parsed.codes, parsed.type_code) if parsed else None
    if key_issuer:
        return issuer_key(key_issuer, code=code) or key_issuer
    central = body_of_symbol(parsed.codes, parsed.type_code) if parsed else None
    return issuer_key(central) or "" if central else ""


def _shown_docs(keys: dict[str, list[int]], limit: int | None) -> list[int]:
    """The citing documents a group shows at most: each key's oldest ``limit``."""
    return list(dict.fromkeys(d for docnums in keys.values() for d in (docnums if limit is None else docnums[:limit])))


def _group(body: str, year: str, keys: dict[str, list[int]], limit: int | None,
           heads: list[dict | None], relation: str | None = None) -> CitingGroup:
    """One cited document's group from the keys that name it (one, but for an
    archive parsed before keys were canonical): the oldest ``limit`` citing
    documents (each key's documents come oldest first), given the heads of its
    ``_shown_docs`` (None: removed since)."""
    everyone = {d for docnums in keys.values() for d in docnums}
    documents = [_citing(head, keys) for head in heads if head is not None]
    if relation:  # every head was loaded: the count is of those in that role
        documents = [c for c in documents if relation in c.roles]
        everyone = {c.record["path"] for c in documents}
    if len(keys) > 1 or relation:
        documents.sort(key=lambda c: (c.record.get("date") or "9999", c.record["path"]))
        documents = documents if limit is None else documents[:limit]
    first = next((c.citation for c in documents if c.citation.get("key")), {})
    symbol = first.get("symbol") or key_parts(next(iter(keys)))[0]
    label = symbol_key(symbol, body, year)
    return CitingGroup(label, len(everyone), documents, _shown_body(documents, body))


def _shown_body(documents: list[CitingDocument], body: str) -> str | None:
    """The cited body's name, from the first citation that prints or implies it."""
    for citing in documents:
        c = citing.citation
        parsed = parse_symbol(c["symbol"]) if c.get("symbol") else None
        code = issuer_code(parsed.codes, parsed.type_code) if parsed else None
        name = c.get("issuer_name") or issuer_name(c.get("issuer") or c.get("issuer_inferred"), code=code)
        if name:
            return name
    return issuer_name(body) if body else None


def _citing(head: dict, keys) -> CitingDocument:
    """The document's head with its first citation under one of these (indexed) keys."""
    citation = next((c for c in head.get("citations") or [] if c.get("key") and key_term(c["key"]) in keys), {})
    return CitingDocument(head, citation)


# What a later document can do to this one's standing.
AFFECTING = ("sua_doi", "thay_the", "bai_bo", "dinh_chinh")


def citing_its_year(store: Archive, record: dict) -> dict[str, CitingGroup]:
    """The documents citing this one's symbol, only the groups of its own year (a
    decree cited by thousands), all of them loaded; {} for a record without symbol."""
    if not record.get("symbol"):
        return {}
    return cites(store, record["symbol"], year=(record.get("date") or "")[:4] or None)


def standing(store: Archive, record: dict, citing: dict[str, CitingGroup] | None = None) -> list[dict]:
    """What in the archive amends, replaces, repeals or corrects this document, as
    their texts say (oldest first): each with its relation, what it is, and from
    when it takes effect where its text says so (``effective_date``). An empty
    list says the archive holds nothing that changes it, not that it is in force.
    ``citing``: ``citing_its_year`` when the caller has it already."""
    if not record.get("symbol"):
        return []
    found = []
    for group in (citing if citing is not None else citing_its_year(store, record)).values():
        for citing in group:
            roles = [r for r in citing.roles if r in AFFECTING]
            if roles and matches(record, citing.citation) and citing.record["path"] != record["path"]:
                r = citing.record
                found.append({"relation": roles[0], "also": roles[1:], "symbol": r.get("symbol"),
                              "doc_type": r.get("doc_type"), "date": r.get("date"), "issuer": r.get("issuer"),
                              "effective_date": r.get("effective_date"), "path": r["path"],
                              "text": citing.citation.get("text")})
    return sorted(found, key=lambda f: (f["date"] or "9999", f["path"]))


@dataclass
class Node:
    """One node of a trace: a document, a cited document, or a plan a decision issues."""

    label: str
    kind: str                     # document | cited | issued
    status: str                   # archived | missing
    path: str | None = None
    date: str | None = None
    text: str | None = None
    children: list[Node] = field(default_factory=list)
    relation: str | None = None   # how the citing side of the edge to it relates to the cited one
    reverse: bool = False         # the edge walked backwards: it cites its parent
    also: list[str] = field(default_factory=list)  # the citing side's other roles towards it
    mentions: int = 1             # how many times the citing document cites it
    resolved_by: str | None = None  # the evidence an archived node was found on (``resolved``, ``_find_plan``)

    @property
    def edge(self) -> str | None:
        """The edge from its parent in words: ``căn cứ``; backwards ``được sửa đổi, bổ sung bởi``."""
        if not self.relation:
            return None
        return (INVERSE if self.reverse else NAMES)[self.relation]

    @property
    def role_words(self) -> list[str]:
        """Every role of the edge from its parent in words, its ``edge`` first."""
        if not self.relation:
            return []
        return [self.edge, *((INVERSE if self.reverse else NAMES)[r] for r in self.also)]

    def to_dict(self) -> dict:
        return {"label": self.label, "kind": self.kind, "status": self.status, "path": self.path,
                "date": self.date, "text": self.text, "relation": self.relation, "edge": self.edge,
                "also": self.also, "mentions": self.mentions, "resolved_by": self.resolved_by,
                "children": [c.to_dict() for c in self.children]}


def _label(record: dict) -> str:
    what = " ".join(v for v in (record.get("doc_type"), record.get("symbol")) if v) or os.path.basename(record["path"])
    return f"{what} ({record['issuer']})" if record.get("issuer") else what


def find_roots(store: Archive, target: str) -> list[dict]:
    """A path (indexed) or a symbol in any damaged form."""
    if os.path.exists(target):
        record = store.by_path(os.path.abspath(target))
        return [record] if record else []
    symbol = normalize_symbol(target)
    if not symbol:
        raise ValueError(f"'{target}' is neither an indexed file nor a document symbol")
    return store.by_symbol(symbol)


def _find_plan(store: Archive, issued: dict, citation: dict, decision: dict | None) -> tuple[dict | None, str | None]:
    """The plan a cited decision issues (``issued``: its type and title), found only
    on evidence: in the decision's own file (an attachment of that type); else
    among the five plans of that type the title finds, one whose title is
    ``PLAN_TITLE`` alike and that names the decision without a date of its own or
    with the decision's (``Ban hành kèm theo Quyết định số ...``), or one of the
    decision's date. Another plan of the body with a like title (``Kế hoạch tuyên
    truyền cải cách hành chính``, next year's plan, even citing the decision) is
    not it."""
    title = fold(issued.get("title") or "")
    if not title:
        return None, None
    kind = fold(issued.get("type") or "")
    if decision is not None and any(fold(p.get("name") or "") == kind for p in decision.get("parts") or []):
        return decision, "attached to the decision"
    when = citation.get("date")
    for hit in store.search(" ".join(title.split()[:12]), doc_type=issued["type"], limit=5).hits:
        if _similar(hit.title, title) < PLAN_TITLE:
            continue
        if when and hit.date == when:
            return store.by_path(hit.path), "title + date"
        plan = store.by_path(hit.path) if hit.date is None or hit.date == when else None
        if plan and any(_same_document(c, citation) for c in plan.get("citations") or []):
            return plan, "names the decision"
    return None, None


# How alike (folded, difflib's ratio) a plan's title must be to what the decision
# says it issues: ``Cải cách hành chính năm 2024`` against ``Tuyên truyền cải cách
# hành chính năm 2024`` is 0.81.
PLAN_TITLE = 0.9


def _similar(title: str | None, wanted: str) -> float:
    return difflib.SequenceMatcher(None, fold(title or ""), wanted).ratio()


def _same_document(a: dict, b: dict) -> bool:
    """Two citations of one document: symbol, year and body agree (as far as both say)."""
    sa, ia, ya = key_parts(a.get("key") or "")
    sb, ib, yb = key_parts(b.get("key") or "")
    if symbol_term(a.get("symbol") or sa) != symbol_term(b.get("symbol") or sb):
        return False
    return (not ya or not yb or ya == yb) and same_issuer(ia or None, ib or None)


def trace(store: Archive, record: dict, depth: int = 2, reverse: bool = False,
          seen: set | None = None) -> Node:
    seen = seen if seen is not None else set()
    seen.add(record["path"])
    node = Node(_label(record), "document", "archived", record["path"], record.get("date"), record.get("title"))
    if depth <= 0:
        return node
    if reverse:
        for group in cites(store, record["symbol"]).values() if record.get("symbol") else []:
            for citing in group:
                if matches(record, citing.citation) and citing.record["path"] not in seen:
                    child = trace(store, citing.record, depth - 1, True, seen)
                    child.relation, child.reverse = citing.citation.get("relation"), True
                    child.also = list(citing.citation.get("also") or [])
                    node.children.append(child)
        return node
    cited: list[tuple[list[dict], list[dict], str | None]] = []
    for mentions in _cited_documents(record):
        found, how = next(((f, h) for f, h in (resolved(store, c) for c in mentions) if f), ([], None))
        same = next((c for c in cited if found and c[1] and c[1][0]["path"] == found[0]["path"]), None)
        if same:  # two spellings of one archived document (``của UBND phường``): one node
            same[0].extend(mentions)
        else:
            cited.append((mentions, found, how))
    for mentions, found, how in cited:
        node.children.append(_cited_node(store, mentions, found, how, depth, seen))
    return node


def _times(node: Node) -> str:
    return f"×{node.mentions}" if node.mentions > 1 else ""


def _cited_documents(record: dict) -> list[list[dict]]:
    """The main part's citations, one list for each cited document (by key; one
    without a key stands alone), in the order each is first cited."""
    documents: dict[str, list[dict]] = {}
    for at, citation in enumerate(record.get("citations") or []):
        if citation.get("part") == "main":
            documents.setdefault(citation.get("key") or f"#{at}", []).append(citation)
    return list(documents.values())


def _cited_node(store: Archive, mentions: list[dict], found: list[dict], how: str | None,
                depth: int, seen: set) -> Node:
    """One cited document, however many times cited (``mentions``), resolved to
    ``found`` on the evidence ``how``: the relation of its first citation, the
    other roles of all of them."""
    citation = mentions[0]
    label = " ".join(v for v in (citation.get("name") or citation.get("type"), citation.get("symbol")) if v)
    issuer = citation.get("issuer") or citation.get("issuer_inferred")
    if issuer:
        label += f" ({issuer})"
    if found and found[0]["path"] not in seen and depth > 1:
        child = trace(store, found[0], depth - 1, False, seen)
        child.kind, child.text = "cited", citation.get("subject") or child.text
    else:
        child = Node(label, "cited", "archived" if found else "missing", found[0]["path"] if found else None,
                     citation.get("date"), citation.get("subject"))
    child.relation = citation.get("relation")
    roles = {*(citation.get("also") or []), *(c.get("relation") for c in mentions[1:])} - {child.relation, None}
    child.also = sorted(roles, key=RELATIONS.index)
    child.mentions, child.resolved_by = len(mentions), how
    for issued in citation.get("issues") or []:
        plan, evidence = _find_plan(store, issued, citation, found[0] if found else None)
        child.children.append(Node(f"issues {issued['type']}: {issued.get('title') or ''}".strip(), "issued",
                                   "archived" if plan else "missing", plan["path"] if plan else None,
                                   plan.get("date") if plan else None, issued.get("title"),
                                   resolved_by=evidence))
    return child


def to_dot(root: Node) -> str:
    """Graphviz DOT: one box per document however often it appears (archived ones
    by file, missing ones by label), missing ones dashed; edges named by relation,
    with the mentions when a document is cited more than once."""
    lines = ["digraph trace {", '  rankdir=LR; node [shape=box, fontname="DejaVu Sans"];']
    names: dict[str, str] = {}
    drawn: set[tuple[str, str]] = set()

    def visit(node: Node) -> str:
        # a missing document by its label and date: 16/KH-UBND of 2023 and of 2024 are two
        identity = (node.path if node.status == "archived" and node.kind != "issued"
                    else f"{node.kind}:{node.label}:{node.date}")
        if identity not in names:
            names[identity] = f"n{len(names)}"
            style = ", style=dashed" if node.status == "missing" else ""
            label = node.label.replace("\\", "/").replace('"', "'")
            lines.append(f'  {names[identity]} [label="{label}"{style}];')
        name = names[identity]
        for child in node.children:
            target = visit(child)
            if (name, target) in drawn:
                continue
            drawn.add((name, target))
            words = ", ".join(w for w in (*child.role_words, _times(child)) if w)
            edge = f' [label="{words}"]' if words else ""
            lines.append(f"  {name} -> {target}{edge};")
        return name

    visit(root)
    lines.append("}")
    return "\n".join(lines) + "\n"
