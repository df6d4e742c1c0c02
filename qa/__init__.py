"""Ask the article: cited question answering over news articles, in Arabic and English.

    >>> from qa import ArticleQA
    >>> bot = ArticleQA.from_directory("seeds")
    >>> answer = bot.ask("من حضر المؤتمر؟")
    >>> answer.text, answer.citations[0].quote_start

Heavy imports (FAISS, LangChain, the embedding engine) wait until first use, so
``import qa`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .answer import ABSTENTION, Answer, Citation, PassageHit
from .errors import DocumentError, IndexBuildError, QAError, QuestionError

if TYPE_CHECKING:
    from .chain import ArticleQA

__all__ = ["ABSTENTION", "Answer", "ArticleQA", "Citation", "DocumentError", "IndexBuildError", "PassageHit",
           "QAError", "QuestionError"]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name == "ArticleQA":
        from .chain import ArticleQA

        return ArticleQA
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
