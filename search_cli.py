"""vanban: parse, index and search Vietnamese official documents.

Commands only, thin shells over the library in ``ingest/`` and ``index/``: each
opens the archive, calls one library function and prints what ``index.terminal``
renders of its result (or the result as JSON); a failure the user can act on is a
``ClickException``, one line.
"""
from __future__ import annotations

import contextlib
import functools
import json
import logging
import signal
import sys

import click

from index import terminal
from ingest.batch import DEFAULT_TIMEOUT, default_jobs, parse_many
from ingest.extract.relations import RELATIONS
from ingest.files import find_files
from ingest.models import Document
from ingest.ocr.tesseract import OcrSettings, default_cache_dir
from ingest.parse import parse_file

INDEX_HELP = ("Index folder, or a PostgreSQL archive as postgresql://user@host/db "
              "(default: $VANBAN_INDEX, else ./vanban-index).")


CITES_SHOWN = 50  # citing documents listed per cited document by default


def _index_option(command):
    return click.option("--index", "index_dir", envvar="VANBAN_INDEX", default="vanban-index",
                        show_default=True, help=INDEX_HELP)(command)


_OPENED: list[str] = []  # the archive the command opened: named (password masked) if it fails later


def _open_store(index_dir: str):
    """The Whoosh index in a folder, or the archive on PostgreSQL at a URL."""
    from index.backends import ArchiveUnavailable, open_archive
    try:
        store = open_archive(index_dir)
    except ArchiveUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    _OPENED.append(index_dir)
    return store


def _issuer_option(issuer: str | None) -> str | None:
    """``--issuer`` as given, or a plain error when it names no issuing body at all
    (only punctuation: nothing to match)."""
    from ingest.vocabulary.issuers import issuer_key
    if issuer and not issuer_key(issuer):
        raise click.ClickException(f"--issuer {issuer!r} names no issuing body "
                                   "(give its name in any spelling: 'UBND phường Nguyễn Nghiêm')")
    return issuer


def _roots(store, target: str) -> list[dict]:
    """The archived documents TARGET names (a file or a symbol), or a plain error."""
    from index.graph import find_roots
    try:
        roots = find_roots(store, target)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if not roots:
        raise click.ClickException(f"{target} is not in the archive")
    return roots


def _emit(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


def _echo(lines: list[str], err: bool = False) -> None:
    """Lines rendered by ``index.terminal``; nothing at all for none."""
    if lines:
        click.echo("\n".join(lines), err=err)


def _trusted_ocr_cache(folder: str) -> str:
    """The OCR cache, if only its owner can change it: its pages decide what a scan says."""
    from index.trust import check_folder
    try:
        check_folder(folder)
    except PermissionError as exc:
        raise click.ClickException(str(exc)) from None
    return folder


FOLLOW_HELP = "Follow links to files and folders outside the folders named (not followed by default)."


class _Commands(click.Group):
    """Every command: an index found damaged while it is read (after it opened) is
    one line saying how to repair it, like any other archive failure."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            archive = sys.modules.get("index.archive")  # not imported: no archive was read
            if archive is not None and isinstance(exc, archive.ArchiveDamaged):
                raise click.ClickException(str(exc)) from None
            backends = sys.modules.get("index.backends")  # a server error after the archive opened
            said = backends.failure_line(exc, _OPENED[-1]) if backends is not None and _OPENED else None
            if said:
                raise click.ClickException(said) from None
            raise


@click.group(cls=_Commands)
@click.version_option(package_name="vanban")
def cli() -> None:
    """Parse, index and search Vietnamese official documents."""
    # psycopg logs the errors it ignores (the rollback of a statement Ctrl-C cut
    # short) as warnings: every failure is said here once, in the command's words.
    logging.getLogger("psycopg").setLevel(logging.ERROR)


@cli.command()
@_index_option
def init(index_dir):
    """Create the archive (a Whoosh index folder, or the schema, roles and policies
    of a PostgreSQL archive), or bring an existing one up to this version."""
    from index.backends import ArchiveUnavailable, open_archive
    notes = []
    try:
        store = open_archive(index_dir, create=True, migrate=True)
        notes = store.init()  # on PostgreSQL: what it could not do, and why
    except (ArchiveUnavailable, PermissionError) as exc:
        raise click.ClickException(str(exc)) from None
    for note in notes:
        click.echo(note, err=True)
    click.echo(terminal.archive_ready_line(store.shown, store.count()))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file per line.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=None, help="Worker processes (default: all cores).")
@click.option("--timeout", type=click.FloatRange(1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds a file may go without progress before it is stopped and reported.")
@click.option("--no-ocr", is_flag=True, help="Do not read scanned pages (they are listed as waiting for OCR).")
@click.option("--ocr-cache", type=click.Path(file_okay=False), default=default_cache_dir,
              show_default="$VANBAN_OCR_CACHE, else ~/.cache/vanban/ocr",
              help="Where pages read by OCR are kept, so no page is read twice.")
@click.option("--follow-links", is_flag=True, help=FOLLOW_HELP)
@click.option("--verbose", "-v", is_flag=True, help="Name every file skipped.")
def parse(paths, as_json, jobs, timeout, no_ocr, ocr_cache, follow_links, verbose):
    """Parse documents and print their records.

    PATHS are files or folders (searched recursively). Scanned pages are read by
    Tesseract (vie) when it is installed. Each file that cannot be read gets a
    one-line error on stderr; the others are still parsed, and the exit code is 1
    if any file failed. Only regular files are read; files of other types are
    skipped and counted, and links out of the folders named are not followed
    unless --follow-links.
    """
    task = _parse_task(jobs, None if no_ocr else _trusted_ocr_cache(ocr_cache))
    intake = find_files(paths, follow_links)
    _echo(terminal.skipped_lines(intake.skipped, verbose), err=True)
    failed = len(intake.refused)
    for entry in intake.refused:
        click.echo(terminal.error_line(entry["path"], entry["error"]), err=True)
        if as_json:
            _emit(Document(path=entry["path"], error=entry["error"]).to_dict())  # the shape of any failed file
    for record in parse_many(intake.files, jobs=jobs, timeout=timeout, task=task):
        if record.get("error"):
            failed += 1
            click.echo(terminal.error_line(record["path"], record["error"]), err=True)
        if as_json:
            _emit(record)
        elif not record.get("error"):
            _echo(terminal.record_lines(record) + [""])  # a blank line after each record
    if failed:
        click.echo(terminal.failed_count_line(failed), err=True)
        sys.exit(1)


def _parse_task(jobs: int | None, ocr_cache: str | None):
    """``parse_file`` with OCR through this cache (none: scans are not read); the
    cores left by the parse workers go to Tesseract."""
    workers = jobs or default_jobs()
    settings = None if ocr_cache is None else OcrSettings(cache_dir=ocr_cache, jobs=max(1, default_jobs() // workers))
    return functools.partial(parse_file, ocr=settings)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_index_option
@click.option("--jobs", "-j", type=click.IntRange(1), default=None, help="Parse workers (default: all cores).")
@click.option("--prune", is_flag=True, help="Drop records whose files are gone.")
@click.option("--wait", is_flag=True, help="Wait for another ingest to finish instead of stopping.")
@click.option("--timeout", type=click.FloatRange(1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds a file may go without progress before it is stopped and reported.")
@click.option("--no-ocr", is_flag=True, help="Index scans without reading them (a later ingest reads them).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--repair", is_flag=True,
              help="First rebuild the index from the parsed records it keeps (nothing is parsed again); "
                   "PATHS are then ingested as usual, and may be left out.")
@click.option("--follow-links", is_flag=True, help=FOLLOW_HELP)
@click.option("--verbose", "-v", is_flag=True, help="Name the files added, replaced, pruned and skipped.")
def ingest(paths, index_dir, jobs, prune, wait, timeout, no_ocr, as_json, repair, follow_links, verbose):
    """Index files and folders: new and changed files are parsed on all cores,
    unchanged ones skipped. Exit code 1 if any file failed (the others are indexed).
    Only regular files are read; links out of the folders named are not followed
    unless --follow-links.

    Ctrl-C, SIGTERM or SIGHUP stop it in order: the archive keeps everything
    committed before, one line says so, and the exit code is 128 + the signal's
    number (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP); running the same
    ingest again finishes the job without parsing again what was parsed."""
    from index.archive import NOTHING_TO_REPAIR, is_url
    if not paths and not repair:
        raise click.UsageError("Missing argument 'PATHS...'.")
    if repair and is_url(index_dir):
        raise click.ClickException(NOTHING_TO_REPAIR)
    report = _run_ingest(paths, index_dir, as_json, dict(jobs=jobs, prune=prune, wait=wait, timeout=timeout,
                                                         ocr=not no_ocr, repair=repair, follow_links=follow_links))
    _print_ingest_report(report, as_json, verbose)
    if report.failed:
        sys.exit(1)


def _run_ingest(paths, index_dir, as_json: bool, options: dict):
    """The ingest with its progress bar; stopped by a signal, one line on stderr
    and the exit code 128 + the signal's number."""
    from index.backends import ArchiveUnavailable
    from index.indexing import index_paths
    from index.run import IndexBusy, IngestInterrupted
    from ingest.batch import children_started
    bar_scope, stopped = contextlib.ExitStack(), None  # holds the progress bar once it opens
    try:
        return index_paths(paths, index_dir, on_progress=_progress_bar(bar_scope, as_json), **options)
    except (IndexBusy, ArchiveUnavailable, PermissionError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt as exc:  # IngestInterrupted, or a Ctrl-C before the ingest began
        stopped = exc if isinstance(exc, IngestInterrupted) else IngestInterrupted()
        # The stop is done: only its line is left to say, uninterrupted. The handlers
        # come back after it (a process that goes on, as under CliRunner, keeps them).
        held = {signum: signal.signal(signum, signal.SIG_IGN)
                for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    finally:
        bar_scope.close()  # the bar's last line comes before the stop's
        if stopped is not None:
            children_started()  # a worker being started by another thread has what it runs
            click.echo(str(stopped), err=True)
            for signum, handler in held.items():
                signal.signal(signum, handler)
            sys.exit(stopped.exit_code)


def _progress_bar(bar_scope: contextlib.ExitStack, as_json: bool):
    """The ingest's progress callback: a bar on stderr ("Parsing", position, ETA)
    entered into ``bar_scope`` at the first call, when the number of files to parse
    is known; no bar with --json or with nothing to parse."""
    bar = None

    def on_progress(done, total, record):
        nonlocal bar
        if as_json or total == 0:
            return
        if bar is None:
            bar = bar_scope.enter_context(click.progressbar(length=total, label="Parsing", show_pos=True,
                                                            show_eta=True, file=sys.stderr))
        bar.update(1)

    return on_progress


def _print_ingest_report(report, as_json: bool, verbose: bool) -> None:
    """Its failures and the files skipped on stderr; the report on stdout."""
    _echo([terminal.error_line(failure["path"], failure["error"]) for failure in report.failed], err=True)
    _echo(terminal.skipped_lines(report.skipped, verbose), err=True)
    _echo(terminal.numbered_twice_lines(report.numbered_twice, warning=True), err=True)
    if as_json:
        _emit(report.to_dict())
    else:
        _echo(terminal.ingest_report_lines(report, verbose))


def _typed_date(ctx, param, value: str | None) -> str | None:
    """``--from``/``--to`` as ISO, however a person types the day."""
    from ingest.vocabulary.dates import typed_date
    if value is None:
        return None
    day = typed_date(value)
    if day is None:
        raise click.BadParameter(f"not a date: {value!r} (give 2017-10-01 or 01/10/2017)")
    return day


@cli.command()
@click.argument("query", nargs=-1, required=True)
@_index_option
@click.option("--year", type=int, help="Documents dated in this year.")
@click.option("--from", "date_from", callback=_typed_date, help="From this date (2017-10-01 or 01/10/2017).")
@click.option("--to", "date_to", callback=_typed_date, help="Up to this date (2017-10-01 or 01/10/2017).")
@click.option("--type", "doc_type", help="Document type: BC, QĐ, Báo cáo ...")
@click.option("--issuer", help="Issuing body, any spelling: 'UBND phường Nguyễn Nghiêm'.")
@click.option("--limit", type=click.IntRange(1), default=10, show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--facets", is_flag=True, help="Add counts by year, type and issuer.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit per line.")
def search(query, index_dir, year, date_from, date_to, doc_type, issuer, limit, sort, facets, as_json):
    """Search the archive. QUERY is one or more words, quoted or not, typed with or
    without diacritics, in Whoosh syntax: AND, OR, NOT, "a phrase", field:value.

    \b
    Fields: title, body, signer, figures (text: add _syl for syllables, _fold
    for text without diacritics: title_fold); symbol, doc_type, issuer_key,
    period, confidentiality, urgency, needs_ocr, path, sha256 (one value each);
    cite_symbols, cite_keys (what a document cites); date, year (ranges:
    date:[2024-01-01 to 2024-06-30], year:[2020 to 2024])."""
    from index.answers import search_objects
    query = " ".join(query)
    issuer = _issuer_option(issuer)
    store = _open_store(index_dir)
    options = dict(year=year, date_from=date_from, date_to=date_to, doc_type=doc_type, issuer=issuer,
                   limit=limit, sort=sort, facets=facets)
    try:
        if as_json:
            for obj in search_objects(store, query, **options):
                _emit(obj)
            return
        results = store.search(query, **options)
    except ValueError as exc:  # query.QueryRejected, a bad filter value
        raise click.ClickException(f"cannot read the query: {exc}") from None
    _echo(terminal.search_lines(results))


def _period_bound(ctx, param, value: str | None) -> str | None:
    """``--from``/``--to`` of ``figures``: a year, a month or a day (2025, 2025-04, 2025-04-30)."""
    import re
    if value and not re.fullmatch(r"(?:19|20)\d\d(?:-(?:0?[1-9]|1[0-2])(?:-(?:0?[1-9]|[12]\d|3[01]))?)?", value):
        raise click.BadParameter(f"{value!r}: give a year, a month or a day (2025, 2025-04, 2025-04-30)")
    return value


@cli.command()
@click.argument("query", nargs=-1, required=True)
@_index_option
@click.option("--issuer", help="Issuing body, any spelling: 'UBND phường Phổ Ninh'.")
@click.option("--from", "date_from", callback=_period_bound, help="Periods ending from then (2025, 2025-04, 2025-04-01).")
@click.option("--to", "date_to", callback=_period_bound, help="Periods starting up to then (2025, 2025-12).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per row, then one naming the columns.")
@click.option("--csv", "as_csv", is_flag=True,
              help="One CSV line per value and document it comes from (for Excel: a BOM, labels in --lang).")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the CSV's column labels and dates.")
def figures(query, index_dir, issuer, date_from, date_to, as_json, as_csv, lang):
    """One figure over reports and periods: QUERY is what it measures ("hồ sơ tiếp
    nhận", "kinh phi"), with or without diacritics. A row per issuer, measure and
    kind (actual, target, comparison); a column per period; each cell names the
    document it comes from."""
    from index.series import follow
    issuer = _issuer_option(issuer)
    store = _open_store(index_dir)
    try:
        series = follow(store, " ".join(query), issuer=issuer, date_from=date_from, date_to=date_to)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:  # what answers.figures_objects gives the web's /api/figures
        for obj in series.to_objects():
            _emit(obj)
    elif as_csv:
        from index.register import figures_csv
        click.echo(figures_csv(series, lang=lang), nl=False)
    else:
        _echo(terminal.series_lines(series))


@cli.command()
@click.argument("symbol")
@_index_option
@click.option("--issuer", help="Only citations of this issuer's document.")
@click.option("--year", help="Only citations of the document of this year.")
@click.option("--limit", type=click.IntRange(0), default=None,
              help="Citing documents listed per cited document, oldest first [default: 50; "
                   "all with --json]; 0 lists all.")
@click.option("--relation", type=click.Choice(RELATIONS),
              help="Only documents citing it in this role: can_cu (căn cứ), thuc_hien (thực hiện), de_nghi, "
                   "phuc_dap, sua_doi (sửa đổi, bổ sung), thay_the, bai_bo (bãi bỏ), huong_dan, dinh_chinh, "
                   "dan_chieu (any other mention).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per citing document per line.")
def cites(symbol, index_dir, issuer, year, limit, relation, as_json):
    """Documents that cite SYMBOL (typed in any form: 308/QD-UBND, 308/QĐ- UBND)."""
    from index.answers import citing_objects
    from index.graph import cites as find_citing
    issuer = _issuer_option(issuer)
    store = _open_store(index_dir)
    if limit is None:
        limit = 0 if as_json else CITES_SHOWN
    try:
        groups = find_citing(store, symbol, issuer=issuer, year=year, limit=limit or None, relation=relation)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:  # what answers.cites_objects gives the web's /api/cites
        for obj in citing_objects(groups):
            _emit(obj)
        return
    _echo(terminal.citing_lines(groups.values(), symbol))


@cli.command()
@click.argument("target")
@_index_option
@click.option("--depth", type=click.IntRange(1), default=2, show_default=True)
@click.option("--reverse", is_flag=True, help="Walk who cites it instead of what it cites.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--dot", "dot_file", type=click.Path(dir_okay=False, writable=True), help="Write Graphviz DOT here.")
def trace(target, index_dir, depth, reverse, as_json, dot_file):
    """What TARGET (a symbol or an indexed file) cites, following decisions to the
    plans they issue; each node archived or missing."""
    from index.answers import tree_objects
    from index.graph import to_dot, trace as build_trace
    store = _open_store(index_dir)
    trees = [build_trace(store, root, depth=depth, reverse=reverse) for root in _roots(store, target)]
    if dot_file:
        with open(dot_file, "w", encoding="utf-8") as handle:
            handle.write("".join(to_dot(t) for t in trees))
    if as_json:  # what answers.trace_objects gives the web's /api/trace
        for obj in tree_objects(trees):
            _emit(obj)
        return
    for tree in trees:
        _echo(terminal.trace_lines(tree))


@cli.command()
@click.argument("target")
@_index_option
@click.option("--json", "as_json", is_flag=True)
def show(target, index_dir, as_json):
    """The stored record of TARGET (a symbol or an indexed file), without re-parsing."""
    from index.answers import show_objects
    store = _open_store(index_dir)
    for full in show_objects(store, _roots(store, target)):
        if as_json:
            _emit(full)
        else:
            _echo(terminal.record_lines(full) + [""])  # a blank line after each record


@cli.command()
@_index_option
@click.option("--crops", type=click.Path(file_okay=False), help="Write a PNG of where each value was read here.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per value to check.")
def review(index_dir, crops, as_json):
    """The values a person should check against the paper: read by OCR with low
    confidence, or printed but left blank (handwriting, most often). Correct each
    with 'vanban correct'."""
    from index.indexing import ocr_cache_dir
    from index.review import crop_png, uncertain
    store = _open_store(index_dir)
    items = list(uncertain(store))
    for number, item in enumerate(items, 1):
        shown = item.to_dict()
        if crops:
            png = crop_png(store.by_path(item.path) or {}, item.field, ocr_cache_dir(store.folder))
            shown["crop"] = _write_crop(crops, number, item, png) if png else None
        if as_json:
            _emit(shown)
        else:
            _echo(terminal.unsure_lines(shown))
    if not items and not as_json:
        _echo([terminal.nothing_to_review_line()])


def _write_crop(folder: str, number: int, item, png: bytes) -> str:
    import os
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{number:04d}-{item.field}.png")
    try:
        with open(path, "wb") as handle:
            handle.write(png)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


@cli.command()
@click.argument("path")
@click.argument("field")
@click.argument("value")
@_index_option
@click.option("--by", "who", help="Who corrects (default: your user name; on PostgreSQL, your database role).")
@click.option("--json", "as_json", is_flag=True, help="Print the corrected record as JSON.")
def correct(path, field, value, index_dir, who, as_json):
    """Correct FIELD of the archived document at PATH to VALUE, checked against the
    paper: kept by the archive, applied at once, and again whenever the file is
    parsed or the index rebuilt. FIELD: symbol, number, date, doc_type, issuer,
    title, signer_name, signer_title, place."""
    import getpass
    import os
    from index.corrections import NotCorrectable, correct as make_correction
    from index.run import IndexBusy
    store = _open_store(index_dir)
    person = getattr(store, "role", None) or who or getpass.getuser()
    try:
        record = make_correction(store, os.path.abspath(path), field, value, person)
    except (LookupError, NotCorrectable, PermissionError, IndexBusy) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        _emit(record)
    else:
        _echo(terminal.record_lines(record))


@cli.command()
@_index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; another than this machine's own opens the archive to the network.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes serving pages (default: one per core; one with --sign-in).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Requests a process serves at once (each with an archive of its own).")
@click.option("--sign-in", is_flag=True,
              help="On PostgreSQL: each person signs in with their own database role (row-level security "
                   "hides from their pages what it hides from the role).")
@click.option("--allow-corrections", is_flag=True,
              help="Let the review page correct values without signing in (a machine one person uses): "
                   "the name typed is kept, marked as typed on the web. With --sign-in the role corrects.")
@click.option("--trusted-proxy", metavar="ADDRESS",
              help="The office's reverse proxy (e.g. 127.0.0.1): its X-Forwarded-For names each person's "
                   "machine, which sign-in limits count by.")
@click.option("--json", "as_json", is_flag=True, help="Say where it serves as one JSON object.")
def serve(index_dir, host, port, workers, threads, sign_in, allow_corrections, trusted_proxy, as_json):
    """Serve the archive's web pages (Vietnamese; English at ?lang=en) until Ctrl-C."""
    from index.archive import is_url
    from index.backends import ArchiveUnavailable, open_archive, shown_target
    from index.web.serve import build, default_workers, is_loopback, listening, secret_key, serve_forever
    if sign_in and not is_url(index_dir):
        raise click.ClickException("--sign-in needs an archive on PostgreSQL (postgresql://host/db): "
                                   "a Whoosh folder has no roles")
    if sign_in and (workers or 1) > 1:
        raise click.ClickException("--sign-in serves from one process (who is signed in is held in its memory)")
    workers = 1 if sign_in else (workers or default_workers())
    if not sign_in:
        try:  # the archive opens, or one line says why, before anything listens
            open_archive(index_dir).close()
        except ArchiveUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    _OPENED.append(index_dir)
    try:
        sock = listening(host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    if not is_loopback(host):
        click.echo(f"warning: listening on {host}: every machine that reaches this one can read the archive; "
                   "put it behind a reverse proxy with TLS and sign-in (README)", err=True)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    if as_json:
        _emit({"url": url, "archive": shown_target(index_dir), "sign_in": sign_in, "workers": workers})
    else:
        click.echo(f"serving {shown_target(index_dir)} at {url} ({workers} process(es); Ctrl-C stops)", err=True)
    key = secret_key()  # one for every worker: a form one made, another takes
    try:
        serve_forever(sock, lambda: build(index_dir, sign_in=sign_in, threads=threads,
                                          corrections=allow_corrections, key=key), threads, workers,
                      proxy=trusted_proxy)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


@cli.command()
@_index_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per number given twice.")
def duplicates(index_dir, as_json):
    """Numbers given twice: documents with the same number and symbol, issuing body
    and year but different content (copies of one content are one document)."""
    from index.numbering import in_archive
    groups = [g.to_dict() for g in in_archive(_open_store(index_dir))]
    if as_json:
        for group in groups:
            _emit(group)
        return
    _echo(terminal.numbered_twice_lines(groups) or ["no number in the archive is given to two documents"])


@cli.command()
@_index_option
@click.option("--json", "as_json", is_flag=True)
def stats(index_dir, as_json):
    """Documents by year, type and issuer; failed files; files waiting for OCR;
    citations that resolve to nothing in the archive."""
    from index.report import stats as compute
    result = compute(_open_store(index_dir))
    if as_json:
        _emit(result)
        return
    _echo(terminal.stats_lines(result))


@contextlib.contextmanager
def _writing(path: str):
    """A failure to write -o PATH (no such folder, no permission, a full disk): one line."""
    try:
        yield
    except OSError as exc:
        where = "stdout" if path == "-" else path
        raise click.ClickException(f"cannot write {where}: {exc.strerror or exc}") from None


def _export_file(path: str, fmt: str):
    """-o opened for FMT: stdout or a UTF-8 text file; a CSV keeps the CRLF its rows end with."""
    if path == "-":
        return click.open_file("-", "w", encoding="utf-8")
    return open(path, "w", encoding="utf-8", newline="" if fmt == "csv" else None)


@cli.command()
@_index_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "docx", "nd30-xml", "nd30-json"]),
              default="jsonl", show_default=True,
              help="csv, docx: the clerk's register of documents (sổ đăng ký văn bản) for Excel or Word; "
                   "nd30-xml, nd30-json: the national metadata standard's elements "
                   "(Nghị định 30/2020/NĐ-CP, Phụ lục VI), as XML or JSON.")
@click.option("--headers", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the csv and docx column labels (and dates).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, allow_dash=True), default="-",
              help="File (default: stdout; a docx needs a file).")
def export(index_dir, fmt, headers, output):
    """Every record of the archive as JSON lines, the clerk's register (CSV for
    Excel, DOCX for Word), or the national metadata standard's elements (XML or JSON)."""
    from index.report import export as run_export, export_docx
    if fmt == "docx":
        if output == "-":
            raise click.ClickException("--format docx writes a Word file: name it with -o FILE.docx")
        data = export_docx(_open_store(index_dir), headers)  # made before the file is opened: no empty file
        with _writing(output), open(output, "wb") as handle:
            handle.write(data)
        return
    chunks = run_export(_open_store(index_dir), fmt, headers)
    with _writing(output):
        handle = _export_file(output, fmt)
    try:
        for chunk in chunks:  # the archive's own errors pass through, said as ever
            with _writing(output):
                handle.write(chunk)
    finally:
        with _writing(output):
            handle.close()


if __name__ == "__main__":
    cli()
