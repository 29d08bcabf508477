"""``.doc`` and ``.rtf`` through LibreOffice headless, converted to DOCX first.

The conversion keeps run font names (``.VnTime``, ``VNI-Times``), so legacy text
is decoded by the DOCX reader exactly as in a native DOCX.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from ingest.errors import IngestError
from ingest.models import Layout
from ingest.readers.docx import read_docx

CONVERT_TIMEOUT = 120


def soffice_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(path: str, workdir: str, fmt: str = "") -> str:
    binary = soffice_binary()
    if not binary:
        raise IngestError("LibreOffice is not installed (needed for .doc/.rtf); "
                          "install it with: apt-get install libreoffice-writer-nogui")
    # A profile of our own per conversion: parallel soffice runs on one profile fail.
    profile = os.path.join(workdir, "profile")
    # Named by the format, not by ``path``: that may be a /proc/self/fd name without one.
    source = os.path.join(workdir, "in." + fmt if fmt else "in" + os.path.splitext(path)[1].lower())
    shutil.copyfile(path, source)
    cmd = [binary, "--headless", "--norestore", "--nologo", "--nolockcheck",
           f"-env:UserInstallation=file://{profile}", "--convert-to", "docx",
           "--outdir", workdir, source]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=CONVERT_TIMEOUT, text=True)
    except subprocess.TimeoutExpired:
        raise IngestError(f"LibreOffice took more than {CONVERT_TIMEOUT}s to convert it") from None
    target = os.path.join(workdir, "in.docx")
    if done.returncode != 0 or not os.path.exists(target):
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise IngestError("LibreOffice could not convert it" + (f" ({detail[-1]})" if detail else ""))
    return target


def read_office(path: str, fmt: str) -> Layout:
    with tempfile.TemporaryDirectory(prefix="vanban-lo-") as workdir:
        docx_path = convert_to_docx(path, workdir, fmt)
        layout = read_docx(docx_path, fmt=fmt)
    return layout
