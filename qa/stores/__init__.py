"""Passage stores: the interface (``base``) and its two engines, FAISS + bm25s in memory
(``faiss``, the default) and Milvus (``milvus``: Milvus Lite in a local file, or a cluster).

``open_store`` picks one by the settings (``QA_STORE``, ``QA_MILVUS_URI``).
"""

from __future__ import annotations

from .base import DEFAULT_CANDIDATES, Candidates, PassageStore, StoreFilter, parse_date
from .open import build_memory_store, open_store

__all__ = ["DEFAULT_CANDIDATES", "Candidates", "PassageStore", "StoreFilter", "build_memory_store", "open_store",
           "parse_date"]
