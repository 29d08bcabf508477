"""Analysis, storage, queries and the citation graph (built on the Document record)."""
