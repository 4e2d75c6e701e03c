"""Compile one catalogue, `python scripts/compile_catalogues.py locale/es/LC_MESSAGES/django.po`,
into its .mo beside it with polib, for a machine without GNU gettext's msgfmt (`make install`
prefers msgfmt, which also checks the placeholders; docs/i18n.md#catalogues-make-messages).
Refuses a catalogue whose translation uses a placeholder its message lacks, as msgfmt -c does."""

import re
import sys
from pathlib import Path

import polib

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def compile_catalogue(po_path: Path) -> Path:
    catalogue = polib.pofile(str(po_path))
    for entry in catalogue.translated_entries():
        if "python-format" not in entry.flags:
            continue
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        known = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural or "")
        if any(not _placeholders(t) <= known for t in translations):
            raise SystemExit(
                f"{po_path}: a translation of “{entry.msgid}” has a placeholder it lacks"
            )
    mo_path = po_path.with_suffix(".mo")
    catalogue.save_as_mofile(str(mo_path))
    return mo_path


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(compile_catalogue(Path(name)))
