import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = pathlib.Path(os.environ.get("VANBAN_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
REAL = CORPUS / "real"
SAMPLES = ROOT / "samples"


def need_shared(path: pathlib.Path) -> pathlib.Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus is not beside this checkout "
                    "(set VANBAN_SHARED to its folder)")
    return path


@pytest.fixture(scope="session")
def truth():
    need_shared(REAL / "truth.jsonl")
    with open(REAL / "truth.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="session", autouse=True)
def shared_ocr_cache(tmp_path_factory):
    """One OCR cache for the whole test session: each corpus scan is read by
    Tesseract once, whichever test meets it first (``$VANBAN_OCR_CACHE``, which an
    office can also set to share one cache between indexes). Tests about the cache
    itself point it elsewhere."""
    previous = os.environ.get("VANBAN_OCR_CACHE")
    os.environ["VANBAN_OCR_CACHE"] = os.environ.get("VANBAN_TEST_OCR_CACHE") or str(tmp_path_factory.mktemp("ocr"))
    yield os.environ["VANBAN_OCR_CACHE"]
    if previous is None:
        os.environ.pop("VANBAN_OCR_CACHE", None)
    else:
        os.environ["VANBAN_OCR_CACHE"] = previous


# --- PostgreSQL: the tests' own throwaway server ----------------------------------

_PG_STARTED = []


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """A PostgreSQL server for the tests: ``$VANBAN_TEST_PG`` (``.ci/run`` starts one),
    else a throwaway cluster started here (scripts/pg_test_cluster.sh) and stopped
    at the end of the session. Each archive's machine-side caches go to a folder of
    the session (``$VANBAN_CACHE``)."""
    os.environ["VANBAN_CACHE"] = str(tmp_path_factory.mktemp("pg-cache"))
    url = os.environ.get("VANBAN_TEST_PG")
    if not url:
        if not (list(pathlib.Path("/usr/lib/postgresql").glob("*/bin/postgres")) or shutil.which("postgres")):
            pytest.skip("PostgreSQL is not installed: run .ci/run, or start a server and set VANBAN_TEST_PG "
                        "(eval \"$(bash scripts/pg_test_cluster.sh start)\")")
        started = subprocess.run(["bash", str(ROOT / "scripts" / "pg_test_cluster.sh"), "start"],
                                 capture_output=True, text=True, check=True)
        url = next(line.split("=", 1)[1] for line in started.stdout.splitlines() if "VANBAN_TEST_PG=" in line)
        if "VANBAN_TEST_PG_REUSED" not in started.stdout:  # stop only what this session started
            _PG_STARTED.append(url)
    yield url
    if _PG_STARTED:
        subprocess.run(["bash", str(ROOT / "scripts" / "pg_test_cluster.sh"), "stop"], check=False)
        _PG_STARTED.clear()


def new_database(server_url: str) -> str:
    """A fresh, empty database on the test server; its URL."""
    import uuid

    import psycopg

    name = "vanban_test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name


BACKENDS = ["whoosh", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Runs the test on each backend."""
    return request.param


def archive_of(request, tmp_path_factory, files: dict) -> tuple[pathlib.Path, object]:
    """A folder of ``files`` (name -> text, or None: the sample of that name)
    ingested without OCR into a new archive of the backend ``request.param``."""
    from click.testing import CliRunner
    from search_cli import cli

    folder = tmp_path_factory.mktemp("docs")
    for name, text in files.items():
        if text is None:
            shutil.copy(SAMPLES / name, folder / name)
        else:
            (folder / name).write_text(text, encoding="utf-8")
    if request.param == "whoosh":
        index = tmp_path_factory.mktemp("index")
    else:
        index = new_database(request.getfixturevalue("pg_server"))
    result = CliRunner().invoke(cli, ["ingest", "--no-ocr", str(folder), "--index", str(index)])
    assert result.exit_code == 0, result.output
    return folder, index


@pytest.fixture
def new_index(request, tmp_path, backend):
    """A factory of empty archives of the test's backend: a folder for Whoosh, a
    database URL (in a fresh database) for PostgreSQL."""

    def make(name: str = "index"):
        if backend == "whoosh":
            return tmp_path / name
        return new_database(request.getfixturevalue("pg_server"))
    return make


def write_report(path, number, title, mark=""):
    """A Sở Nội vụ report citing 77/QĐ-UBND, marked ``mark`` (``MẬT``) where given."""
    path.write_text(
        f"SỞ NỘI VỤ\nSố: {number}/BC-SNV\n{mark}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\nQuảng Ngãi, ngày 12 tháng 3 năm 2024\nBÁO CÁO\n"
        f"{title}\nThực hiện Quyết định số 77/QĐ-UBND ngày 02/01/2024 của UBND tỉnh Quảng Ngãi.\n"
        "Nơi nhận:\n- Lưu: VT.\nGIÁM ĐỐC\nTrần Văn Minh\n", encoding="utf-8")


# Where scan_cv_2014_syt.pdf's hand wrote the day (``ngày 23``), at 300 dpi.
CV_2014_DAY = (1507, 430, 1598, 530)


def scan_without_its_day(dest: pathlib.Path) -> pathlib.Path:
    """Page 1 of scan_cv_2014_syt.pdf with the hand's day painted out, as a scanned
    (image-only) PDF: a day printed ``ngày ... tháng 10 năm 2017`` and never
    filled in, which no reader can read (nor should invent)."""
    from PIL import ImageDraw
    from ingest.ocr.tesseract import page_image
    image = page_image(str(need_shared(REAL / "scan_cv_2014_syt.pdf")), "pdf", 0, 300).convert("RGB")
    ImageDraw.Draw(image).rectangle(CV_2014_DAY, fill="white")
    image.save(dest, "PDF", resolution=300)
    return dest
