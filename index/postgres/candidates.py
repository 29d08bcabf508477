"""A parsed query as the documents it may match, found through GIN and b-tree
indexes alone (``ddl.MATCH_COLUMNS``): the first step of every search
(``search.py``), whose cost grows with the documents found, never with what
their text fields hold.

- a word typed, which the parser asks of the six searched fields (an Or of one
  term per field), is one match on ``terms``, their tokens in one set: exactly the
  documents that have it in any of them (``quy`` → ``terms @@ 'quy'``); the words
  of a query, ANDed and ORed, are one ``tsquery`` (``'quy' & ('định' | 'dinh')``);
- a term asked of one of those fields alone (``title:quy``) finds the documents
  with the word in any of them: more than match, confirmed later;
- a phrase finds the documents with all of its adjacent folded pairs
  (``title_pairs @@ 'quy dinh' & 'dinh cong'``): nearly always exactly those with
  the phrase, confirmed later by positions;
- ``signer:`` and ``figures:``, equality, arrays, dates and years: as the exact
  translation writes them (their own indexes).

Each part says whether it is exact, or near (inexact only by phrases found by
their pairs, as on Whoosh); a part that cannot narrow (a negation of an inexact
part) is left out, and the whole is then marked inexact: candidates are always
all the matches, and more only where marked.

The same condition in one sample share of the archive (``rows.SAMPLED``), which
counts of common words are scaled from: the share's lexeme ANDed into every
match outside a negation (``'quy' & '~sample:0'``), so the same index scans find
the share's documents alone.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from whoosh import query as wq

from ..analysis import phrase_pairs
from ..fields import FOLDED_FIELDS, SEARCH_FIELDS, TEXT_FIELDS
from .rows import SAMPLED, quote_lexeme
from .sql import Translation, Unsupported, or_parts

WORD_GROUPS = (frozenset(SEARCH_FIELDS), frozenset(FOLDED_FIELDS))  # how the parser asks a word typed
PAIRS_OF = {"title": "title_pairs", "title_syl": "title_pairs", "title_fold": "title_pairs",
            "body": "body_pairs", "body_syl": "body_pairs", "body_fold": "body_pairs"}


@dataclass
class Found:
    """One part's candidates: a ``tsquery`` on ``terms`` (``words``, joinable with its
    siblings into one index scan), or an SQL condition (``sql``); neither: every
    document. ``exact``: the candidates are the part's matches; ``near``: or more
    only where a phrase's pairs are not the phrase."""
    words: str | None = None
    sql: str | None = None
    exact: bool = True
    near: bool = True

    @property
    def everything(self) -> bool:
        return self.words is None and self.sql is None


class Candidates:
    """The index-only condition of a query tree. Its parameters are named ``c0``,
    ``c1`` ... in the dict it is given (beside the exact translation's)."""

    def __init__(self, schema, params: dict) -> None:
        self.sql = Translation(schema, prefix="c", params=params)
        self.share = ""  # while the sample share's condition is made: its lexeme, ANDed
        self.shared = 0  # the matches that carry it

    def condition(self, node) -> tuple[str, str, bool, bool]:
        """(SQL condition, the same in the sample share ``rows.SAMPLED``, exact,
        near) of the whole tree. In the share's, every match on a match column
        outside a negation ANDs the share's lexeme into its ``tsquery``: the same
        index scans find the share's documents alone."""
        found = self.node(node)
        whole = self.as_sql(found)
        self.shared = 0
        with self.sharing(quote_lexeme(SAMPLED)):
            sampled = self.as_sql(self.node(node))
        if not self.shared:  # no match to join (a field's own index, a date): the share beside
            sampled = f"({sampled}) AND terms @@ {self.sql.param(quote_lexeme(SAMPLED))}::pg_catalog.tsquery"
        return whole, sampled, found.exact, found.exact or found.near

    @contextmanager
    def sharing(self, share: str):
        """The share's lexeme ANDed into the matches made inside ("": none, as
        under a negation: NOT (a & s) is not (NOT a) & s)."""
        before, self.share = self.share, share
        try:
            yield
        finally:
            self.share = before

    def shared_part(self, tsquery: str) -> str:
        if not self.share:
            return tsquery
        self.shared += 1
        return f"({tsquery}) & {self.share}"

    def as_sql(self, found: Found) -> str:
        parts = [f"terms @@ {self.sql.param(self.shared_part(found.words))}::pg_catalog.tsquery"] if found.words else []
        parts += [found.sql] if found.sql else []
        return " AND ".join(f"({p})" for p in parts) or "TRUE"

    def node(self, node) -> Found:
        if isinstance(node, wq.Term):
            return self.term(node)
        if isinstance(node, wq.Phrase):
            return self.phrase(node)
        if isinstance(node, wq.And):
            return self.all_of(node.subqueries)
        if isinstance(node, wq.Or) and node.minmatch > 1:
            return _inexact(self.any_of(list(node.subqueries)))
        if isinstance(node, wq.Or):
            return self.word_group(node) or self.any_of(list(or_parts(node)))
        if isinstance(node, wq.Not):
            return self.all_of([node])
        if isinstance(node, wq.AndNot):
            return self.all_of([node.a, wq.Not(node.b)])
        if isinstance(node, wq.AndMaybe):
            return self.node(node.a)
        if isinstance(node, wq.Require):
            return self.all_of([node.a, node.b])
        if isinstance(node, wq.Every):
            return Found()
        if isinstance(node, type(wq.NullQuery)):
            return Found(sql="FALSE")
        if isinstance(node, (wq.DateRange, wq.NumericRange)):
            return Found(sql=self.sql.range(node))
        if isinstance(node, (wq.Prefix, wq.Wildcard)):
            if node.fieldname in SEARCH_FIELDS:
                text = node.text.split("*")[0].split("?")[0]
                return Found(words=quote_lexeme(text) + ":*", exact=False, near=False)
            return Found(sql=self.sql.prefix(node))
        raise Unsupported(f"this query form is not supported on PostgreSQL: {node!r}")

    def term(self, node: wq.Term) -> Found:
        text = node.text.decode("utf-8") if isinstance(node.text, bytes) else str(node.text)
        if node.fieldname in SEARCH_FIELDS:
            return Found(words=quote_lexeme(text), exact=False, near=False)  # in another field, perhaps
        return Found(sql=self.sql.term(node.fieldname, text, 1.0)[0])

    def word_group(self, node: wq.Or) -> Found | None:
        """A word as the parser asks it (one term per searched field): exact on
        ``terms``, which holds all of those fields' tokens (a folded token found in
        any field is in a folded one too)."""
        leaves = node.subqueries
        if not all(isinstance(leaf, wq.Term) for leaf in leaves):
            return None
        if frozenset(leaf.fieldname for leaf in leaves) not in WORD_GROUPS or len(leaves) != len(
                {leaf.fieldname for leaf in leaves}):
            return None
        texts = dict.fromkeys(leaf.text.decode("utf-8") if isinstance(leaf.text, bytes) else str(leaf.text)
                              for leaf in leaves)
        return Found(words=" | ".join(quote_lexeme(text) for text in texts))

    def phrase(self, node: wq.Phrase) -> Found:
        words = [w.decode("utf-8") if isinstance(w, bytes) else str(w) for w in node.words]
        if node.fieldname not in TEXT_FIELDS:
            raise Unsupported(f"phrases cannot be searched in the field {node.fieldname!r}")
        if node.fieldname not in SEARCH_FIELDS:
            return Found(sql=self.sql.phrase(node)[0])
        pairs = phrase_pairs(words) if node.slop <= 1 else []
        if not pairs:  # one word, or words apart: each of them
            return Found(words=" & ".join(quote_lexeme(w) for w in words), exact=False, near=False)
        tsquery = " & ".join(quote_lexeme(pair) for pair in dict.fromkeys(pairs))
        return Found(sql=f"{PAIRS_OF[node.fieldname]} @@ {self.sql.param(self.shared_part(tsquery))}"
                         "::pg_catalog.tsquery", exact=False)

    def all_of(self, nodes: list) -> Found:
        words, sql, exact, near = [], [], True, True
        for child in nodes:
            negated = isinstance(child, wq.Not)
            with self.sharing("" if negated else self.share):
                found = self.node(child.query if negated else child)
            if negated and not found.exact:
                exact = near = False  # the negation of more than match would drop matches
                continue
            exact &= found.exact
            near &= found.exact or found.near
            if found.everything:
                sql += ["FALSE"] if negated else []
            elif negated and found.words and not found.sql:
                words.append(f"!({found.words})")  # the index applies it (GIN knows absence)
            elif negated:
                with self.sharing(""):
                    sql.append(f"NOT ({self.as_sql(found)})")
            else:
                words += [f"({found.words})"] if found.words else []
                sql += [found.sql] if found.sql else []
        if words and all(w.startswith("!") for w in words):  # nothing for the index to find: a filter
            sql.append(f"NOT (terms @@ {self.sql.param(' | '.join(w[1:] for w in words))}::pg_catalog.tsquery)")
            words = []
        return Found(words=" & ".join(words) or None, sql=" AND ".join(f"({s})" for s in sql) or None,
                     exact=exact, near=near)

    def any_of(self, nodes: list) -> Found:
        found = [self.node(child) for child in nodes]
        exact, near = all(f.exact for f in found), all(f.exact or f.near for f in found)
        if any(f.everything for f in found):
            return Found(exact=exact, near=near)
        if all(f.words and not f.sql for f in found):
            return Found(words=" | ".join(f"({f.words})" for f in found), exact=exact, near=near)
        return Found(sql=" OR ".join(f"({self.as_sql(f)})" for f in found), exact=exact, near=near)


def _inexact(found: Found) -> Found:
    found.exact = found.near = False
    return found
