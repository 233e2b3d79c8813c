"""Catalogue search (检索): tokens built in Python, indexed in SQLite FTS5 or PostgreSQL tsvector.

Both engines receive the same pre-cut tokens and answer the same boolean question (is token T in
field F of record R), so they return the same records in the same order; see `selectors.search`.
"""
