"""Errors the public API raises, each with a message meant for the user."""


class QAError(Exception):
    """Base class of the errors ``qa`` raises on bad input."""


class QuestionError(QAError, ValueError):
    """The question cannot be asked (empty, or only whitespace and punctuation)."""


class DocumentError(QAError, ValueError):
    """A document cannot be used: empty, binary, not UTF-8, the wrong type or too large.

    Args:
        message: the reason, in English (``str(err)``).
        arabic: the same reason in Arabic, for the web page's Arabic half (``arabic``;
            ``""`` when none was written: the page then says the reason is given in English).
    """

    def __init__(self, message: str, arabic: str = "") -> None:
        super().__init__(message)
        self.arabic = arabic


def isolate(text: str) -> str:
    """``text`` in Unicode directional isolates (U+2068 ... U+2069, Unicode Standard Annex #9):
    a file name or address keeps its own direction inside an Arabic sentence."""
    return f"\u2068{text}\u2069"


class IndexBuildError(QAError, RuntimeError):
    """Building the index failed; the previous index (if any) is left in place."""
