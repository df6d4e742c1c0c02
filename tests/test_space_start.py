"""A "Space-like" start: fresh venv from requirements.txt, `python app.py` on port 7860,
one question through gradio_client (runs scripts/space_smoke.sh; about 2 minutes with a
warm pip cache). For a quick local run: pytest --deselect tests/test_space_start.py."""

from __future__ import annotations

import os
import socket
import subprocess
import time

import pytest


from app_helpers import ROOT, free_port

SPACE_PORT = 7860


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.mark.slow  # builds a fresh venv
def test_space_like_start():
    port = SPACE_PORT if _port_free(SPACE_PORT) else free_port()
    started = time.perf_counter()
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "space_smoke.sh")],
        env={**os.environ, "SMOKE_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=1200,
        stdin=subprocess.DEVNULL,
    )
    print(proc.stdout[-4000:])
    print(f"space smoke took {time.perf_counter() - started:.0f} s (port {port})")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "space smoke passed" in proc.stdout
