"""Measure the short answer (``qa.lead``) on an eval set for a grid of its two lengths.

    PYTHONPATH=. python -m scripts.measure_lead ../shared/eval/seed_dev.jsonl seeds
    PYTHONPATH=. python -m scripts.measure_lead ../shared/eval/xquad/questions.jsonl ../shared/eval/xquad/corpus

Prints, per language, answer hit and median length (characters) of the lead for each
(WHOLE_MAX_CHARS, UNIT_BUDGET_CHARS) pair, and of the whole answer. Answerable questions only.
"""

from __future__ import annotations

import statistics
import sys

from qa import ArticleQA, lead
from qa.evaluation import answer_correct, read_questions

GRID = [(0, 150), (0, 200), (200, 150), (250, 150), (250, 200), (300, 200), (300, 250)]


def main(questions_path: str, corpus: str) -> None:
    bot = ArticleQA.from_directory(corpus, progress=False)
    rows = []
    for q in read_questions(questions_path):
        if not q.answerable or not q.answer:
            continue
        answer = bot.ask(q.question)
        cands = [] if answer.abstained else bot.extractive.candidates(
            answer.retrieval_query, bot.retriever.retrieve(answer.retrieval_query))
        rows.append((q, answer, cands))
    for label, pick in [(f"L={w} B={b}", (w, b)) for w, b in GRID] + [("whole answer", None)]:
        out = []
        for lang in sorted({q.lang for q, _, _ in rows}):
            hits, lengths = [], []
            for q, answer, cands in (r for r in rows if r[0].lang == lang):
                if answer.abstained:
                    hits.append(False)
                    continue
                if pick is None:
                    text = answer.text
                else:
                    lead.WHOLE_MAX_CHARS, lead.UNIT_BUDGET_CHARS = pick
                    text = lead.lead_text(answer.text, cands, answer.citations)
                hits.append(answer_correct(text, q.answer))
                lengths.append(len(text))
            out.append(f"{lang} hit {sum(hits) / len(hits):.3f} median {statistics.median(lengths):.0f}")
        print(f"{label:14s} " + " | ".join(out))


if __name__ == "__main__":
    main(*sys.argv[1:3])
