"""Extraction: a ``Layout``'s lines and the record's text in, a ``Document``'s fields out:
``header.parse_header(lines)`` gives type, number, symbol, issuer, date, title, signer and
recipients; ``body.extract_body(doc, spans)`` adds parts, sections, citations, figures, period."""
