"""Row errors and notes as an import job stores them: in no language, put into words when
they are read, in the reader's (docs/i18n.md#stored-sentences). A row error is its line, its
column and its reason (core.reasons):

    {"line": 4, "column": "date", "message": "“%(value)s” is not a date like 2026-11-23",
     "params": {"value": "31/12"}}

a note its message id. An error stored before (a plain string, in the worker's English)
reads as it was written.
"""

from django.utils.translation import gettext

from core.reasons import said


def error_text(error: dict | str) -> str:
    """One stored row error as people read it, in the active language: `line 4, column
    date: …`. An error stored as words (before errors kept their message ids) reads as
    it was written."""
    if isinstance(error, str):
        return error
    return gettext("line %(line)s, column %(column)s: %(reason)s") % {
        "line": error.get("line"),
        "column": error.get("column") or gettext("(empty)"),
        "reason": said(error),
    }


def note_text(note: str) -> str:
    """A stored note about the file (its message id) in the active language; one stored
    before in English words is its message id too."""
    return gettext(note)
