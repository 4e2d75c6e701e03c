"""Prospects, lead sources, stages, products, opportunities and their stage history.

Depends on users only; activities builds on it. The models arrive with the pipeline issue.
"""
