"""Snapshots and alerts written by the nightly job. The read side: may import every app,
and no app imports it."""
