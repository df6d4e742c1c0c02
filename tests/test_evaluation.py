"""The evaluation metrics on a tiny case worked out by hand, and the JSONL reader."""

from __future__ import annotations

import json

import pytest

from conftest import SEED_DEV
from qa.answer import Answer, Citation, PassageHit
from qa.evaluation import EvalQuestion, answer_correct, evaluate, is_relevant, read_questions, summarize, score

A = "وبحضور وفود رسمية من تونس، الجزائر"
B = "طرابلس - اختتم الأحد بالعاصمة الليبية طرابلس"
C = "ويأتي المؤتمر في ظل مخاوف جدية"


def hit(pid: int, text: str, rank: int) -> PassageHit:
    return PassageHit(pid, "doc.txt", pid + 1, 0, len(text), text, 1.0 / rank, rank)


def cite(n: int, h: PassageHit) -> Citation:
    return Citation(n, h.source, h.paragraph, h.start, h.end, h.text, h.score, h.start, h.end, h.text, h.passage_id)


def test_metrics_by_hand():
    q1 = EvalQuestion("q1", "ar", "من حضر؟", True, ("وفود رسمية من تونس",), (("تونس", "Tunisia"),))
    q2 = EvalQuestion("q2", "en", "Where?", True, ("بالعاصمة الليبية طرابلس",), (("طرابلس",), ("Libya", "الليبية")))
    q3 = EvalQuestion("q3", "en", "Budget?", False, (), ())
    q4 = EvalQuestion("q4", "ar", "Budget?", False, (), ())
    # q1: relevant passage at rank 2; cites ranks 1 and 2 -> citation precision 1/2; answer has تونس
    p1 = [hit(2, C, 1), hit(0, A, 2), hit(1, B, 3)]
    a1 = Answer("من حضر؟", "«وفود من تونس» [2]", False, "ar", [cite(1, p1[0]), cite(2, p1[1])], p1)
    # q2: relevant passage at rank 1, cited alone; answer misses the second group -> answer miss
    p2 = [hit(1, B, 1), hit(0, A, 2)]
    a2 = Answer("Where?", "«طرابلس» [1]", False, "en", [cite(1, p2[0])], p2)
    a3 = Answer("Budget?", "The article does not say.", True, "en", [], p2)
    a4 = Answer("Budget?", "«…» [1]", False, "ar", [cite(1, p1[0])], p1)
    outcomes = [score(q1, a1, 10.0), score(q2, a2, 20.0), score(q3, a3, 30.0), score(q4, a4, 40.0)]
    m = summarize(outcomes)
    assert m["hit@1"] == 0.5 and m["hit@3"] == 1.0 and m["hit@5"] == 1.0
    assert m["mrr"] == 0.75  # (1/2 + 1/1) / 2
    assert m["citation_hit"] == 1.0
    assert m["citation_precision"] == 0.75  # (1/2 + 1/1) / 2
    assert m["answer_hit"] == 0.5
    assert m["abstain_on_unanswerable"] == 0.5 and m["false_abstain"] == 0.0
    assert m["latency_ms_p50"] == 25.0 and m["n"] == 4
    assert m["latency_ms_p95"] == pytest.approx(38.5)


def test_normalisation_in_matching():
    q = EvalQuestion("x", "ar", "?", True, ("مؤتمرا إقليميا",), ())
    assert is_relevant("doc.txt", "تحتضن مُؤتمرًا اقليميا", q)  # diacritics and hamza folded
    assert not is_relevant("other.txt", "مؤتمرا إقليميا", EvalQuestion("x", "ar", "?", True, ("مؤتمرا",), (), "doc.txt"))
    assert answer_correct("He was in TRIPOLI", [["tripoli"]])
    assert answer_correct("مدينة طرابلس", [["طرابلس"], ["مدينه"]])  # ة -> ه
    assert not answer_correct("طرابلس", [["طرابلس"], ["Libya"]])


def test_reads_the_shared_format(tmp_path):
    questions = read_questions(SEED_DEV)
    rows = [json.loads(line) for line in SEED_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(questions) == len(rows) and {q.lang for q in questions} == {"ar", "en"}
    assert [q.id for q in questions] == [r["id"] for r in rows]
    assert sum(not q.answerable for q in questions) == sum(not r["answerable"] for r in rows) > 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "1", "lang": "ar"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        read_questions(bad)


def test_evaluate_goes_through_ask(seed_bot):
    questions = read_questions(SEED_DEV)[:2]
    report = evaluate(seed_bot.ask, questions)
    assert set(report) == {"overall", "by_lang", "questions"}
    assert set(report["by_lang"]) == {"ar", "en"}
    assert report["overall"]["n"] == 2 and report["overall"]["latency_ms_p50"] > 0


def test_a_follow_up_line_is_asked_after_its_conversation(seed_bot):
    """A line with ``history`` (``eval/followups``): its earlier questions are asked first, in
    turn, each with the conversation so far as the web UI keeps it, and only the follow-up is
    scored."""
    from pathlib import Path

    from qa.conversation import Conversation, Turn

    path = Path(__file__).resolve().parents[1] / "eval" / "followups" / "seed.jsonl"
    question = next(q for q in read_questions(path) if len(q.history) > 1)
    calls = []

    def ask(text, history=None):
        calls.append((text, list(history or [])))
        return seed_bot.ask(text, history=history)

    report = evaluate(ask, [question])
    assert [text for text, _ in calls] == [*question.history, question.question]
    expected = Conversation()
    for earlier, (_, history) in zip(question.history, calls):
        assert history == expected.history()
        expected.add(Turn(earlier, seed_bot.ask(earlier, history=history)))
    assert calls[-1][1] == expected.history() and len(calls[-1][1]) == 2 * len(question.history)
    assert report["overall"]["n"] == 1
    assert report["questions"][0]["answer"] == seed_bot.ask(question.question, history=calls[-1][1]).text


def test_a_line_separator_inside_a_record_does_not_part_it(tmp_path):
    """A list's items are parted by U+2028 in a document's text (``qa.ingest.document.LIST_BREAK``),
    and JSON writes it unescaped: an evidence string holding one stays one record."""
    from qa.ingest.document import LIST_BREAK

    records = [{"id": f"q{i}", "lang": "en", "question": "What are the three steps?", "answerable": True,
                "evidence": [f"The plan has three steps:{LIST_BREAK}1. Book"], "answer": [["Book"]]} for i in range(2)]
    path = tmp_path / "lists.jsonl"
    path.write_text("\r\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    questions = read_questions(path)
    assert [q.id for q in questions] == ["q0", "q1"] and LIST_BREAK in questions[0].evidence[0]


def test_a_question_set_without_questions_is_refused(tmp_path):
    """A trial: ``article-qa eval`` of an empty file printed a table of nulls and exited 0."""
    from qa.evaluation import read_questions

    for text in ("", "\n\n"):
        path = tmp_path / "empty.jsonl"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match="no question in the file"):
            read_questions(path)
