"""Kept for older imports: loading lives in the ``qa.ingest`` subpackage now."""

from .ingest import (MAX_UPLOAD_BYTES, SUFFIXES, Document, decode_document, decode_upload,  # noqa: F401
                     load_documents, load_sources)
