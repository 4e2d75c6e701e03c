"""The activity pages, one module each: My day, the log, the Due list, the timeline and
the import pages (docs/architecture.md#inside-an-app)."""
