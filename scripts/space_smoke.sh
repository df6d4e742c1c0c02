#!/usr/bin/env bash
# "Space-like" start: a fresh virtual environment from requirements.txt only (no `pip install -e .`),
# `python app.py` on the port a Space uses, one question through gradio_client, then stop.
# Usage: bash scripts/space_smoke.sh   (env: SMOKE_PYTHON=python3.11, SMOKE_VENV=/tmp/space-venv, SMOKE_PORT=7860)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${SMOKE_PYTHON:-python3.11}"
command -v "$PY" >/dev/null || PY=python3
VENV="${SMOKE_VENV:-$(mktemp -d /tmp/space-venv.XXXXXX)}"
PORT="${SMOKE_PORT:-7860}"
WORK="$(mktemp -d /tmp/space-app.XXXXXX)"
LOG="$WORK/app.log"
APP_PID=""
cleanup() {
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; fi
  [[ -z "${SMOKE_VENV:-}" ]] && rm -rf "$VENV"
  rm -rf "$WORK"
}
trap cleanup EXIT

t0=$(date +%s)
echo "== fresh venv $VENV ($("$PY" --version))"
"$PY" -m venv "$VENV"
PIPLOG="$WORK/pip.log"
if ! "$VENV/bin/pip" install -r "$ROOT/requirements.txt" >"$PIPLOG" 2>&1; then
  grep -v "is ignored: it is neither" "$PIPLOG" | tail -40; exit 1
fi
t1=$(date +%s)
echo "== installed requirements in $((t1 - t0)) s"

# Copy the files a Space holds (the repo without .git, .venv and a built index) so the
# start builds its index from seeds/ as a fresh Space does.
tar -C "$ROOT" --exclude=.git --exclude=.venv --exclude='./index/*' --exclude='__pycache__' -cf - . | tar -C "$WORK" -xf -
mkdir -p "$WORK/index"

cd "$WORK"
GRADIO_SERVER_NAME=127.0.0.1 GRADIO_SERVER_PORT="$PORT" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
  "$VENV/bin/python" app.py >"$LOG" 2>&1 &
APP_PID=$!
t2=$(date +%s%N)
for _ in $(seq 1 600); do
  if curl -fs "http://127.0.0.1:$PORT/" -o /dev/null; then break; fi
  if ! kill -0 "$APP_PID" 2>/dev/null; then echo "app.py exited:"; cat "$LOG"; exit 1; fi
  sleep 0.5
done
curl -fs "http://127.0.0.1:$PORT/" -o /dev/null || { echo "app.py did not serve"; cat "$LOG"; exit 1; }
t3=$(date +%s%N)
echo "== app.py served its first page $(( (t3 - t2) / 1000000 )) ms after the process started"

"$VENV/bin/python" - "$PORT" <<'PY'
import sys
from pathlib import Path
from gradio_client import Client

port = sys.argv[1]
docs = {p.name: p.read_text(encoding="utf-8") for p in Path("seeds").glob("*.txt")}
answer = Client(f"http://127.0.0.1:{port}/", verbose=False).predict("من حضر المؤتمر؟", api_name="/ask")
assert not answer["abstained"] and answer["citations"], answer
for c in answer["citations"]:
    assert docs[c["source"]][c["start"]:c["end"]] == c["text"], c
print("== answer:", answer["text"][:200])
print("== backend:", answer.get("extra", {}), "citations:", len(answer["citations"]))
PY
echo "== app log (tail)"; tail -5 "$LOG"
echo "== space smoke passed in $(( $(date +%s) - t0 )) s"
