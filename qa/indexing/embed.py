"""Split and embed documents: the work one indexing worker does, with or without Ray.

``embed_documents`` is the one function both the plain single-process build and each Ray
worker actor call, so the two produce the same passages and vectors. It splits each
document (``qa.splitting``), then embeds every passage text of the batch and every clause
unit in one ``encode_passages`` call each, so a batch of small documents still reaches the
fast torch engine (``qa.e5_torch``, used above 32 texts).

``EmbeddingCache`` keeps each document's result on disk, keyed by what decides the
vectors (embedding backend, model, passage engine, splitter settings, unit vectors on or
off, and the document's name and text), as ``.npz`` files written without pickle. A
rebuild into another store, another index type or a fresh archive file reads vectors back
instead of embedding again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..ingest import Document
from ..splitting import Passage, Span, SplitterSettings, embedding_texts, split_document


def document_hash(document: Document) -> str:
    """SHA-256 (hex) of a document's name and text: what "already indexed" is checked by (the
    same bytes as ``qa.stores.milvus.document_hash``)."""
    h = hashlib.sha256()
    h.update(document.source.encode("utf-8") + b"\x00" + document.text.encode("utf-8") + b"\x00")
    return h.hexdigest()


@dataclass
class EmbeddedDocument:
    """One document split and embedded, ready to be written to a store.

    Attributes:
        document: the source document (citations are offsets into ``document.text``).
        sha256: ``document_hash(document)``.
        passages: its passages in order.
        passage_vectors: ``(len(passages), dim)`` float32 unit vectors.
        unit_vectors: ``(n_units, dim)`` float32 unit vectors, one per sentence/clause unit
            in passage then unit order; ``(0, dim)`` when unit vectors are off.
    """

    document: Document
    sha256: str
    passages: list[Passage]
    passage_vectors: np.ndarray
    unit_vectors: np.ndarray

    def passage_rows(self) -> str:
        """The passages' offsets as a JSON string (``[[paragraph, start, end, [[a, b], ...]], ...]``)."""
        return json.dumps([[p.paragraph, p.start, p.end, [[s.start, s.end] for s in p.sentences]]
                           for p in self.passages])

    @classmethod
    def from_rows(cls, document: Document, rows: str, passage_vectors: np.ndarray,
                  unit_vectors: np.ndarray) -> "EmbeddedDocument":
        """Rebuild from ``passage_rows`` output and the vectors (texts cut from ``document``).

        Raises:
            ValueError: the rows do not fit the document or the vectors.
        """
        text = document.text
        passages = []
        for paragraph, start, end, spans in json.loads(rows):
            if not 0 <= start < end <= len(text):
                raise ValueError(f"{document.source}: passage offsets {start}-{end} outside the text")
            passages.append(Passage(document.source, paragraph, start, end, text[start:end],
                                    tuple(Span(a, b, text[a:b]) for a, b in spans)))
        if len(passage_vectors) != len(passages):
            raise ValueError(f"{document.source}: {len(passage_vectors)} vectors for {len(passages)} passages")
        return cls(document, document_hash(document), passages, passage_vectors, unit_vectors)


def embed_documents(documents: list[Document], embeddings, settings: SplitterSettings = SplitterSettings(),
                    unit_vectors: bool = True) -> list[EmbeddedDocument]:
    """Split and embed a batch of documents.

    Args:
        documents: the batch.
        embeddings: a ``qa.embeddings.E5Embeddings`` (its ``count_tokens`` and
            ``encode_passages`` are used).
        settings: splitter settings.
        unit_vectors: also embed each sentence/clause unit.

    Returns:
        One ``EmbeddedDocument`` per document, in order (a document with no passage of text
        gets zero passages and is still recorded, so it is not embedded again).
    """
    split = [split_document(d, embeddings.count_tokens, settings) for d in documents]
    texts: list[str] = []
    units: list[str] = []
    for d, passages in zip(documents, split):
        texts.extend(embedding_texts([d], passages, embeddings.count_tokens, settings))
        if unit_vectors:
            units.extend(s.text for p in passages for s in p.sentences)
    dim = embeddings.dim
    pv = embeddings.encode_passages(texts) if texts else np.zeros((0, dim), np.float32)
    uv = embeddings.encode_passages(units) if units else np.zeros((0, dim), np.float32)
    out, i, j = [], 0, 0
    for d, passages in zip(documents, split):
        n = len(passages)
        m = sum(len(p.sentences) for p in passages) if unit_vectors else 0
        out.append(EmbeddedDocument(d, document_hash(d), passages, np.asarray(pv[i : i + n], np.float32),
                                    np.asarray(uv[j : j + m], np.float32)))
        i, j = i + n, j + m
    return out


def embedding_key(embeddings, settings: SplitterSettings, unit_vectors: bool) -> dict:
    """What decides the vectors besides the text (recorded in the store too)."""
    return {**embeddings.describe(), "splitter": asdict(settings), "unit_vectors": unit_vectors}


class EmbeddingCache:
    """Per-document embeddings on disk (``<folder>/<sha256>.npz``, no pickle).

    Args:
        folder: the cache folder (created on first write).
        key: ``embedding_key(...)``: entries made under another key are never returned.
    """

    def __init__(self, folder: Path | str, key: dict) -> None:
        self.folder = Path(folder)
        self._salt = json.dumps(key, sort_keys=True).encode("utf-8")

    def _path(self, document: Document) -> Path:
        content = hashlib.sha256(document.source.encode("utf-8") + b"\x00" + document.text.encode("utf-8")).hexdigest()
        h = hashlib.sha256(self._salt + b"\x00" + content.encode("ascii")).hexdigest()
        return self.folder / f"{h}.npz"

    def get(self, document: Document) -> EmbeddedDocument | None:
        """The cached result for this exact document, or ``None`` (also for an unreadable entry)."""
        path = self._path(document)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                return EmbeddedDocument.from_rows(document, str(z["rows"]), z["passage_vectors"], z["unit_vectors"])
        except (OSError, ValueError, KeyError):
            return None

    def put(self, item: EmbeddedDocument) -> None:
        """Store one result (written to a temporary file, then renamed: never half a file)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(item.document)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, rows=np.array(item.passage_rows()), passage_vectors=item.passage_vectors,
                         unit_vectors=item.unit_vectors)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
