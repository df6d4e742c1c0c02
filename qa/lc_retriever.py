"""``ArticleQA.as_retriever()``: the bot's hybrid retrieval as a LangChain ``BaseRetriever``.

So the passages can feed a user's own chain (a prompt, a chat model, a reranker): each
passage is a ``langchain_core.documents.Document`` whose ``page_content`` is the passage
text and whose metadata holds ``source`` (the document's name), ``paragraph``, ``start``
and ``end`` (character offsets into the document's text, ``ArticleQA.documents[source]``),
``score`` (the fused RRF score) and ``rank``. It passes ``langchain-tests``'
``RetrieversIntegrationTests`` (``tests/test_langchain_standard.py``).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field


class ArticleRetriever(BaseRetriever):
    """Hybrid retrieval (dense + best unit + BM25, fused) over an ``ArticleQA``'s store.

    Attributes:
        bot: the ``qa.ArticleQA`` whose store and retriever serve.
        k: passages returned per query (``invoke(query, k=3)`` overrides it per call).
        filters: a ``qa.stores.StoreFilter`` applied to every query, or ``None``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    bot: Any
    k: int = Field(5, ge=1)
    filters: Any = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                **kwargs: Any) -> list[LCDocument]:
        """The ``k`` best passages for ``query``, best first (``[]`` for a query with no word).

        Keyword arguments: ``k`` (passages for this call) and ``filters`` (as
        ``ArticleQA.ask``; replaces the retriever's own for this call).

        Raises:
            qa.QuestionError: a malformed filter.
        """
        k = int(kwargs.get("k") or self.k)
        filters = self.bot.store_filter(kwargs["filters"]) if "filters" in kwargs else self.filters
        if not isinstance(query, str) or not query.strip():
            return []
        try:
            retrieval = self.bot.retrieve(query, k=k, filters=filters)
        except ValueError:  # a query with no word at all: nothing to retrieve
            return []
        return [LCDocument(page_content=h.text, id=f"{h.source}:{h.start}-{h.end}",
                           metadata={"source": h.source, "paragraph": h.paragraph, "start": h.start, "end": h.end,
                                     "score": h.score, "rank": h.rank})
                for h in retrieval.hits]
