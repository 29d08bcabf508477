import json
import os
import pathlib
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
