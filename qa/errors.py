"""Errors the public API raises, each with a message meant for the user."""


class QAError(Exception):
    """Base class of the errors ``qa`` raises on bad input."""


class QuestionError(QAError, ValueError):
    """The question cannot be asked (empty, or only whitespace and punctuation)."""


class DocumentError(QAError, ValueError):
    """A document cannot be used: empty, binary, not UTF-8, the wrong type or too large."""


class IndexBuildError(QAError, RuntimeError):
    """Building the index failed; the previous index (if any) is left in place."""
