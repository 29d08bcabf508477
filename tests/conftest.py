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
