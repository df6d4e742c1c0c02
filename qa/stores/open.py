"""Open or build the store the settings name (``QA_STORE``): FAISS under the index folder,
or Milvus at ``QA_MILVUS_URI`` (collections named after the index folder)."""

from __future__ import annotations

import re
from pathlib import Path

from ..embeddings import E5Embeddings
from ..ingest import Document
from ..splitting import SplitterSettings
from .base import PassageStore, ProgressFn


def milvus_collection_prefix(index_dir: Path) -> str:
    """The Milvus collection prefix of an index folder: ``qa_`` + its name with every
    character outside ``[A-Za-z0-9_]`` made ``_`` (``index`` -> ``qa_index``,
    ``index/collections/xquad-1a2b3c4d`` -> ``qa_xquad_1a2b3c4d``), so each folder of
    articles has its own collections in one Milvus database, as it has its own FAISS folder."""
    return "qa_" + re.sub(r"[^A-Za-z0-9_]", "_", Path(index_dir).name)


def open_store(documents: list[Document], embeddings: E5Embeddings, index_dir: Path, settings,
               progress: ProgressFn | None = None, rebuild: bool = False) -> tuple[PassageStore, bool]:
    """Load the store of ``documents`` or build it, with the engine ``settings.store`` names.

    Args:
        documents: the documents, in order.
        embeddings: the embedding backend.
        index_dir: the FAISS index folder; for Milvus it names the collections
            (``milvus_collection_prefix``).
        settings: ``qa.config.Settings`` (``store``, ``milvus_uri``, ``milvus_token``,
            ``candidates``, ``unit_vectors``).
        progress: ``progress(texts_done, texts_total)`` while embedding.
        rebuild: build even when the stored index matches.

    Returns:
        ``(store, built)``.

    Raises:
        IndexBuildError: the build failed (the previous index is left in place).
    """
    if settings.store == "milvus":
        from ..config import resolve_milvus_uri
        from .milvus import load_or_build_milvus

        return load_or_build_milvus(documents, embeddings, resolve_milvus_uri(settings.milvus_uri),
                                    milvus_collection_prefix(index_dir), token=settings.milvus_token,
                                    progress=progress, rebuild=rebuild, sentence_vectors=settings.unit_vectors,
                                    candidates=settings.candidates)
    from .faiss import load_or_build

    return load_or_build(documents, embeddings, Path(index_dir), SplitterSettings(), progress=progress,
                         rebuild=rebuild, sentence_vectors=settings.unit_vectors)


def build_memory_store(documents: list[Document], embeddings: E5Embeddings, progress: ProgressFn | None = None,
                       sentence_vectors: bool = True, split_progress: ProgressFn | None = None) -> PassageStore:
    """An in-memory FAISS store (a reader's own article: nothing is written, whatever
    ``QA_STORE`` says). ``progress(texts_done, texts_total)`` while embedding;
    ``split_progress(paragraphs_done, paragraphs_total)`` while splitting, before it."""
    from .faiss import build_store

    return build_store(documents, embeddings, progress=progress, sentence_vectors=sentence_vectors,
                       split_progress=split_progress)
