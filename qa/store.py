"""The FAISS passage store under its former name: ``qa.store`` is ``qa.stores.faiss``.

Kept so ``from qa.store import PassageStore, load_or_build`` and ``import qa.store`` go on
working; new code imports ``qa.stores``.
"""

import sys

from .stores import faiss as _faiss

sys.modules[__name__] = _faiss
