"""The field catalogue: every field of an archive and every group of fields, once.

Both backends index the same fields, analysed by the same analyzers
(``analysis.py``), and read the same query language: Whoosh's query parser over
the schema below (``query.parse_query``). The Whoosh backend stores the schema
as it is; the PostgreSQL backend keeps the text fields as ``tsvector`` columns
made with the schema's analyzers, the others as plain columns of the same names.
A new field is filled by ``rows.index_fields``; PostgreSQL needs its column too
(``postgres/ddl.py``, ``postgres/rows.py``, a schema version step), and the groups
below say how a query reaches it. A Whoosh index made before a field was added
opens and searches without it (the writer leaves out what its schema lacks, and
the readers of the field fall back), until ``ingest --repair`` rebuilds it.
"""
from __future__ import annotations

from whoosh.columns import CompressedBytesColumn, FixedBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence

from .analysis import folded_analyzer, pairs_analyzer, syllable_analyzer, word_analyzer


CODE_BYTES = 8  # a column's code of a document's text hash or identity; all zero: none


class PAIRS(FieldType):
    """Adjacent-syllable pairs: present or not, no frequencies, positions or lengths
    (they filter phrase candidates and never score)."""

    def __init__(self, analyzer) -> None:
        self.analyzer = analyzer
        self.format = Existence()
        self.scorable = False
        self.stored = False
        self.unique = False


def make_schema() -> Schema:
    words, syllables, folded, pairs = word_analyzer(), syllable_analyzer(), folded_analyzer(), pairs_analyzer()
    return Schema(
        path=ID(stored=True, unique=True),
        sha256=ID(stored=True),
        symbol=ID(stored=True),                       # normalised, lower case: 308/qđ-ubnd
        doc_type=ID(stored=True),
        issuer_key=ID(stored=True, sortable=True),    # the body's canonical key: so y te tinh kien giang
        issuer_name=ID(),                             # its name, counted by --facets: Sở Y tế tỉnh Kiên Giang
        date=DATETIME(stored=True, sortable=True),
        year=NUMERIC(stored=True, sortable=True),
        # Positions only where phrases are matched (the syllable fields): encoding
        # positions is the costliest part of writing the index.
        title=TEXT(analyzer=words, phrase=False, field_boost=3.0),
        title_syl=TEXT(analyzer=syllables, phrase=True, field_boost=2.0),
        title_fold=TEXT(analyzer=folded, field_boost=1.2),
        body=TEXT(analyzer=words, phrase=False),
        body_syl=TEXT(analyzer=syllables, phrase=True, field_boost=0.8),
        body_fold=TEXT(analyzer=folded, field_boost=0.4),
        title_pairs=PAIRS(pairs), body_pairs=PAIRS(pairs),
        signer=TEXT(analyzer=folded, phrase=False),
        cite_symbols=KEYWORD(stored=True, commas=True, lowercase=True),
        cite_keys=KEYWORD(stored=True, commas=True, lowercase=True),
        period=ID(stored=True),
        confidentiality=ID(stored=True),              # mật | tối mật | tuyệt mật, or none
        urgency=ID(stored=True),
        figures=TEXT(analyzer=syllables, phrase=False),
        needs_ocr=ID(stored=True),
        ingested=DATETIME(stored=True),
        record=STORED,
        # The first bytes of the text hash and of symbol|issuer|date (duplicates.py),
        # a column only, read whole by a search to find the copies among its matches.
        # An index made before them has neither: its documents each stand alone.
        text_hash=COLUMN(FixedBytesColumn(CODE_BYTES)),
        identity=COLUMN(FixedBytesColumn(CODE_BYTES)),
        # The record's head (``rows.head``) as JSON: what a list of citing documents
        # reads of each (an index made before it reads the whole record instead).
        head=COLUMN(CompressedBytesColumn()),
    )


# --- what a query reads --------------------------------------------------------

# Searched when a query names no field; ``signer:``, ``figures:`` and the others by
# name (the signer's name is in the body too).
SEARCH_FIELDS = ["title", "title_syl", "title_fold", "body", "body_syl", "body_fold"]
# A query typed without diacritics can only mean the folded text: asking the exact
# fields as well would cost twice the work for the same documents.
FOLDED_FIELDS = ["title_fold", "body_fold"]
# Phrases are matched on syllables only: the same words segmented differently would
# miss, and asking the word fields too doubles the work for nothing.
PHRASE_FIELDS = {"title_syl", "title_fold", "body_syl", "body_fold"}
# The fields a query may name: those both backends search (``record`` is only
# stored, the pairs fields are internal, ``ingested`` is not in the PostgreSQL rows).
SEARCHABLE = ("title", "title_syl", "title_fold", "body", "body_syl", "body_fold", "signer", "figures",
              "symbol", "doc_type", "issuer_key", "date", "year", "cite_symbols", "cite_keys", "period",
              "confidentiality", "urgency", "needs_ocr", "path", "sha256")
# The fields a hit's snippet is cut from, in order of preference.
SNIPPET_FIELDS = ("body_syl", "body_fold", "title_syl", "title_fold")
# Facet name (``--facets``) -> the field counted.
FACET_FIELDS = {"year": "year", "type": "doc_type", "issuer": "issuer_name"}
# The pairs field that filters a phrase on each positional field.
PAIRS_OF = {"title_syl": "title_pairs", "title_fold": "title_pairs",
            "body_syl": "body_pairs", "body_fold": "body_pairs"}

# --- how each backend keeps them ----------------------------------------------

# Text fields: a tsvector each on PostgreSQL; positions where phrases are matched.
TEXT_FIELDS = ("title", "title_syl", "title_fold", "body", "body_syl", "body_fold", "signer", "figures")
POSITIONAL = PHRASE_FIELDS
# Body phrases are matched in passages on PostgreSQL (a long text passes its
# tsvector's position limits).
PASSAGE_FIELDS = ("body_syl", "body_fold")
# Fields matched by equality (query field -> PostgreSQL column), and the array columns.
EQUALITY = {"symbol": "symbol_term", "doc_type": "doc_type", "issuer_key": "issuer_key", "path": "path",
            "sha256": "sha256", "period": "period", "confidentiality": "confidentiality", "urgency": "urgency"}
ARRAYS = {"cite_symbols", "cite_keys"}
# The Whoosh fields whose frequent terms are kept as arrays beside each segment;
# the pairs fields' weights are all 1, so only their documents are written.
FREQUENT_FIELDS = ("title", "title_syl", "title_fold", "body", "body_syl", "body_fold", "title_pairs", "body_pairs")
PRESENCE_ONLY = ("title_pairs", "body_pairs")
# Per-document codes (``CODE_BYTES`` each) of what makes two files one document.
CODE_COLUMNS = ("text_hash", "identity")
