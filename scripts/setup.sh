#!/usr/bin/env bash
# Set up vanban on Debian/Ubuntu with Python 3.11:
#  - system packages when missing: LibreOffice Writer (reads .doc/.rtf),
#    Tesseract with the Vietnamese model (scanned pages), python3-venv,
#    PostgreSQL (the shared archive; the tests start a throwaway server of it),
#    Graphviz (the web's trace as a graph); with --tests also
#    Chromium and its driver (the web tests' headless browser);
#  - a virtual environment in .venv with vanban installed (editable) and pytest.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
ls /usr/share/tesseract-ocr/*/tessdata/vie.traineddata >/dev/null 2>&1 || missing+=(tesseract-ocr-vie)
python3 -c "import ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v dot >/dev/null 2>&1 || missing+=(graphviz)  # the web's trace drawn as a graph
if [ "${1:-}" = --tests ]; then  # the web tests' headless browser
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
echo "setup: installing vanban and its Python dependencies into .venv"
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'
echo "setup: done (run .venv/bin/vanban --help)"
