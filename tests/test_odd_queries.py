"""Odd queries and options get an answer or one plain line, never a traceback, on
both backends: each row runs ``vanban search`` (or ``cites``) through click's
CliRunner on a real archive of the samples (a Whoosh index in a folder, a
PostgreSQL archive in a fresh database of the tests' server).

A row says what a user should get: ``None`` (the query runs: exit 0, whatever it
finds) or the words the one ``Error:`` line must hold (exit 1)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import BACKENDS, SAMPLES, new_database
from index.query import MAX_BOOST, MAX_DEPTH, MAX_QUERY_CHARS, MAX_TERMS, MAX_WORD_CHARS
from search_cli import cli

NESTED_2000 = "(" * 2000 + "quy" + ")" * 2000
NESTED_1000 = "(" * 1000 + "quy" + ")" * 1000
OR_300 = " OR ".join(f"từ{i}" for i in range(300))  # 2.4 KB: a long query that must still run

# (command line, words of the error line or None when the command runs)
ROWS = [
    (["search", "*a"], "a word may not start with * or ?"),
    (["search", "?"], "a word may not start with * or ?"),
    (["search", "quy AND *nh"], "a word may not start with * or ?"),
    (["search", "date:[2024 to 2025]"], None),
    (["search", "date:2024"], None),
    (["search", "date:[x to y]"], "'x' is not a parseable date"),
    (["search", "record:x"], "no such field: record (fields: title,"),
    (["search", "title_pairs:quy"], "no such field: title_pairs"),
    (["search", "ingested:2024"], "no such field: ingested"),
    (["search", "title_fold:quy^" + "9" * 400], None),  # an infinite boost: clamped
    (["search", "quy^999999999999999999999"], None),
    (["search", "quy^0"], None),
    (["search", NESTED_2000], f"the query is too long (4003 characters; at most {MAX_QUERY_CHARS})"),
    (["search", NESTED_1000], f"nests parentheses too deep (1000 levels; at most {MAX_DEPTH})"),
    (["search", "a" * 3000], f"a word of the query is too long (3000 characters; at most {MAX_WORD_CHARS})"),
    (["search", f'"{"quy " * 40}{"b" * 300}"'], "a word of the query is too long (300 characters"),
    (["search", " ".join(f"từ{i}" for i in range(650))], f"too many terms (each word counts once per field searched; at most {MAX_TERMS})"),
    (["search", OR_300], None),
    (["search", "(quy"], None),
    (["search", 'quy "định'], None),
    (["search", "year:abc"], None),
    (["search", "title:*"], None),
    (["search", "symbol:308*"], None),
    (["search", "AND OR NOT"], None),
    (["search", "**"], "a word may not start with * or ?"),
    (["search", "date:[2024 to]"], None),
    (["search", "date:[2025 to 2024]"], None),
    (["search", '""'], None),
    (["search", "()"], None),
    (["search", "NOT quy"], None),
    (["search", "symbol:*"], None),
    (["search", "path:/x/*"], None),
    (["search", "quy", "--issuer", "-"], "--issuer '-' names no issuing body"),
    (["cites", "308/QĐ-UBND", "--issuer", "'"], "names no issuing body"),
    (["cites", "308/QĐ-UBND", "--issuer", "UBND"], None),
]


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()                  # click >= 8.2 keeps stderr apart by itself


@pytest.fixture(scope="module", params=BACKENDS)
def archive(request, tmp_path_factory):
    """The samples, ingested once per backend (text files and documents: no OCR)."""
    if request.param == "whoosh":
        index = str(tmp_path_factory.mktemp("odd") / "index")
    else:
        index = new_database(request.getfixturevalue("pg_server"))
    files = [str(p) for p in sorted(SAMPLES.iterdir()) if p.suffix in (".docx", ".md", ".pdf", ".txt")]
    result = _runner().invoke(cli, ["ingest", "--no-ocr", "--json", *files, "--index", index])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] >= 5
    return index


@pytest.mark.parametrize("args,error", ROWS, ids=[" ".join(a)[:40] for a, _ in ROWS])
def test_an_odd_query_gets_an_answer_or_one_line(archive, args, error):
    result = _runner().invoke(cli, [*args, "--index", archive])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if error is None:
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        return
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert error in lines[0]


def _paths(archive, *args) -> set[str]:
    result = _runner().invoke(cli, ["search", *args, "--json", "--limit", "1000", "--index", archive])
    assert result.exit_code == 0, result.stderr
    return {json.loads(line)["path"] for line in result.stdout.splitlines() if line.strip()}


def test_a_date_range_in_the_query_is_a_range_of_dates(archive):
    """``date:[2024 to 2025]`` finds what ``--from 2024-01-01 --to 2025-12-31`` does."""
    in_query = _paths(archive, "date:[2024 to 2025]")
    by_options = _paths(archive, "*", "--from", "2024-01-01", "--to", "2025-12-31")
    assert in_query == by_options and in_query
    assert _paths(archive, "date:[1990 to 1991]") == set()


def test_a_boost_out_of_bounds_ranks_like_the_largest_allowed(archive):
    huge = _paths(archive, "title_fold:quy^" + "9" * 400)
    assert huge == _paths(archive, f"title_fold:quy^{MAX_BOOST:g}") == _paths(archive, "title_fold:quy")
