"""The web interface end to end: ``vanban serve`` on a real Whoosh index (and a
real PostgreSQL archive), driven by a real headless Chromium; every page's
screenshot saved in ``test-screenshots/``. The ``/api/`` twins are compared with
what the command line's ``--json`` prints for the same question."""
from __future__ import annotations

import json
import shutil
import time
import urllib.parse

import pytest
from click.testing import CliRunner
from conftest import CORPUS, SAMPLES, need_shared, write_report
from web_client import Server, browser, screenshot

from search_cli import cli

SEED = CORPUS / "bc-32-2024-nguyen-nghiem.md"

# The decision the seed report cites first, written here so the archive holds it.
DECISION_308 = """ỦY BAN NHÂN DÂN
PHƯỜNG NGUYỄN NGHIÊM
Số: 308/QĐ-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Nguyễn Nghiêm, ngày 27 tháng 01 năm 2022
QUYẾT ĐỊNH
Về việc ban hành Kế hoạch cải cách hành chính phường giai đoạn 2021-2030
CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG NGUYỄN NGHIÊM
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch cải cách hành chính phường giai đoạn 2021-2030.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
Nơi nhận:
- Như Điều 2;
- Lưu: VT.
CHỦ TỊCH
Nguyễn Văn An
"""

# A title an attacker wrote: the pages must show it as text.
SCRIPT_TITLE = """SỞ NỘI VỤ
Số: 9/BC-SNV
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày 12 tháng 3 năm 2023
BÁO CÁO
Kết quả <script>document.title='hacked'</script> rà soát biên chế
Nơi nhận:
- Lưu: VT.
GIÁM ĐỐC
Trần Văn Minh
"""


def run(*args, index):
    return CliRunner().invoke(cli, [*args, "--index", str(index)])


def json_lines(result) -> list:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    need_shared(SEED)
    docs = tmp_path_factory.mktemp("web-docs")
    shutil.copy(SEED, docs / SEED.name)
    for name in ("bc_ward_report.docx", "bc_two_column.pdf", "bc_scan.png", "kh_cchc_2024.docx",
                 "qd_sua_doi.docx", "cv_cong_van.docx"):
        shutil.copy(SAMPLES / name, docs / name)
    (docs / "qd_308_2022.txt").write_text(DECISION_308, encoding="utf-8")
    (docs / "bc_script.txt").write_text(SCRIPT_TITLE, encoding="utf-8")
    return docs


@pytest.fixture(scope="module")
def index(folder, tmp_path_factory):
    index = tmp_path_factory.mktemp("web-index")
    result = run("ingest", str(folder), index=index)
    assert result.exit_code == 0, result.output
    return index


@pytest.fixture(scope="module")
def server(index):
    server = Server(index)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def driver():
    driver = browser()
    yield driver
    driver.quit()


def _by(css):
    from selenium.webdriver.common.by import By
    return By.CSS_SELECTOR, css


def _after(driver, css: str, seconds: float = 60):
    """The element ``css`` once the page navigated to has it (a click or a form's
    answer may come after the command returns, on a loaded machine)."""
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, seconds).until(lambda d: d.find_elements(*_by(css)))[0]


def test_a_search_typed_without_diacritics_shows_the_seed(server, driver):
    driver.get(server.url + "/")
    box = driver.find_element(*_by("input[name=q]"))
    box.send_keys("cong tac tuyen truyen cai cach hanh chinh")
    box.submit()
    first = _after(driver, "ol.hits li.hit a.doc")
    assert "32/BC-UBND" in first.text
    assert driver.find_elements(*_by("ol.hits .snippet mark"))  # the matched words are marked
    assert "văn bản" in driver.find_element(*_by("#total")).text  # Vietnamese by default
    screenshot(driver, "search")


def test_the_seed_page_shows_its_signer_and_four_cited_documents(server, driver, folder):
    driver.get(server.url + "/doc?" + urllib.parse.urlencode({"path": str(folder / SEED.name)}))
    assert "Đỗ Ngọc Thìn" in driver.find_element(*_by("#signer")).text
    labels = [dt.text for dt in driver.find_elements(*_by("dl.fields dt"))]
    assert "Người ký" in labels and "Trích yếu" in labels and "Cơ quan ban hành" in labels
    assert "04/3/2024" in driver.find_element(*_by("dl.fields")).text  # a date as people write it
    rows = driver.find_elements(*_by("#citations tbody tr"))
    assert [r.find_elements(*_by("td"))[1].text for r in rows] == [
        "Quyết định 308/QĐ-UBND", "Quyết định 241/QĐ-UBND", "Kế hoạch 16/KH-UBND", "Kế hoạch 20/KH-UBND"]
    missing = [r for r in rows if r.find_elements(*_by(".missing"))]
    assert len(missing) == 3  # all but 308/QĐ-UBND, which the archive holds
    screenshot(driver, "document")


def test_a_citation_of_an_archived_document_links_to_its_page(server, driver, folder):
    driver.get(server.url + "/doc?" + urllib.parse.urlencode({"path": str(folder / SEED.name)}))
    driver.find_element(*_by("#citations a.cited")).click()
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 60).until(lambda d: d.find_element(*_by("h1")).text == "Quyết định 308/QĐ-UBND")
    assert "Nguyễn Văn An" in driver.find_element(*_by("#signer")).text
    citing = driver.find_elements(*_by("#cited-by ul.citing a"))  # and back: the seed cites it
    assert [a.text for a in citing] == ["Báo cáo 32/BC-UBND"]
    screenshot(driver, "cited-document")


def test_cites_lists_the_seed_for_a_symbol_typed_loosely(server, driver):
    driver.get(server.url + "/cites?" + urllib.parse.urlencode({"symbol": "308/QD- UBND"}))
    documents = [a.text for a in driver.find_elements(*_by("ul.citing a"))]
    assert documents == ["Báo cáo 32/BC-UBND"]
    screenshot(driver, "cites")


def test_a_year_facet_narrows_the_hits(server, driver):
    driver.get(server.url + "/search?q=" + urllib.parse.quote("cải cách"))
    before = len(driver.find_elements(*_by("ol.hits li.hit")))
    years = {a.text: a for a in driver.find_elements(*_by(".facets a[href*='year=']"))}
    assert "2024" in years and len(years) > 1
    years["2024"].click()
    _after(driver, ".facets li.chosen a")
    dates = [d.text for d in driver.find_elements(*_by("ol.hits li.hit .date"))]
    assert dates and all(d.endswith("/2024") for d in dates) and len(dates) < before
    assert driver.find_element(*_by(".facets li.chosen a")).text == "2024"
    screenshot(driver, "search-year")


def test_a_title_with_a_script_is_shown_as_text(server, driver, folder):
    driver.get(server.url + "/search?q=" + urllib.parse.quote("rà soát biên chế"))
    assert "<script>" in driver.find_element(*_by("ol.hits .title")).text
    driver.get(server.url + "/doc?" + urllib.parse.urlencode({"path": str(folder / "bc_script.txt")}))
    assert "<script>" in driver.find_element(*_by(".title-line")).text
    assert driver.title != "hacked" and driver.find_elements(*_by("script")) == []
    screenshot(driver, "script-title")


@pytest.mark.parametrize("name", ["bc_scan.png", "bc_two_column.pdf"])  # words read by OCR; a text layer's
def test_a_page_is_shown_with_the_words_searched_marked(server, driver, folder, name):
    from selenium.webdriver.support.ui import WebDriverWait
    driver.get(server.url + "/doc?" + urllib.parse.urlencode({"path": str(folder / name), "q": "ngan sach"}))
    image = driver.find_element(*_by("#pages img"))
    driver.execute_script("arguments[0].scrollIntoView()", image)  # pictures load as they come into view
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return arguments[0].complete", image))
    assert driver.execute_script("return arguments[0].naturalWidth", image) > 500
    assert len(driver.find_elements(*_by("#pages svg.marks rect"))) >= 2  # ngân and sách, at least once
    screenshot(driver, f"page-{name.replace('.', '-')}")


def test_the_english_switch_and_the_trace_and_stats_pages(server, driver, folder):
    driver.get(server.url + "/doc?" + urllib.parse.urlencode({"path": str(folder / SEED.name), "lang": "en"}))
    assert "Signer" in [dt.text for dt in driver.find_elements(*_by("dl.fields dt"))]
    driver.get(server.url + "/stats?lang=vi")
    assert driver.find_element(*_by("h1")).text == "Kho văn bản"
    screenshot(driver, "stats")
    driver.get(server.url + "/trace?" + urllib.parse.urlencode({"target": str(folder / SEED.name)}))
    nodes = driver.find_elements(*_by("ul.tree > li > ul > li"))
    assert len(nodes) == 4
    screenshot(driver, "trace")


# --- the JSON twins ---------------------------------------------------------------------

def _api(server, path: str, **params):
    status, body, headers = server.get(f"/api/{path}?" + urllib.parse.urlencode(params))
    assert status == 200 and headers["Content-Type"].startswith("application/json"), body
    return json.loads(body)


def test_the_api_answers_exactly_what_the_command_line_prints(server, index, folder):
    seed = str(folder / SEED.name)
    assert _api(server, "search", q="cai cach hanh chinh", year="2024", facets="1") == json_lines(
        run("search", "--json", "--facets", "--year", "2024", "cai cach hanh chinh", index=index))
    assert _api(server, "cites", symbol="308/QD- UBND") == json_lines(run("cites", "--json", "308/QD- UBND",
                                                                           index=index))
    assert _api(server, "show", target=seed) == json_lines(run("show", "--json", seed, index=index))
    assert _api(server, "trace", target=seed) == json_lines(run("trace", "--json", seed, index=index))
    stats = _api(server, "stats")
    assert stats == json_lines(run("stats", "--json", index=index)) and stats[0]["documents"] == 9


def test_search_results_export_to_a_csv_excel_opens(server):
    status, body, headers = server.get("/search.csv?q=" + urllib.parse.quote("cải cách"))
    assert status == 200 and body.startswith("\ufeff".encode("utf-8"))
    header = body.decode("utf-8-sig").splitlines()[0]
    assert "Trích yếu" in header and "Ký hiệu" in header
    status, body, _ = server.get("/search.docx?q=" + urllib.parse.quote("cải cách"))
    assert status == 200 and body.startswith(b"PK")


# --- safety -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/doc/file?path=/etc/passwd", "/doc/page.png?path=/etc/passwd&n=1",
                                  "/doc?path=/etc/passwd", "/static/../../search_cli.py",
                                  "/static/%2e%2e/%2e%2e/search_cli.py"])
def test_no_url_reaches_a_file_the_archive_does_not_hold(server, path):
    status, body, _ = server.get(path)
    assert status == 404 and b"root:" not in body and b"import" not in body


def test_the_original_of_an_archived_document_downloads(server, folder):
    status, body, _ = server.get("/doc/file?" + urllib.parse.urlencode({"path": str(folder / "qd_308_2022.txt")}))
    assert status == 200 and body == (folder / "qd_308_2022.txt").read_bytes()


def _posted(server, path: str, data: bytes) -> int:
    """The status of a form posted as a page on another site would post it: no token."""
    import urllib.request
    request = urllib.request.Request(server.url + path, data=data, method="POST")
    try:
        urllib.request.urlopen(request, timeout=30)
        return 200
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_form_without_its_token_is_refused(server):
    assert _posted(server, "/logout", b"") == 400


def test_pages_forbid_scripts_and_framing(server):
    _, _, headers = server.get("/")
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "script" not in policy


def test_a_new_document_is_found_while_the_server_runs(tmp_path):
    first, second, index = tmp_path / "first", tmp_path / "second", tmp_path / "index"
    first.mkdir(), second.mkdir()
    (first / "qd_308.txt").write_text(DECISION_308, encoding="utf-8")
    assert run("ingest", str(first), index=index).exit_code == 0
    server = Server(index)
    try:
        assert json.loads(server.get("/api/search?q=thanh+tra+ngan+sach")[1]) == []
        (second / "bc_new.txt").write_text(SCRIPT_TITLE.replace("9/BC-SNV", "10/BC-SNV").replace(
            "Kết quả <script>document.title='hacked'</script> rà soát biên chế", "Kết quả thanh tra ngân sách"),
            encoding="utf-8")
        assert run("ingest", str(second), index=index).exit_code == 0  # while the server runs
        hits = json.loads(server.get("/api/search?q=thanh+tra+ngan+sach")[1])
        assert [h["symbol"] for h in hits] == ["10/BC-SNV"]
    finally:
        server.stop()


def test_serving_to_the_network_warns(index):
    server = Server(index, "--host", "0.0.0.0")
    assert "warning: listening on 0.0.0.0" in server.stop()


# --- PostgreSQL: each person signs in with their own role ---------------------------------

SECRET_WORDS = "cán bộ diện quy hoạch"
PASSWORD = "mật-khẩu thử 1"


@pytest.fixture(scope="module")
def secret_server(tmp_path_factory, pg_server):
    """An archive on PostgreSQL with an open report and a MẬT one, served with
    sign-in; a clerk (reader, no clearance) and a chief (cleared for MẬT)."""
    import psycopg
    from conftest import new_database
    url = new_database(pg_server)
    folder = tmp_path_factory.mktemp("secret-web")
    write_report(folder / "open.txt", 5, "Kết quả rà soát biên chế năm 2024")
    write_report(folder / "secret.txt", 6, f"Kết quả rà soát biên chế {SECRET_WORDS}", mark="MẬT")
    assert run("ingest", "--no-ocr", str(folder), index=url).exit_code == 0
    with psycopg.connect(url, autocommit=True) as conn:
        # People sign in with a password: the tests' server asks members of
        # vanban_people_test for one (scripts/pg_test_cluster.sh), trusts the rest.
        conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vanban_people_test') "
                     "THEN CREATE ROLE vanban_people_test NOLOGIN; END IF; END $$")
        for user, groups in (("clerk_w", "vanban_reader"), ("chief_w", "vanban_reader, vanban_mat")):
            conn.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') "
                         f"THEN CREATE ROLE {user} LOGIN; END IF; END $$")
            conn.execute(f"ALTER ROLE {user} PASSWORD '{PASSWORD}'")
            conn.execute(f"GRANT {groups}, vanban_people_test TO {user}")
    server = Server(url, "--sign-in")
    yield server, folder
    server.stop()


def _sign_in(driver, server, role: str, password: str = PASSWORD) -> None:
    driver.delete_all_cookies()
    driver.get(server.url + "/")  # not signed in: the sign-in page
    driver.find_element(*_by("input[name=role]")).send_keys(role)
    driver.find_element(*_by("input[name=password]")).send_keys(password)
    driver.find_element(*_by("form.login button")).click()
    _after(driver, ".role, .problem")


def test_an_uncleared_reader_never_sees_a_mat_document_in_any_page(secret_server, driver):
    server, folder = secret_server
    secret = str(folder / "secret.txt")
    pages = ["/search?q=ra+soat+bien+che", "/search?q=quy+hoach", "/cites?symbol=77/QĐ-UBND",
             "/doc?" + urllib.parse.urlencode({"path": secret}), "/trace?target=6/BC-SNV", "/stats",
             "/search.csv?q=ra+soat", "/api/search?q=ra+soat+bien+che", "/api/show?target=6/BC-SNV",
             "/api/cites?symbol=77/QĐ-UBND", "/api/stats"]
    for role, sees in (("clerk_w", False), ("chief_w", True)):
        _sign_in(driver, server, role)
        assert driver.find_element(*_by(".role")).text == role
        screenshot(driver, f"signed-in-{role}")
        shown = []
        for page in pages:
            driver.get(server.url + page)
            shown.append(SECRET_WORDS in driver.page_source or "secret.txt" in driver.page_source)
        assert any(shown) == sees, (role, shown)
        driver.get(server.url + "/search?q=ra+soat+bien+che")
        assert len(driver.find_elements(*_by("ol.hits li.hit"))) == (2 if sees else 1)
    driver.find_element(*_by("header form button")).click()  # sign out
    _after(driver, "form.login")
    driver.get(server.url + "/search?q=ra+soat")
    assert driver.find_elements(*_by("form.login"))


@pytest.mark.parametrize("role, password", [
    ("nobody_here", PASSWORD),     # no such role
    ("clerk_w", "not the password"),
    ("postgres", "anything"),      # a role the server lets in without a password: not the person's proof
])
def test_a_sign_in_the_server_does_not_prove_is_refused(secret_server, driver, role, password):
    server, _ = secret_server
    _sign_in(driver, server, role, password)
    assert "không chấp nhận" in driver.find_element(*_by(".problem")).text
    assert not driver.find_elements(*_by(".role"))
    status, _, _ = server.get("/api/stats")
    assert status == 401


def test_a_password_cannot_be_guessed_at_speed(secret_server, driver):
    """After FAILURES_PER_ROLE refusals of a role from one address, even its right
    password is refused there, with a message saying when to try again (429)."""
    import psycopg
    from index.web.archives import FAILURES_PER_ROLE

    server, _ = secret_server
    with psycopg.connect(server.index, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'guessed_w') "
                     "THEN CREATE ROLE guessed_w LOGIN; END IF; END $$")
        conn.execute(f"ALTER ROLE guessed_w PASSWORD '{PASSWORD}'")
        conn.execute("GRANT vanban_reader, vanban_people_test TO guessed_w")
    for guess in range(FAILURES_PER_ROLE):
        _sign_in(driver, server, "guessed_w", f"guess {guess}")
        assert "không chấp nhận" in driver.find_element(*_by(".problem")).text
    _sign_in(driver, server, "guessed_w")
    assert "quá nhiều lần" in driver.find_element(*_by(".problem")).text
    assert not driver.find_elements(*_by(".role"))
    screenshot(driver, "sign-in-too-many")
    _sign_in(driver, server, "clerk_w")  # another person at the same desk still signs in
    assert driver.find_element(*_by(".role")).text == "clerk_w"


def _sign_in_from(server, role: str, password: str, machine: str) -> tuple[int, dict]:
    """A sign-in posted through the office's proxy for ``machine`` (X-Forwarded-For),
    as a browser posts it (the form's CSRF token and cookie); the status, unfollowed."""
    import http.cookiejar
    import re
    import urllib.error
    import urllib.request

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), Stay)
    via = {"X-Forwarded-For": machine}
    page = opener.open(urllib.request.Request(server.url + "/login", headers=via)).read().decode("utf-8")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "role": role, "password": password}).encode()
    try:
        response = opener.open(urllib.request.Request(server.url + "/login", data=form, headers=via))
        return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def test_behind_the_office_proxy_each_machine_is_counted_apart(secret_server):
    """With --trusted-proxy, the refusals are counted by the machine the proxy
    names: one machine guessing is stopped (429 with Retry-After), the next desk
    signs in; a header from anyone but the proxy would be dropped."""
    from index.web.archives import FAILURES_PER_ROLE

    server, _ = secret_server
    proxied = Server(server.index, "--sign-in", "--trusted-proxy", "127.0.0.1")
    try:
        for guess in range(FAILURES_PER_ROLE):
            assert _sign_in_from(proxied, "chief_w", f"guess {guess}", "10.0.0.7")[0] == 401
        status, headers = _sign_in_from(proxied, "chief_w", PASSWORD, "10.0.0.7")
        assert status == 429 and 0 < int(headers["Retry-After"]) <= 15 * 60
        assert _sign_in_from(proxied, "chief_w", PASSWORD, "10.0.0.8")[0] == 302  # signed in: off to the pages
    finally:
        proxied.stop()


def test_refused_sign_ins_are_counted_by_role_and_address_and_forgotten(monkeypatch):
    from index.web import archives

    monkeypatch.setattr(archives, "FAILURE_WINDOW", 0.5)
    failures = archives.FailedSignIns()
    for _ in range(archives.FAILURES_PER_ROLE):
        failures.check("lan", "10.0.0.5")
        failures.failed("lan", "10.0.0.5")
    with pytest.raises(archives.TooManySignIns):
        failures.check("lan", "10.0.0.5")
    failures.check("lan", "10.0.0.6")  # from another desk
    failures.check("minh", "10.0.0.5")
    for n in range(archives.FAILURES_PER_ADDRESS - archives.FAILURES_PER_ROLE):
        failures.failed(f"name{n}", "10.0.0.5")
    with pytest.raises(archives.TooManySignIns):
        failures.check("someone_else", "10.0.0.5")  # many names guessed from one address
    time.sleep(0.6)
    failures.check("lan", "10.0.0.5")
    long = "ngườidùng" * 8  # past 63 bytes: PostgreSQL reads the first 63, so do the limits
    for n in range(archives.FAILURES_PER_ROLE):
        failures.failed(long + str(n), "10.0.0.9")
    with pytest.raises(archives.TooManySignIns):
        failures.check(long + "x", "10.0.0.9")
    monkeypatch.setattr(archives, "MAX_KEYS", 50)
    for n in range(200):  # many addresses: what is remembered stays bounded
        failures.failed("lan", f"10.1.{n // 250}.{n % 250}")
    assert len(failures._times) <= 2 * 50 + 2


@pytest.mark.parametrize("after", ["//evil.example/", "/%09/evil.example", "https://evil.example/", "/\\evil.example"])
def test_after_signing_in_only_this_site_s_pages_open(secret_server, driver, after):
    server, _ = secret_server
    driver.delete_all_cookies()
    driver.get(server.url + "/login?next=" + urllib.parse.quote(after, safe=""))
    driver.find_element(*_by("input[name=role]")).send_keys("clerk_w")
    driver.find_element(*_by("input[name=password]")).send_keys(PASSWORD)
    driver.find_element(*_by("form.login button")).click()
    _after(driver, ".role")
    assert driver.current_url.startswith(server.url + "/")


# --- the pages' words -----------------------------------------------------------------

def _web_messages() -> list[str]:
    """Every message of the web interface, as Babel extracts it from its code and
    templates."""
    from babel.messages.extract import extract_from_file

    from conftest import ROOT
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    web = ROOT / "index" / "web"
    found = [m[1] for path in sorted(web.glob("*.py")) for m in extract_from_file("python", str(path), keywords)]
    found += [m[1] for path in sorted((web / "templates").glob("*.html"))
              for m in extract_from_file("jinja2.ext:babel_extract", str(path), keywords,
                                         options={"extensions": "jinja2.ext.i18n"})]
    return list(dict.fromkeys(found))


def test_every_word_of_the_pages_is_in_vietnamese():
    import re

    from index.i18n import translations
    vietnamese = translations("vi")
    messages = _web_messages()
    assert len(messages) > 100
    untranslated = [m for m in messages if vietnamese.gettext(m) == m]
    assert untranslated == []
    lost = [m for m in messages if set(re.findall(r"{\w+}", m)) != set(re.findall(r"{\w+}", vietnamese.gettext(m)))]
    assert lost == []


def test_the_catalogs_agree_where_they_share_a_message():
    from babel.messages.pofile import read_po

    from conftest import ROOT
    said: dict[str, tuple[str, str]] = {}
    differ = []
    for path in sorted((ROOT / "index" / "locale" / "vi" / "LC_MESSAGES").glob("*.po")):
        with open(path, "rb") as handle:
            for message in read_po(handle):
                if message.id and message.id in said and said[message.id][1] != message.string:
                    differ.append((message.id, said[message.id], (path.name, message.string)))
                said.setdefault(message.id, (path.name, message.string))
    assert differ == []


# --- relations, on both backends (issue 17: wherever citations are shown) ------------------

@pytest.fixture(scope="module", params=["whoosh", "postgres"])
def amended(request, tmp_path_factory):
    """A decision (215/QĐ-UBND) and the decision that amends it (305/QĐ-UBND),
    served from each backend."""
    from conftest import archive_of
    folder, index = archive_of(request, tmp_path_factory, {"qd_with_attachment.docx": None,
                                                            "qd_sua_doi.docx": None})
    server = Server(index)
    yield server, folder
    server.stop()


def _text(server, path: str) -> str:
    """A page as a person reads it: its text without tags, on one line."""
    import html
    import re
    status, body, _ = server.get(path)
    assert status == 200, body[:300]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body.decode("utf-8"))).split())


def test_the_pages_show_how_each_document_cites_another(amended):
    server, folder = amended
    amending = _text(server, "/doc?" + urllib.parse.urlencode({"path": str(folder / "qd_sua_doi.docx")}))
    assert "sửa đổi, bổ sung Quyết định 215/QĐ-UBND 12/3/2024" in amending
    assert "căn cứ Nghị định 61/2018/NĐ-CP" in amending and "đề nghị Tờ trình 88/TTr-VP" in amending
    amended_page = _text(server, "/doc?" + urllib.parse.urlencode({"path": str(folder / "qd_with_attachment.docx")}))
    assert "sửa đổi, bổ sung: Quyết định 305/QĐ-UBND 20/9/2024 (có hiệu lực từ 01/10/2024)" in amended_page
    assert "[sửa đổi, bổ sung]" in amended_page  # among the documents citing it
    cited = _text(server, "/cites?" + urllib.parse.urlencode({"symbol": "215/QĐ-UBND", "relation": "sua_doi"}))
    assert "Quyết định 305/QĐ-UBND" in cited and "[sửa đổi, bổ sung]" in cited
    forwards = _text(server, "/trace?" + urllib.parse.urlencode({"target": "305/QĐ-UBND"}))
    assert "[sửa đổi, bổ sung] Quyết định 215/QĐ-UBND" in forwards
    backwards = _text(server, "/trace?" + urllib.parse.urlencode({"target": "215/QĐ-UBND", "reverse": "1"}))
    assert "[được sửa đổi, bổ sung bởi] Quyết định 305/QĐ-UBND" in backwards


# --- the review page: a handwritten number corrected from the browser ---------------------

@pytest.fixture(scope="module")
def scan_server(tmp_path_factory):
    from conftest import REAL
    need_shared(REAL)
    folder = tmp_path_factory.mktemp("web-scans")
    shutil.copy(REAL / "scan_kh_2119_syt.pdf", folder / "ke-hoach.pdf")  # a name that does not give the number
    index = tmp_path_factory.mktemp("web-scan-index")
    assert run("ingest", str(folder), index=index).exit_code == 0
    server = Server(index, "--allow-corrections")
    yield server, folder, index
    server.stop()


def test_a_handwritten_number_is_corrected_on_the_review_page(scan_server, driver):
    from selenium.webdriver.support.ui import WebDriverWait
    server, folder, index = scan_server
    path = str(folder / "ke-hoach.pdf")
    driver.get(server.url + "/review")
    rows = driver.find_elements(*_by("tr.unsure"))
    row = next(r for r in rows if r.find_element(*_by("input[name=field]")).get_attribute("value") == "number")
    crop = row.find_element(*_by("img.crop"))
    driver.execute_script("arguments[0].scrollIntoView()", crop)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return arguments[0].complete", crop))
    assert driver.execute_script("return arguments[0].naturalWidth", crop) > 300  # the line with the hand's number
    screenshot(driver, "review")
    value = row.find_element(*_by("input[name=value]"))
    assert value.get_attribute("value").isdigit()  # the handwriting reader's reading, to check against the crop
    value.clear()
    value.send_keys("2119")
    row.find_element(*_by("input[name=by]")).send_keys("Nguyễn Thị Lan")
    row.find_element(*_by("form.correct button")).click()
    assert "Đã sửa" in _after(driver, ".done").text
    driver.get(server.url + "/doc?" + urllib.parse.urlencode({"path": path}))
    assert "2119/KH-SYT" in driver.find_element(*_by("dl.fields")).text
    assert "Nguyễn Thị Lan" in driver.find_element(*_by("#corrections")).text
    assert _api(server, "review") == json_lines(run("review", "--json", index=index))
    (shown,) = json_lines(run("show", "--json", path, index=index))  # the same function as vanban correct
    assert shown["symbol"] == "2119/KH-SYT" and shown["corrections"][0]["by"] == "Nguyễn Thị Lan (web)"
    screenshot(driver, "corrected")


def test_without_sign_in_or_leave_the_pages_do_not_correct(server, driver):
    driver.get(server.url + "/review")
    assert not driver.find_elements(*_by("form.correct"))
    assert _posted(server, "/review", b"path=x&field=title&value=y") in (400, 403)  # no token, no leave
