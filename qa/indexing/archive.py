"""Indexing an archive into Milvus: what to add, replace, delete and skip; writing and committing.

``index_archive`` compares the folder with what the archive holds (a SHA-256 of each
document's name and text), embeds only new and changed documents (``pipeline.embed_stream``:
in this process, or on Ray with ``workers > 1``), writes them in batches, and removes
documents no longer in the folder. A document whose hash the archive already holds is
skipped, so a run that was interrupted and started again embeds only what it had not
finished.

No half-written state is visible to readers. Each document has one row in the
``documents`` collection whose ``sha256`` field is the committed version; every passage and
unit row carries the ``sha256`` of the version it belongs to, and a reader keeps a hit only
when its ``sha256`` is the committed one of its document (``MilvusArchive.search`` does so;
``committed`` gives the map). A batch is written as: mark its documents ``pending`` (the
new hash; the committed one unchanged, so readers still see the old version), insert the
new passages and units, then set each document's ``sha256`` to the new hash and clear
``pending`` (the commit: one upsert), then delete the old version's rows. A run that dies
before the commit leaves rows no reader keeps; the next run deletes every row of a
``pending`` document whose hash is not the committed one (``recover``) before it starts.

Milvus Lite (a local file, ``./index/archive.db`` by default) serves one process at a time;
a Milvus server or cluster (``http://host:19530``) serves readers while an index run
writes.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..ingest import Document
from ..splitting import SplitterSettings
from .embed import EmbeddedDocument, EmbeddingCache, document_hash, embedding_key
from .pipeline import embed_stream

log = logging.getLogger(__name__)

DEFAULT_URI = "./index/archive.db"
PASSAGES, UNITS, DOCUMENTS, META = "passages", "units", "documents", "archive_meta"
# Milvus VARCHAR fields hold at most 65,535 bytes; a passage is at most 500 model tokens.
MAX_TEXT_BYTES = 65_535
WRITE_BATCH_PASSAGES = 512  # passages per insert (and per commit)


def _quote(value: str) -> str:
    """A string literal for a Milvus filter expression."""
    return json.dumps(value, ensure_ascii=False)


class MilvusArchive:
    """Passages, clause-unit vectors and document records in Milvus (Lite or server).

    Args:
        uri: a Milvus Lite file (``./index/archive.db``) or a server address
            (``http://host:19530``).
        dim: vector dimension (needed to create the collections).
        index_type: Milvus vector index for both vector collections (``FLAT`` exact,
            ``IVF_FLAT``, ``AUTOINDEX``...); ``index_params`` its build parameters.
        key: ``embedding_key(...)`` of the embeddings written; a different key stored in
            the archive raises ``ValueError`` (vectors of two models cannot be mixed).

    Raises:
        ImportError: pymilvus is not installed (``pip install 'ask-the-article[archive]'``).
        ValueError: the archive was built with other embeddings or splitter settings.
    """

    def __init__(self, uri: str = DEFAULT_URI, dim: int = 384, index_type: str = "FLAT",
                 index_params: dict | None = None, key: dict | None = None) -> None:
        try:
            from pymilvus import MilvusClient
        except ImportError as err:
            raise ImportError("the Milvus archive needs pymilvus: pip install 'ask-the-article[archive]'") from err
        if "://" not in uri:
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        self.uri, self.dim = uri, dim
        self.client = MilvusClient(uri)
        self._create(index_type, index_params or {})
        if key is not None:
            self._check_key(key)

    # -- schema ---------------------------------------------------------------------
    def _create(self, index_type: str, params: dict) -> None:
        from pymilvus import DataType, MilvusClient

        c = self.client
        existing = set(c.list_collections())

        def vector_index():
            ip = c.prepare_index_params()
            ip.add_index(field_name="vector", index_type=index_type, metric_type="IP", params=params)
            return ip

        if PASSAGES not in existing:
            s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
            s.add_field("id", DataType.VARCHAR, is_primary=True, max_length=96)
            s.add_field("source", DataType.VARCHAR, max_length=1024)
            s.add_field("sha256", DataType.VARCHAR, max_length=64)
            s.add_field("paragraph", DataType.INT64)
            s.add_field("start", DataType.INT64)
            s.add_field("end", DataType.INT64)
            s.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)
            s.add_field("sentences", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)  # [[start, end], ...]
            s.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
            c.create_collection(PASSAGES, schema=s, index_params=vector_index())
        if UNITS not in existing:
            s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
            s.add_field("id", DataType.VARCHAR, is_primary=True, max_length=96)
            s.add_field("passage_id", DataType.VARCHAR, max_length=96)
            s.add_field("source", DataType.VARCHAR, max_length=1024)
            s.add_field("sha256", DataType.VARCHAR, max_length=64)
            s.add_field("start", DataType.INT64)
            s.add_field("end", DataType.INT64)
            s.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
            c.create_collection(UNITS, schema=s, index_params=vector_index())
        if DOCUMENTS not in existing:
            s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
            s.add_field("source", DataType.VARCHAR, is_primary=True, max_length=1024)
            s.add_field("sha256", DataType.VARCHAR, max_length=64)   # committed version ("" = none yet)
            s.add_field("pending", DataType.VARCHAR, max_length=64)  # version being written, "delete", or ""
            s.add_field("n_passages", DataType.INT64)
            s.add_field("dummy", DataType.FLOAT_VECTOR, dim=2)  # Milvus needs a vector field in every collection
            ip = c.prepare_index_params()
            ip.add_index(field_name="dummy", index_type="FLAT", metric_type="L2")
            c.create_collection(DOCUMENTS, schema=s, index_params=ip)
        if META not in existing:
            s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
            s.add_field("name", DataType.VARCHAR, is_primary=True, max_length=64)
            s.add_field("value", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)
            s.add_field("dummy", DataType.FLOAT_VECTOR, dim=2)
            ip = c.prepare_index_params()
            ip.add_index(field_name="dummy", index_type="FLAT", metric_type="L2")
            c.create_collection(META, schema=s, index_params=ip)
        for name in (PASSAGES, UNITS, DOCUMENTS, META):
            # a file reopened after its process died holds its collections released
            c.load_collection(name)

    def _check_key(self, key: dict) -> None:
        rows = self.client.query(META, filter='name == "embedding_key"', output_fields=["value"])
        text = json.dumps(key, sort_keys=True)
        if not rows:
            self.client.upsert(META, [{"name": "embedding_key", "value": text, "dummy": [0.0, 0.0]}])
        elif rows[0]["value"] != text:
            raise ValueError(f"the archive at {self.uri} was built with other embeddings or splitter settings "
                             f"({rows[0]['value']}); index into a new archive")

    # -- state ----------------------------------------------------------------------
    def _documents(self) -> list[dict]:
        out, offset = [], 0
        while True:  # Milvus caps one query's offset + limit at 16,384 rows
            rows = self.client.query(DOCUMENTS, filter='source != ""', output_fields=["source", "sha256", "pending",
                                                                                    "n_passages"],
                                     limit=10_000, offset=offset)
            out.extend(rows)
            if len(rows) < 10_000:
                return out
            offset += len(rows)

    def committed(self) -> dict[str, str]:
        """``{source: sha256}`` of every committed document (what readers see)."""
        return {r["source"]: r["sha256"] for r in self._documents() if r["sha256"]}

    def count(self, collection: str = PASSAGES) -> int:
        """Rows in a collection, committed or not."""
        rows = self.client.query(collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def recover(self) -> int:
        """Delete what an interrupted run left: rows of a ``pending`` document that are not
        its committed version, and documents pending deletion. Returns documents repaired."""
        repaired = 0
        for r in self._documents():
            if not r["pending"]:
                continue
            repaired += 1
            src = _quote(r["source"])
            if r["pending"] == "delete" or not r["sha256"]:
                for coll in (PASSAGES, UNITS):
                    self.client.delete(coll, filter=f"source == {src}")
                self.client.delete(DOCUMENTS, filter=f"source == {src}")
            else:
                for coll in (PASSAGES, UNITS):
                    self.client.delete(coll, filter=f"source == {src} and sha256 != {_quote(r['sha256'])}")
                self._set(r["source"], r["sha256"], "", r["n_passages"])
        return repaired

    def _set(self, source: str, sha: str, pending: str, n_passages: int) -> None:
        self.client.upsert(DOCUMENTS, [{"source": source, "sha256": sha, "pending": pending,
                                        "n_passages": int(n_passages), "dummy": [0.0, 0.0]}])

    # -- writing --------------------------------------------------------------------
    def write_batch(self, items: list[EmbeddedDocument]) -> None:
        """Write and commit a batch of documents (new versions replace old ones)."""
        if not items:
            return
        docs = {r["source"]: r for r in self._documents()}
        old = {i.document.source: (docs.get(i.document.source) or {}).get("sha256", "") for i in items}
        # 1. pending: readers keep seeing the committed version
        self.client.upsert(DOCUMENTS, [{"source": i.document.source, "sha256": old[i.document.source],
                                        "pending": i.sha256, "n_passages": len(i.passages), "dummy": [0.0, 0.0]}
                                       for i in items])
        # 2. the new rows
        passages, units = [], []
        for item in items:
            tag = item.sha256[:24]
            j = 0
            for n, p in enumerate(item.passages):
                pid = f"{tag}:{n}"
                passages.append({"id": pid, "source": p.source, "sha256": item.sha256, "paragraph": p.paragraph,
                                 "start": p.start, "end": p.end, "text": p.text,
                                 "sentences": json.dumps([[s.start, s.end] for s in p.sentences]),
                                 "vector": item.passage_vectors[n].tolist()})
                if len(item.unit_vectors):
                    for s in p.sentences:
                        units.append({"id": f"{pid}:{j}", "passage_id": pid, "source": p.source,
                                      "sha256": item.sha256, "start": s.start, "end": s.end,
                                      "vector": item.unit_vectors[j].tolist()})
                        j += 1
        for coll, rows in ((PASSAGES, passages), (UNITS, units)):
            for i in range(0, len(rows), WRITE_BATCH_PASSAGES):
                self.client.insert(coll, rows[i : i + WRITE_BATCH_PASSAGES])
        # 3. commit: one upsert flips every document of the batch to its new version
        self.client.upsert(DOCUMENTS, [{"source": i.document.source, "sha256": i.sha256, "pending": "",
                                        "n_passages": len(i.passages), "dummy": [0.0, 0.0]} for i in items])
        # 4. the old versions' rows, invisible since the commit
        for item in items:
            previous = old[item.document.source]
            if previous and previous != item.sha256:
                for coll in (PASSAGES, UNITS):
                    self.client.delete(coll, filter=f"source == {_quote(item.document.source)} and "
                                                    f"sha256 == {_quote(previous)}")

    def remove(self, source: str) -> None:
        """Delete a document: hidden from readers first (its committed version cleared), then its rows."""
        src = _quote(source)
        self._set(source, "", "delete", 0)
        for coll in (PASSAGES, UNITS):
            self.client.delete(coll, filter=f"source == {src}")
        self.client.delete(DOCUMENTS, filter=f"source == {src}")

    # -- reading --------------------------------------------------------------------
    def search(self, vectors: np.ndarray, k: int, collection: str = PASSAGES, search_params: dict | None = None,
               committed: dict[str, str] | None = None) -> list[list[dict]]:
        """Top ``k`` committed rows per query vector by inner product (cosine for unit vectors).

        Args:
            vectors: ``(n_queries, dim)`` float32.
            k: hits per query.
            collection: ``passages`` or ``units``.
            search_params: the index's search parameters (e.g. ``{"nprobe": 16}``).
            committed: ``committed()`` (read once per call when ``None``).

        Returns:
            Per query, up to ``k`` dicts with ``id``, ``score``, ``source``, ``start``, ``end``.
        """
        committed = self.committed() if committed is None else committed
        fetch = k + 8  # a few spare hits for rows of uncommitted versions, which are dropped
        res = self.client.search(collection, data=np.asarray(vectors, np.float32).tolist(), limit=fetch,
                                 output_fields=["source", "sha256", "start", "end"],
                                 search_params={"metric_type": "IP", "params": search_params or {}})
        out = []
        for hits in res:
            keep = [{"id": h["id"], "score": float(h["distance"]), **{f: h["entity"][f] for f in ("source", "start",
                                                                                                   "end")}}
                    for h in hits if committed.get(h["entity"]["source"]) == h["entity"]["sha256"]]
            out.append(keep[:k])
        return out

    def close(self) -> None:
        self.client.close()


@dataclass
class IndexReport:
    """What one ``index_archive`` run did (counts of documents and passages; seconds)."""

    documents: int = 0
    skipped: int = 0
    embedded: int = 0
    from_cache: int = 0
    deleted: int = 0
    repaired: int = 0
    passages_written: int = 0
    embed_seconds: float = 0.0
    worker_pids: list[tuple[int, int]] = field(default_factory=list)  # (Ray actor pid, passages)


def index_archive(documents: list[Document], archive: MilvusArchive, embeddings,
                  settings: SplitterSettings = SplitterSettings(), unit_vectors: bool = True, workers: int = 1,
                  cache: EmbeddingCache | None = None, progress: Callable[[int, int], None] | None = None,
                  ray_options: dict | None = None, delete_missing: bool = True,
                  stop_after: int | None = None, batch_passages: int = WRITE_BATCH_PASSAGES) -> IndexReport:
    """Bring ``archive`` up to date with ``documents`` (incremental and resumable).

    Args:
        documents: the folder's documents (names unique).
        archive: the Milvus archive written to.
        embeddings: the embedding backend (plain path and token counts).
        settings: splitter settings.
        unit_vectors: also write sentence/clause unit vectors.
        workers: ``<= 1`` embed in this process; more: on Ray with that many actors.
        cache: an embedding cache read before embedding, or ``None``.
        progress: ``progress(documents_done, documents_to_do)`` after each committed batch.
        ray_options: for ``ray_embed`` (``address``...).
        delete_missing: remove archive documents that are not in ``documents``.
        stop_after: stop (as an interruption would) after committing this many documents.
        batch_passages: commit once this many passages are waiting (a commit is one upsert of
            the batch's document records; smaller batches lose less to an interruption).

    Returns:
        An ``IndexReport``.
    """
    import time

    report = IndexReport(documents=len(documents))
    report.repaired = archive.recover()
    have = archive.committed()
    todo = [d for d in documents if have.get(d.source) != document_hash(d)]
    report.skipped = len(documents) - len(todo)
    if delete_missing:
        names = {d.source for d in documents}
        for source in sorted(set(have) - names):
            archive.remove(source)
            report.deleted += 1
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
        if pending >= batch_passages or (stop_after is not None and done + len(batch) >= stop_after):
            archive.write_batch(batch)
            done += len(batch)
            report.passages_written += pending
            batch, pending = [], 0
            if progress:
                progress(done, len(todo))
            if stop_after is not None and done >= stop_after:
                break
    if batch:
        archive.write_batch(batch)
        done += len(batch)
        report.passages_written += pending
        if progress:
            progress(done, len(todo))
    report.embed_seconds = time.perf_counter() - start
    return report
