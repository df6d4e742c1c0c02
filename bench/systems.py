"""The systems the benchmark compares, each as an ``ask(question) -> Answer`` callable.

Every system returns a ``qa.answer.Answer`` so ``qa.evaluation.evaluate`` scores all of
them the same way (hit@k and MRR over ``Answer.passages``, answer hit over ``Answer.text``):

- ``default``: the shipped ``ArticleQA.ask`` (hybrid retrieval + extractive answer).
- ``bm25``: the BM25 ranking of the same passages only (``HybridRetriever.bm25_scores``).
- ``dense``: the passage cosine ranking only (``Retrieval.passage_cosine``).
- ``baseline``: the textbook LangChain pipeline: ``RecursiveCharacterTextSplitter``
  (1000/200 characters), the same embeddings, ``FAISS.from_documents`` and
  ``similarity_search(q, k=4)``; the answer is the top chunk, with no abstention.

``bm25``, ``dense`` and ``baseline`` answer with their top passage cited as ``[1]``.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from qa.answer import Answer, Citation, PassageHit
from qa.chain import ArticleQA
from qa.embeddings import E5Embeddings
from qa.ingest import Document
from qa.retrieval import HybridRetriever
from qa.text import detect_language, retrieval_terms

AskFn = Callable[[str], Answer]
BASELINE_CHUNK_SIZE = 1000
BASELINE_CHUNK_OVERLAP = 200
BASELINE_K = 4


def top_passage_answer(question: str, hits: list[PassageHit]) -> Answer:
    """A minimal ``Answer``: the top hit's text cited as ``[1]``, all hits as ``passages``.

    Args:
        question: the question as asked.
        hits: ranked passages, best first (may be empty: then the answer is empty too).
    """
    language = detect_language(question)
    if not hits:
        return Answer(question=question, text="", abstained=False, language=language, mode="extractive")
    top = hits[0]
    citation = Citation(n=1, source=top.source, paragraph=top.paragraph, start=top.start, end=top.end,
                        text=top.text, score=top.score, quote_start=top.start, quote_end=top.end,
                        quote=top.text, passage_id=top.passage_id)
    return Answer(question=question, text=f"{top.text} [1]", abstained=False, language=language,
                  citations=[citation], passages=list(hits), mode="extractive", retrieval_query=question)


def _hits_from_scores(bot: ArticleQA, scores: np.ndarray, k: int) -> list[PassageHit]:
    """The top ``k`` passages of ``bot.store`` under ``scores`` (``(n_passages,)``, higher is better)."""
    order = np.argsort(-scores, kind="stable")[:k]
    hits = []
    for rank, pid in enumerate(order, start=1):
        p = bot.store.passages[int(pid)]
        hits.append(PassageHit(int(pid), p.source, p.paragraph, p.start, p.end, p.text, float(scores[pid]), rank))
    return hits


class MemoQueryEmbeddings(E5Embeddings):
    """``embeddings`` with question vectors memoised by text (passages are not cached).

    The benchmark embeds each question once for the default system (timed) and reuses
    the vector for the dense-only and baseline systems, whose latency is not reported.
    """

    def __init__(self, embeddings: E5Embeddings) -> None:
        self.inner = embeddings
        self.backend = embeddings.backend
        self.model_name = embeddings.model_name
        self.dim = embeddings.dim
        self._queries: dict[str, np.ndarray] = {}

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._queries]
        if missing:
            for text, vector in zip(missing, self.inner.encode_queries(missing)):
                self._queries[text] = vector
        return np.stack([self._queries[t] for t in texts]).astype(np.float32, copy=False)

    def encode_passages(self, texts: list[str], progress=None) -> np.ndarray:
        return self.inner.encode_passages(texts, progress=progress)

    def describe(self) -> dict[str, object]:
        return self.inner.describe()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def bm25_ask(bot: ArticleQA, k: int = 5) -> AskFn:
    """``ask`` over BM25 alone: the retriever's BM25 scores of the analysed question."""
    retriever = bot.retriever

    def ask(question: str) -> Answer:
        scores = retriever.bm25_scores(retrieval_terms(question))
        return top_passage_answer(question, _hits_from_scores(bot, scores, k))

    return ask


def dense_ask(bot: ArticleQA, k: int = 5, embeddings: E5Embeddings | None = None) -> AskFn:
    """``ask`` over dense retrieval alone: cosine of the question with each passage vector.

    Args:
        bot: the bot whose store is ranked.
        k: passages returned.
        embeddings: embed questions with this (e.g. a ``MemoQueryEmbeddings``) instead
            of the bot's own retriever.
    """
    retriever = bot.retriever if embeddings is None else HybridRetriever(bot.store, embeddings, k=k)

    def ask(question: str) -> Answer:
        scores = retriever.retrieve(question).passage_cosine
        return top_passage_answer(question, _hits_from_scores(bot, scores, k))

    return ask


def cached_embeddings(embeddings: E5Embeddings, cache_dir: Path | None):
    """``embeddings`` behind LangChain's ``CacheBackedEmbeddings`` (JSON files in ``cache_dir``).

    Only passage vectors are cached (keyed by SHA-256 of the text, namespaced by the
    model); questions always go to the model. Returns ``embeddings`` unchanged when
    ``cache_dir`` is None or ``langchain_classic`` is missing.
    """
    if cache_dir is None:
        return embeddings
    try:
        from langchain_classic.embeddings import CacheBackedEmbeddings
        from langchain_classic.storage import LocalFileStore
    except ImportError:
        return embeddings
    cache_dir.mkdir(parents=True, exist_ok=True)
    namespace = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{embeddings.backend}-{embeddings.model_name}") + "-"
    return CacheBackedEmbeddings.from_bytes_store(embeddings, LocalFileStore(str(cache_dir)),
                                                  namespace=namespace, key_encoder="sha256")


class LangChainBaseline:
    """The textbook LangChain RAG retrieval, answering with the top chunk.

    Args:
        documents: the corpus documents (``qa.loading.Document``: ``source``, ``text``).
        embeddings: the same embedding object the bot uses (LangChain ``Embeddings``).
        cache_dir: where chunk vectors are cached between runs (None: no cache).

    Attributes:
        n_chunks: number of chunks indexed.
        vectorstore: the ``langchain_community`` FAISS vector store.
    """

    def __init__(self, documents: Sequence[Document], embeddings: E5Embeddings, cache_dir: Path | None = None) -> None:
        from langchain_core.documents import Document as LCDocument
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # langchain-community's sunset notice
            from langchain_community.vectorstores import FAISS

        splitter = RecursiveCharacterTextSplitter(chunk_size=BASELINE_CHUNK_SIZE, chunk_overlap=BASELINE_CHUNK_OVERLAP,
                                                  add_start_index=True)
        chunks = splitter.split_documents([LCDocument(page_content=d.text, metadata={"source": d.source})
                                           for d in documents])
        for i, chunk in enumerate(chunks):
            chunk.metadata["chunk_id"] = i
        self.n_chunks = len(chunks)
        # Questions go straight to the model: the cache wrapper only caches documents.
        self.vectorstore = FAISS.from_documents(chunks, cached_embeddings(embeddings, cache_dir))

    def ask(self, question: str) -> Answer:
        """Retrieve ``k=4`` chunks with ``similarity_search`` and answer with the top one."""
        docs = self.vectorstore.similarity_search(question, k=BASELINE_K)
        hits = []
        for rank, d in enumerate(docs, start=1):
            start = int(d.metadata.get("start_index", 0))
            hits.append(PassageHit(int(d.metadata["chunk_id"]), d.metadata["source"], 0, start,
                                   start + len(d.page_content), d.page_content, 0.0, rank))
        return top_passage_answer(question, hits)
