"""Indexing an archive into the Milvus store: what to add, replace, delete and skip, in batches.

``index_archive`` compares the folder with what the store holds (``qa.stores.milvus``: a
SHA-256 of each document's name and text, and its date), embeds only new and changed
documents (``pipeline.embed_stream``: in this process, or on Ray with ``workers > 1``),
writes them in batches through ``MilvusArchive.write_documents``, and removes documents no
longer in the folder. A document the store holds with the same hash is skipped, so a run
that was interrupted and started again embeds only what it had not finished.

No half-written state is visible to readers: the store serves a document only once all its
``documents`` rows (its text, written after its passages and units) are there, with one
hash (``MilvusArchive.indexed_documents``/``documents``), and the reader keeps passages of
served documents only. A document being replaced is deleted first (its document rows, then
its passages), so between the delete and the commit readers see neither version (never a
mix). A run killed mid-batch leaves passages without document rows: never served, and
deleted when the next run writes that document again.

Milvus Lite (a local file, ``./index/archive.db`` by default) serves one process at a time;
a Milvus server or cluster (``http://host:19530``) serves readers while an index run writes.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from ..errors import IndexBuildError
from ..ingest import Document
from ..splitting import SplitterSettings
from .embed import EmbeddedDocument, EmbeddingCache, document_hash
from .pipeline import embed_stream

log = logging.getLogger(__name__)

WRITE_BATCH_PASSAGES = 512  # passages written (and committed) together


def open_archive(uri: str, prefix: str, embeddings, settings: SplitterSettings = SplitterSettings(),
                 unit_vectors: bool = True, token: str | None = None, rebuild: bool = False):
    """The Milvus store's collections at ``uri``/``prefix``, created (or dropped and created,
    when built with other embeddings, splitter settings or unit-vector setting, or with
    ``rebuild``) as ``qa.stores.milvus.load_or_build_milvus`` does.

    Returns:
        ``(archive, manifest)``: a ``qa.stores.milvus.MilvusArchive`` and the manifest to
        record once the run has written.

    Raises:
        ImportError: pymilvus is not installed (``pip install 'ask-the-article[archive]'``).
        IndexBuildError: Milvus cannot be opened or reached at ``uri`` (one line, the cause chained).
    """
    try:
        from ..stores.milvus import MilvusArchive, expected_meta
    except ImportError as err:
        raise ImportError("the Milvus store needs pymilvus: pip install 'ask-the-article[archive]'") from err
    try:
        archive = MilvusArchive(uri, prefix, token)
        return archive, archive.prepare(expected_meta(embeddings, settings, unit_vectors), embeddings.dim, rebuild)
    except Exception as err:  # pymilvus's connection and configuration errors: no common base class
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise IndexBuildError(f"cannot open Milvus at {uri}: {first}") from err


@dataclass
class IndexReport:
    """What one ``index_archive`` run did (counts of documents and passages; seconds)."""

    documents: int = 0
    skipped: int = 0
    embedded: int = 0
    from_cache: int = 0
    deleted: int = 0
    passages_written: int = 0
    units_written: int = 0
    embed_seconds: float = 0.0
    worker_pids: list[tuple[int, int]] = field(default_factory=list)  # (Ray actor pid, passages)


def index_archive(documents: list[Document], archive, embeddings,
                  settings: SplitterSettings = SplitterSettings(), unit_vectors: bool = True, workers: int = 1,
                  cache: EmbeddingCache | None = None, progress: Callable[[int, int], None] | None = None,
                  ray_options: dict | None = None, delete_missing: bool = True,
                  stop_after: int | None = None, batch_passages: int = WRITE_BATCH_PASSAGES,
                  manifest: dict | None = None) -> IndexReport:
    """Bring ``archive`` up to date with ``documents`` (incremental and resumable).

    Args:
        documents: the folder's documents (names unique).
        archive: the ``qa.stores.milvus.MilvusArchive`` written to (``open_archive``).
        embeddings: the embedding backend (plain path and token counts).
        settings: splitter settings.
        unit_vectors: also write sentence/clause unit vectors.
        workers: ``<= 1`` embed in this process; more: on Ray with that many actors.
        cache: an embedding cache read before embedding, or ``None``.
        progress: ``progress(documents_done, documents_to_do)`` after each committed batch.
        ray_options: for ``ray_embed`` (``address``...).
        delete_missing: remove archive documents that are not in ``documents``.
        stop_after: stop (as an interruption would) after committing this many documents.
        manifest: ``open_archive``'s manifest, recorded (with the time) when anything changed.
        batch_passages: commit once this many passages are waiting (a commit is one upsert of
            the batch's document records; smaller batches lose less to an interruption).

    Returns:
        An ``IndexReport``.
    """
    report = IndexReport(documents=len(documents))
    stored = archive.indexed_documents()
    stored_dates = {d.source: d.date for d in archive.documents()} if stored else {}
    todo = [d for d in documents if stored.get(d.source) != document_hash(d)
            or stored_dates.get(d.source, "") != (d.date or "")]
    report.skipped = len(documents) - len(todo)
    if delete_missing:
        names = {d.source for d in documents}
        for source in sorted(set(stored) - names):
            archive.delete_document(source)
            report.deleted += 1
    position = {d.source: i for i, d in enumerate(documents)}

    def write(items: list[EmbeddedDocument]) -> None:
        archive.write_documents((i.document, position[i.document.source], i.passages, i.passage_vectors,
                                 i.unit_vectors if unit_vectors else None) for i in items)

    options = dict(ray_options or {})
    if workers > 1:
        options.setdefault("worker_pids", report.worker_pids)
    batch: list[EmbeddedDocument] = []
    pending = 0
    done = 0
    start = time.perf_counter()
    if progress:
        progress(0, len(todo))
    for item, cached in embed_stream(todo, embeddings, settings, unit_vectors, cache, workers,
                                     ray_options=options if workers > 1 else None):
        if cached:
            report.from_cache += 1
        else:
            report.embedded += 1
        batch.append(item)
        pending += len(item.passages)
        report.units_written += len(item.unit_vectors) if unit_vectors else 0
        if pending >= batch_passages or (stop_after is not None and done + len(batch) >= stop_after):
            write(batch)
            done += len(batch)
            report.passages_written += pending
            batch, pending = [], 0
            if progress:
                progress(done, len(todo))
            if stop_after is not None and done >= stop_after:
                break
    if batch:
        write(batch)
        done += len(batch)
        report.passages_written += pending
        if progress:
            progress(done, len(todo))
    report.embed_seconds = time.perf_counter() - start
    if stop_after is None or done < stop_after:
        archive.set_positions([d.source for d in documents])
    if manifest is not None and (report.embedded or report.from_cache or report.deleted):
        archive.write_manifest({**manifest, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    return report
