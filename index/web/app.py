"""The web interface: the pages and their JSON twins, as a Flask application.

The contract: ``make_app(archives)`` gives a WSGI application whose
pages read only through ``pages`` (and ``answers`` for ``/api/``), each with an
archive lent by ``archives`` for that request alone. Every page speaks the
person's language (Vietnamese unless they switch: ``?lang=en``, kept in a
cookie); every value is escaped by the templates; every form carries a CSRF
token; no URL serves a file but an archived document's own, found by its path in
the archive. Errors are pages in words, never a traceback.

Flask (with Jinja2) because it is the maintained, synchronous WSGI framework our
synchronous archives fit; waitress serves it (pure Python, threads, no build).
"""
from __future__ import annotations

import json
import math
import os
import re
import secrets
from itertools import islice
import shutil
import subprocess

from flask import Flask, Response, abort, g, jsonify, make_response, redirect, render_template, request, \
    send_file, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup, escape

from ingest.extract.relations import NAMES, RELATIONS
from ingest.paths import shown as shown_path
from ingest.vocabulary.dates import typed_date

from .. import answers, i18n, register
from ..corrections import NotCorrectable, correct
from ..graph import to_dot
from ..review import crop_png, uncertain
from ..run import IndexBusy
from ..indexing import ocr_cache_dir
from ..i18n import N_
from ..i18n import gettext as _
from . import pages, pictures
from .archives import ArchiveUnavailable, NotSignedIn, RefusedSignIn, TooManySignIns

LANG_COOKIE = "vanban_lang"
GRAPHVIZ_TIMEOUT = 10  # seconds dot may take to draw a trace
API_LIMIT = 1000       # hits one /api/search may return
FILTER_MAX = 200       # characters of a filter (an issuer's name is shorter; a long one costs the regex)
REVIEW_SHOWN = 200     # values to check listed on the review page


def make_app(archives, secret_key: bytes | None = None, corrections: bool = False) -> Flask:
    """``corrections``: the review page may correct (always with ``--sign-in``: the
    signed-in role corrects; else only where the office allowed it)."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secret_key or secrets.token_bytes(32), WTF_CSRF_TIME_LIMIT=None,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      # Behind the office's TLS proxy: the sign-in cookie only ever over HTTPS.
                      SESSION_COOKIE_SECURE=os.environ.get("VANBAN_WEB_HTTPS") == "1",
                      MAX_CONTENT_LENGTH=64 * 1024)  # only small forms are ever posted
    app.extensions["vanban"] = {"archives": archives, "corrections": corrections or archives.sign_in}
    CSRFProtect(app)
    _templates(app)
    _hooks(app)
    _routes(app)
    _api(app)
    return app


# --- language, escaping, headers ------------------------------------------------------

def _templates(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext=i18n._, ngettext=i18n.ngettext, newstyle=True)
    app.jinja_env.filters.update(day=i18n.shown_date, number=i18n.shown_number, marks=marked_snippet,
                                 shown_path=shown_path, relation=lambda r: NAMES.get(r or "", r or ""))
    app.jinja_env.globals.update(RELATIONS=RELATIONS, NAMES=NAMES, languages=i18n.LANGUAGES,
                                 FIELD_NAMES=pages.FIELD_NAMES)


def marked_snippet(snippet: str | None) -> Markup:
    """A hit's snippet, escaped, its matches (``«…»``) in <mark>."""
    text = str(escape(snippet or ""))
    out, inside = [], False
    for piece in text.replace("»", "«").split("«"):  # a lone guillemet in the text stays harmless
        out.append(f"<mark>{piece}</mark>" if inside and piece else piece)
        inside = not inside
    return Markup("".join(out))


def _language() -> str:
    asked = request.args.get("lang")
    if asked in i18n.LANGUAGES:
        return asked
    kept = request.cookies.get(LANG_COOKIE)
    return kept if kept in i18n.LANGUAGES else i18n.DEFAULT_WEB


def _hooks(app: Flask) -> None:
    @app.before_request
    def speak():
        g.lang = _language()
        g.lang_token = i18n.enter(g.lang)

    @app.teardown_request
    def stop_speaking(exc=None):
        token = g.pop("lang_token", None)
        if token is not None:
            i18n.leave(token)

    @app.after_request
    def headers(response: Response):
        if request.args.get("lang") in i18n.LANGUAGES:
            response.set_cookie(LANG_COOKIE, request.args["lang"], max_age=365 * 86400, samesite="Lax")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'none'; img-src 'self'; style-src 'self'; "
                                    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @app.errorhandler(NotSignedIn)
    def sign_in_first(exc):
        if request.path.startswith("/api/"):
            return jsonify({"error": _("Sign in first.")}), 401
        return redirect(url_for("login", next=request.full_path))

    @app.errorhandler(CSRFError)
    def stale_form(exc):
        return _error(400, _("The form has expired. Open the page again and send it once more."))

    @app.errorhandler(404)
    def not_found(exc):
        said = getattr(exc, "description", None)
        return _error(404, said if said and said != type(exc).description else _("There is no such page."))

    for status, message in FIXED_ERRORS.items():
        app.register_error_handler(status, lambda exc, status=status, message=message: _error(status, _(message)))


# What an error page says whatever caused it (404 may say why: above).
FIXED_ERRORS = {
    400: N_("The address asks for something this page cannot give."),
    403: N_("Corrections are not made from this server's pages."),
    405: N_("There is no such page."),
    413: N_("The form sent is too large."),
    500: N_("Something went wrong on the server; the archive is unharmed. Try again."),
}


def _error(status: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify({"error": message}), status
    return render_template("error.html", message=message, status=status), status


def _archive():
    """The archive lent to this request (given back when it ends)."""
    state = current_state()
    if "archive" not in g:
        scope = state["archives"].lend(session.get("who"))
        g.archive = scope.__enter__()
        g.archive_scope = scope
    return g.archive


def current_state() -> dict:
    from flask import current_app
    return current_app.extensions["vanban"]


def _give_back(exc=None):
    scope = g.pop("archive_scope", None)
    g.pop("archive", None)
    if scope is not None:
        scope.__exit__(None, None, None)


def _form() -> tuple[pages.SearchForm, str | None]:
    """The search as the URL gives it, and a problem with it in words (or None)."""
    args, problem = request.args, None
    year = args.get("year", "").strip()[:FILTER_MAX]
    dates = {}
    for name in ("from", "to"):
        typed = args.get(name, "").strip()[:FILTER_MAX]
        dates[name] = typed_date(typed) if typed else None
        if typed and dates[name] is None:
            problem = _("Not a date: {typed} (write 01/10/2017 or 2017-10-01).").format(typed=typed)
    if year and not (_digits(year, 4) and len(year) == 4):
        problem, year = _("Not a year: {typed}.").format(typed=year), ""
    page = args.get("page", "1")
    form = pages.SearchForm(q=args.get("q", "")[:1000], year=int(year) if year else None,
                            date_from=dates["from"], date_to=dates["to"],
                            doc_type=args.get("type", "")[:FILTER_MAX] or None,
                            issuer=args.get("issuer", "")[:FILTER_MAX] or None,
                            sort="date" if args.get("sort") == "date" else "relevance",
                            page=int(page) if _digits(page, 4) else 1)
    return form, problem


# --- pages -----------------------------------------------------------------------------

def _routes(app: Flask) -> None:
    app.teardown_request(_give_back)

    @app.get("/")
    def home():
        return render_template("search.html", form=pages.SearchForm(), searched=False,
                               documents=_archive().count())

    @app.get("/search")
    def search():
        form, problem = _form()
        if problem:
            return render_template("search.html", form=form, searched=False, problem=problem), 400
        try:
            page = pages.search_page(_archive(), form)
        except ValueError as exc:  # a query the parser refuses, a filter naming nothing
            return render_template("search.html", form=form, searched=False,
                                   problem=_("Cannot read the query: {reason}").format(reason=exc)), 400
        return render_template("search.html", **page)

    @app.get("/search.csv")
    def search_csv():
        form, records = _export_records()
        lang = g.lang
        body = register.csv_chunks(records, lang=lang)
        return Response(body, mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": _attachment("tim-kiem.csv")})

    @app.get("/search.docx")
    def search_docx():
        form, records = _export_records()
        data = register.docx_bytes(records, lang=g.lang, heading=form.q)
        return Response(data, headers={"Content-Disposition": _attachment("so-dang-ky.docx")},
                        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    @app.get("/doc")
    def document():
        record = _record(request.args.get("path", ""))
        store = _archive()
        page = pages.document_page(store, record, request.args.get("q", "")[:300], ocr_cache_dir(store.folder))
        return render_template("document.html", **page)

    @app.get("/doc/page.png")
    def page_picture():
        record = _record(request.args.get("path", ""))
        number = request.args.get("n", "1")
        try:
            _give_back()  # the picture is made without holding the archive
            png = pictures.page_png(record, int(number) if _digits(number, 5) else 0)
        except pictures.NoPicture as exc:
            abort(404, description=_("This page cannot be shown: {reason}").format(reason=exc))
        response = make_response(png)
        response.headers["Content-Type"] = "image/png"
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response

    @app.get("/doc/file")
    def original():
        record = _record(request.args.get("path", ""))
        try:
            source = pictures.opened_regular(record["path"])
        except pictures.NoPicture as exc:
            abort(404, description=_("The original file cannot be given: {reason}").format(reason=exc))
        name = "".join(c for c in os.path.basename(record["path"]) if c.isprintable()) or "van-ban"
        return send_file(source, as_attachment=True, download_name=name)  # closed when sent

    @app.get("/cites")
    def cited():
        args = request.args
        try:
            page = pages.cites_page(_archive(), args.get("symbol", "")[:200], args.get("issuer", "")[:FILTER_MAX],
                                    args.get("year", "")[:FILTER_MAX],
                                    args.get("relation") if args.get("relation") in RELATIONS else None)
        except ValueError as exc:  # a partial symbol naming several, an issuer naming nothing
            return render_template("cites.html", symbol=args.get("symbol", ""), groups=[], asked=True,
                                   problem=str(exc)), 400
        return render_template("cites.html", **page)

    @app.get("/trace")
    def traced():
        depth, reverse = _trace_options()
        page = pages.trace_page(_archive(), request.args.get("target", "")[:500], depth, reverse)
        return render_template("trace.html", graphviz=bool(shutil.which("dot")), **page)

    @app.get("/trace.svg")
    def trace_picture():
        depth, reverse = _trace_options()
        page = pages.trace_page(_archive(), request.args.get("target", "")[:500], depth, reverse)
        if not page["trees"] or not shutil.which("dot"):
            abort(404)
        svg = _draw(to_dot(page["trees"][0]))  # one picture: the page lists every tree
        response = make_response(svg)
        response.headers["Content-Type"] = "image/svg+xml"
        return response

    @app.get("/figures")
    def figures():
        asked, problem = _figures_question()
        if problem:
            return render_template("figures.html", query=asked["query"], asked=False, problem=problem), 400
        try:
            page = pages.figures_page(_archive(), **asked)
        except ValueError as exc:
            return render_template("figures.html", query=asked["query"], asked=False, problem=str(exc)), 400
        return render_template("figures.html", **page)

    @app.get("/figures.csv")
    def figures_csv():
        asked, problem = _figures_question()
        if problem or not asked["query"].strip():
            abort(400, description=problem or _("Give a query: q=..."))
        try:
            series = pages.figures_page(_archive(), **asked)["series"]
        except ValueError as exc:
            abort(400, description=str(exc))
        return Response(register.figures_csv(series, lang=g.lang), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": _attachment("so-lieu.csv")})

    @app.get("/stats")
    def statistics():
        return render_template("stats.html", **pages.stats_page(_archive()))

    @app.route("/review", methods=["GET", "POST"])
    def review_values():
        store, problem, done = _archive(), None, None
        may_correct = current_state()["corrections"]
        if request.method == "POST":
            if not may_correct:
                abort(403)
            form = request.form
            # Signed in: the database role. Else (allowed by --allow-corrections) the
            # name typed, said to be typed on the web: nothing here can check it.
            who = getattr(store, "role", None) if current_state()["archives"].sign_in else None
            who = who or (form.get("by", "").strip()[:100] + " (web)" if form.get("by", "").strip() else "")
            try:
                if not who:
                    raise NotCorrectable(_("Say who corrects it."))
                record = correct(store, form.get("path", ""), form.get("field", ""), form.get("value", ""), who)
                done = record
            except (LookupError, NotCorrectable) as exc:
                problem = str(exc.args[0] if exc.args else exc)
            except PermissionError:
                problem = _("This account may only read the archive: corrections are made by its owner.")
            except IndexBusy:
                problem = _("An ingest is writing to the archive: correct it again when it has finished.")
        items = [item.to_dict() for item in islice(uncertain(store), REVIEW_SHOWN)]
        return render_template("review.html", items=items, problem=problem, done=done, may_correct=may_correct,
                               signed=current_state()["archives"].sign_in), (400 if problem else 200)

    @app.get("/review/crop.png")
    def review_crop():
        record = _record(request.args.get("path", ""))
        cache = ocr_cache_dir(_archive().folder)
        _give_back()  # the picture is made without holding the archive
        png = crop_png(record, request.args.get("field", ""), cache)
        if png is None:
            abort(404)
        response = make_response(png)
        response.headers["Content-Type"] = "image/png"
        return response

    @app.route("/login", methods=["GET", "POST"])
    def login():
        state = current_state()
        if not state["archives"].sign_in:
            return redirect(url_for("home"))
        problem = None
        if request.method == "POST":
            role, password = request.form.get("role", "")[:63], request.form.get("password", "")[:1000]
            try:
                token = state["archives"].sign_in_as(role, password, replacing=session.get("who"),
                                                     address=request.remote_addr or "")
            except RefusedSignIn:
                problem = _("The server did not accept this name and password.")
            except TooManySignIns as exc:
                problem = _("Too many failed sign-ins: try again in {minutes} minutes.").format(
                    minutes=math.ceil(exc.wait / 60))
                return render_template("login.html", problem=problem), 429, {"Retry-After": str(exc.wait)}
            except ArchiveUnavailable:
                problem = _("The archive cannot be reached now: try again in a moment.")
                return render_template("login.html", problem=problem), 503
            else:
                session.clear()  # a new session for the person signed in
                session["who"], session["role"] = token, role
                return redirect(_safe_next(request.args.get("next")))
        return render_template("login.html", problem=problem), (401 if problem else 200)

    @app.post("/logout")
    def logout():
        current_state()["archives"].sign_out(session.pop("who", None))
        session.clear()
        return redirect(url_for("login"))


_PERIOD_BOUND = re.compile(r"(?:19|20)\d\d(?:-(?:0?[1-9]|1[0-2])(?:-(?:0?[1-9]|[12]\d|3[01]))?)?")


def _figures_question() -> tuple[dict, str | None]:
    """The figures page's question as the URL gives it, and a problem with it in words."""
    args, problem = request.args, None
    asked = {"query": args.get("q", "")[:300], "issuer": args.get("issuer", "")[:FILTER_MAX] or None}
    for name, key in (("from", "date_from"), ("to", "date_to")):
        typed = args.get(name, "").strip()[:FILTER_MAX]
        asked[key] = typed or None
        if typed and not _PERIOD_BOUND.fullmatch(typed):
            problem = _("Not a period: {typed} (write a year, a month or a day: 2025, 2025-04, 2025-04-30).").format(
                typed=typed)
    return asked, problem


def _attachment(name: str) -> str:
    return f'attachment; filename="{name}"'


def _export_records():
    form, problem = _form()
    if problem or not form.q.strip():
        abort(400)
    store = _archive()
    try:
        return form, list(pages.export_records(store, form))
    except ValueError:
        abort(400)


def _record(path: str) -> dict:
    record = _archive().by_path(path) if path else None
    if record is None:
        abort(404, description=_("This document is not in the archive."))
    return record


def _digits(text: str, most: int) -> bool:
    """Plain ASCII digits, at most ``most`` of them (``²`` is a digit to Python)."""
    return text.isascii() and text.isdigit() and len(text) <= most


def _trace_options() -> tuple[int, bool]:
    depth = request.args.get("depth", "2")
    return (min(int(depth), 4) if _digits(depth, 2) and int(depth) >= 1 else 2), request.args.get("reverse") == "1"


def _draw(dot: str) -> bytes:
    """The trace drawn by Graphviz as SVG (shown as an image: a picture cannot run
    anything, whatever a label holds)."""
    try:
        done = subprocess.run(["dot", "-Tsvg"], input=dot.encode("utf-8"), capture_output=True,
                              timeout=GRAPHVIZ_TIMEOUT, check=True)
    except (subprocess.SubprocessError, OSError):
        abort(404)
    return done.stdout


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (no scheme, no host,
    no control character or backslash a browser would read its own way)."""
    from urllib.parse import urlsplit
    if (target and target.startswith("/") and not any(ord(c) <= 0x20 or ord(c) == 0x7f for c in target)
            and "\\" not in target and not urlsplit(target).scheme and not urlsplit(target).netloc
            and not target.startswith("//")):
        return target
    return url_for("home")


# --- the JSON twins: exactly what --json prints ------------------------------------------

def _api(app: Flask) -> None:
    def answer(objects):
        return Response(json.dumps(objects, ensure_ascii=False), mimetype="application/json")

    @app.get("/api/search")
    def api_search():
        form, problem = _form()
        if problem or not form.q.strip():
            return jsonify({"error": problem or _("Give a query: q=...")}), 400
        limit = request.args.get("limit", "10")
        options = {**form.options(), "limit": min(int(limit), API_LIMIT) if _digits(limit, 6) and int(limit) else 10,
                   "facets": request.args.get("facets") in ("1", "true")}
        try:
            return answer(answers.search_objects(_archive(), form.q, **options))
        except ValueError as exc:
            return jsonify({"error": _("Cannot read the query: {reason}").format(reason=exc)}), 400

    @app.get("/api/show")
    def api_show():
        store = _archive()
        return answer(answers.show_objects(store, pages.find_documents(store, request.args.get("target", "")[:500])))

    @app.get("/api/cites")
    def api_cites():
        args = request.args
        limit = args.get("limit", "")
        relation = args.get("relation")
        try:  # at most API_LIMIT documents a group, as --limit says for the command
            return answer(answers.cites_objects(_archive(), args.get("symbol", "")[:200],
                                                issuer=args.get("issuer", "")[:FILTER_MAX] or None,
                                                year=args.get("year", "")[:FILTER_MAX] or None,
                                                limit=min(int(limit), API_LIMIT) if _digits(limit, 6) and int(limit)
                                                else None,
                                                relation=relation if relation in RELATIONS else None))
        except ValueError as exc:
            return jsonify({"error": str(exc)}), 400

    @app.get("/api/trace")
    def api_trace():
        depth, reverse = _trace_options()
        store = _archive()
        roots = pages.find_documents(store, request.args.get("target", "")[:500])
        return answer(answers.trace_objects(store, roots, depth=depth, reverse=reverse))

    @app.get("/api/review")
    def api_review():
        return answer([item.to_dict() for item in islice(uncertain(_archive()), API_LIMIT)])

    @app.get("/api/figures")
    def api_figures():
        asked, problem = _figures_question()
        if problem or not asked["query"].strip():
            return jsonify({"error": problem or _("Give a query: q=...")}), 400
        try:
            return answer(answers.figures_objects(_archive(), **asked))
        except ValueError as exc:
            return jsonify({"error": str(exc)}), 400

    @app.get("/api/stats")
    def api_stats():
        return answer(answers.stats_objects(_archive()))
