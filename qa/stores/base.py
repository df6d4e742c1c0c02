"""The passage store interface: what retrieval asks of a store, whichever engine holds it.

A store holds the passages (document, paragraph, start/end offsets, text, clause units),
one dense vector per passage and per clause unit, and a BM25 index over the project's own
analysed terms (``qa.text.retrieval_terms``). Retrieval does not score every passage: it asks the
store for the **candidates** of one question (``PassageStore.candidates``), the union of
the top-N of three rankings (dense passage cosine, best clause-unit cosine, BM25), with
their scores, and fuses over those (``qa.retrieval.HybridRetriever``).

- ``qa.stores.faiss.FaissPassageStore`` (the default, in memory, for an article or a small
  folder) returns every passage, so fusion and the answer policy see what they saw before
  the interface existed (the same arrays, the same medians).
- ``qa.stores.milvus.MilvusPassageStore`` (an archive, on Milvus Lite or a cluster) returns
  the union of the top-N of each ranking (``QA_CANDIDATES``, default 200); over a collection
  of at most N passages it returns every passage too, and answers as FAISS does.

A passage without a score in one ranking (outside that ranking's top-N, or, for BM25, with
no question term) ranks after every scored one, in passage order: exactly where the full
ranking puts passages with BM25 score 0, so fusing over complete candidates is fusing
over all passages.

Filters (``StoreFilter``): by document (source names), by date (documents that have one;
a date filter excludes undated documents) and by paragraph (a question scoped to paragraphs,
"What does the last paragraph say about Haftar?": ``qa.chain`` sets it).
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..splitting import Passage

ProgressFn = Callable[[int, int], None]
# Candidates per ranking when a store cannot return them all (Milvus); QA_CANDIDATES.
DEFAULT_CANDIDATES = 200


def parse_date(value: Any) -> dt.date | None:
    """A date from ``None``, a ``datetime.date``/``datetime`` or an ISO ``YYYY-MM-DD`` string
    (a longer ISO timestamp is cut to its date).

    Raises:
        ValueError: a string that is not an ISO date, or another type.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError as err:
            raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from err
    raise ValueError(f"not a date: {value!r} ({type(value).__name__})")


@dataclass(frozen=True)
class StoreFilter:
    """Which passages a question may retrieve.

    Attributes:
        documents: source names (``Document.source``) allowed, or ``None`` for all.
        date_from, date_to: inclusive bounds on the document's date, or ``None``; when
            either is set, documents without a date are excluded.
        paragraphs: ``(source, paragraph)`` pairs allowed (``Citation.paragraph``
            numbers), or ``None`` for all; set by ``qa.chain`` for a question scoped to
            paragraphs, not read from ``from_mapping``.
    """

    documents: frozenset[str] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    paragraphs: frozenset[tuple[str, int]] | None = None

    @classmethod
    def from_mapping(cls, filters: "Mapping[str, Any] | StoreFilter | None") -> "StoreFilter | None":
        """``{"documents": [...], "date_from": "2024-01-01", "date_to": ...}`` (any key
        optional) as a ``StoreFilter``; ``None`` or an empty mapping gives ``None``.

        Raises:
            ValueError: an unknown key, a date that does not parse, ``date_from`` after
                ``date_to``, or ``documents`` that is a bare string or empty.
        """
        if filters is None or isinstance(filters, StoreFilter):
            return filters
        unknown = set(filters) - {"documents", "date_from", "date_to"}
        if unknown:
            raise ValueError(f"unknown filter {sorted(unknown)}: use documents, date_from, date_to")
        documents = filters.get("documents")
        if isinstance(documents, str):
            raise ValueError("filters['documents'] must be a list of document names, not one string")
        if documents is not None:
            documents = frozenset(str(d) for d in documents)
            if not documents:
                raise ValueError("filters['documents'] is empty: name at least one document")
        date_from, date_to = parse_date(filters.get("date_from")), parse_date(filters.get("date_to"))
        if date_from and date_to and date_from > date_to:
            raise ValueError(f"date_from {date_from} is after date_to {date_to}")
        if documents is None and date_from is None and date_to is None:
            return None
        return cls(documents, date_from, date_to)

    def allows_paragraph(self, source: str, paragraph: int) -> bool:
        """Whether paragraph ``paragraph`` of document ``source`` passes (the document and
        date checks are ``allows``)."""
        return self.paragraphs is None or (source, paragraph) in self.paragraphs

    def allows(self, source: str, date: dt.date | None) -> bool:
        """Whether a passage of document ``source`` dated ``date`` passes."""
        if self.documents is not None and source not in self.documents:
            return False
        if self.date_from is not None or self.date_to is not None:
            if date is None:
                return False
            if self.date_from is not None and date < self.date_from:
                return False
            if self.date_to is not None and date > self.date_to:
                return False
        return True


@dataclass
class Candidates:
    """The candidate passages of one question and their scores in each ranking.

    ``m`` candidate passages, ``s`` scored clause units. ``NaN`` marks a score the store
    did not compute (the passage is outside that ranking's top-N).

    Attributes:
        passage_ids: ``(m,)`` int64 passage ids (indexes into ``store.passages``), ascending.
        passage_cosine: ``(m,)`` float32 cosine of the question with each candidate passage.
        best_unit_cosine: ``(m,)`` float32 highest cosine of any clause unit of the passage,
            or ``None`` for a store without unit vectors.
        bm25: ``(m,)`` float32 BM25 score of the question's terms (``NaN`` or 0: none).
        unit_ids: ``(s,)`` int64 global clause-unit rows scored (``store.first_unit`` gives a
            passage's first row), or ``None`` without unit vectors.
        unit_cosine: ``(s,)`` float32 their cosines, or ``None``.
        passage_cosine_median: median cosine of the question over the (allowed) collection's
            passages: exact when ``complete``, else estimated on a fixed sample.
        unit_cosine_median: the same over clause units (``None`` without unit vectors).
        complete: every allowed passage is a candidate, with every score.
    """

    passage_ids: np.ndarray
    passage_cosine: np.ndarray
    best_unit_cosine: np.ndarray | None
    bm25: np.ndarray
    unit_ids: np.ndarray | None
    unit_cosine: np.ndarray | None
    passage_cosine_median: float
    unit_cosine_median: float | None
    complete: bool


class PassageStore(ABC):
    """What retrieval and answering need from a store (see the module docstring).

    Attributes:
        passages: every passage, by passage id (``passages[i]``), in document order then
            offset order (ties in every ranking keep this order).
        manifest: what the store was built from (``qa.stores.faiss.expected_manifest``).
    """

    passages: Sequence[Passage]
    manifest: dict

    kind: str = "base"

    @abstractmethod
    def candidates(self, query_vector: np.ndarray, terms: Sequence[str], *, limit: int | None = None,
                   filters: StoreFilter | None = None) -> Candidates:
        """The candidates of one question.

        Args:
            query_vector: ``(dim,)`` unit vector (the ``query:`` prompt's embedding).
            terms: the question's BM25 terms (``qa.text.retrieval_terms`` output, with the stems
                linked across scripts); terms absent from the collection are ignored.
            limit: N, candidates per ranking (``None``: the store's default); a store may
                return more (FAISS returns all).
            filters: restrict to some documents or dates.

        Returns:
            ``Candidates`` (possibly empty when the filter allows nothing).
        """

    @abstractmethod
    def unit_cosines(self, query_vector: np.ndarray, passage_ids: Iterable[int]) -> dict[int, np.ndarray]:
        """Cosine of the question with every clause unit of the given passages.

        Returns:
            passage id -> ``(len(passages[id].sentences),)`` float32 array; ``{}`` for a
            store without unit vectors.
        """

    @property
    @abstractmethod
    def document_frequency(self) -> Mapping[str, int]:
        """BM25 term -> number of passages holding it (the collection's vocabulary)."""

    @property
    def has_unit_vectors(self) -> bool:
        """Whether clause units have vectors (``QA_UNIT_VECTORS``)."""
        return bool(self.manifest.get("sentence_vectors"))

    @property
    def dates(self) -> Mapping[str, dt.date]:
        """Document source -> its date, for the documents that have one."""
        return {}

    def first_unit(self) -> np.ndarray:
        """``(n_passages + 1,)`` int64: global row of each passage's first clause unit
        (passage order, then unit order); the last entry is the number of units. Computed
        once (the passages of a store do not change; it is read at every question)."""
        cached = self.__dict__.get("_first_unit_rows")
        if cached is None:
            cached = np.cumsum([0] + [len(p.sentences) for p in self.passages]).astype(np.int64)
            self.__dict__["_first_unit_rows"] = cached
        return cached

    def sentence_owners(self) -> np.ndarray:
        """``(n_units,)`` int64: the passage id of each global clause-unit row (computed once)."""
        cached = self.__dict__.get("_unit_owner_rows")
        if cached is None:
            cached = np.repeat(np.arange(len(self.passages), dtype=np.int64), np.diff(self.first_unit()))
            self.__dict__["_unit_owner_rows"] = cached
        return cached

    def describe(self) -> dict[str, Any]:
        """``{"store": kind, ...}`` for ``ArticleQA.info``."""
        return {"store": self.kind}

    def close(self) -> None:
        """Release connections (nothing for an in-memory store)."""
