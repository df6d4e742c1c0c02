"""Batch indexing of an archive: split, embed (here or on Ray), write to a store in batches.

``embed`` (one batch of documents: the work of one worker), ``pipeline`` (the plain
single-process loop and the dispatch to Ray), ``ray_embed`` (Ray Data, one embedding model
per actor), ``archive`` (what to index, delete and skip; writing and committing).
"""
