"""What each reading command answers, as the JSON objects its ``--json`` prints.

The contract: one function per command, from the archive and the command's
options to a list of plain JSON objects, in the order they are printed. The
command line prints them one per line; the web's ``/api/`` returns the same list
as one JSON array, so the two cannot say different things.
"""
from __future__ import annotations

from .archive import Archive
from .graph import cites, standing, trace
from .report import stats
from .series import follow


def search_objects(store: Archive, text: str, **options) -> list[dict]:
    """Each hit (``Hit.to_dict``; ``most_words``: found by most of the words, not
    all), then ``{"facets": ...}`` when facets were asked."""
    results = store.search(text, **options)
    objects = [{**hit.to_dict(), **({"most_words": True} if results.relaxed else {})} for hit in results.hits]
    if options.get("facets"):
        objects.append({"facets": results.facets})
    return objects


def figures_objects(store: Archive, query: str, **options) -> list[dict]:
    """A row of figures per issuer, measure and kind, then what was read (``Series.to_objects``)."""
    return follow(store, query, **options).to_objects()


def cites_objects(store: Archive, symbol: str, **options) -> list[dict]:
    """Each citing document of each group (``CitingDocument.to_dict``)."""
    return citing_objects(cites(store, symbol, **options))


def citing_objects(groups: dict) -> list[dict]:
    """``cites``'s groups as the objects ``cites --json`` prints."""
    return [citing.to_dict() for group in groups.values() for citing in group]


def show_objects(store: Archive, roots: list[dict]) -> list[dict]:
    """Each record TARGET names, whole (with its text) and with its standing."""
    return [{**store.full_record(record), "standing": standing(store, record)} for record in roots]


def trace_objects(store: Archive, roots: list[dict], depth: int = 2, reverse: bool = False) -> list[dict]:
    """The trace of each record TARGET names (``Node.to_dict``)."""
    return tree_objects([trace(store, root, depth=depth, reverse=reverse) for root in roots])


def tree_objects(trees: list) -> list[dict]:
    """``trace``'s trees as the objects ``trace --json`` prints."""
    return [tree.to_dict() for tree in trees]


def stats_objects(store: Archive) -> list[dict]:
    """The archive's statistics (``report.stats``), one object."""
    return [stats(store)]
