"""Read a gettext catalogue (.po) as the tests need it: its messages, their translations and
flags. GNU gettext's own tools check the syntax (tests/test_catalogues.py runs msgfmt);
this only reads what they accept (docs/i18n.md#catalogues-make-messages)."""

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
# The catalogue directories of the languages SalesTrack is translated into (settings.LANGUAGES).
CATALOGUE_LANGUAGES = {"es": "es", "zh-hans": "zh_Hans"}
DOMAINS = ("django", "djangojs")

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), text)


@dataclass
class Message:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translations(self) -> list[str]:
        return [text for _, text in sorted(self.msgstr.items())]


def read(path: Path) -> list[Message]:
    """Every message of the catalogue but its header and its obsolete (#~) entries."""
    messages: list[Message] = []
    current = Message()
    last = None  # (attribute, plural index) that a continuation line extends

    def finish():
        nonlocal current, last
        if current.msgid or current.msgstr:
            messages.append(current)
        current, last = Message(), None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue  # comments, locations and obsolete entries
        elif line.startswith('"'):
            text = _unquote(line[1:-1])
            name, index = last
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, (getattr(current, name) or "") + text)
        else:
            match = _KEYWORD.match(line)
            if match is None:
                raise ValueError(f"{path}: cannot read {line!r}")
            keyword, index, text = match[1], match[2], _unquote(match[3])
            if keyword.startswith("msgstr"):
                last = ("msgstr", int(index or 0))
                current.msgstr[last[1]] = text
            else:
                if keyword == "msgctxt" and (current.msgid or current.msgstr):
                    finish()
                last = (keyword, None)
                setattr(current, keyword, text)
    finish()
    return [message for message in messages if message.msgid]  # the header's msgid is ""


def catalogue(language: str, domain: str = "django", root: Path = LOCALE) -> Path:
    return root / CATALOGUE_LANGUAGES[language] / "LC_MESSAGES" / f"{domain}.po"
