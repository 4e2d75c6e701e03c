"""The catalogues of locale/ are whole and current (docs/i18n.md#catalogues-make-messages):
GNU gettext counts no untranslated and no fuzzy message in either language, and they hold
exactly the messages `make messages` would collect from the code today."""

import re
import shlex
import shutil
import subprocess
import sys

import pytest

from tests.po import CATALOGUE_LANGUAGES, DOMAINS, LOCALE, ROOT, catalogue, read

CATALOGUES = [(language, domain) for language in CATALOGUE_LANGUAGES for domain in DOMAINS]
IDS = [f"{language}-{domain}" for language, domain in CATALOGUES]

needs_gettext = pytest.mark.skipif(
    not shutil.which("msgfmt") or not shutil.which("xgettext"),
    reason="needs GNU gettext (apt-get install gettext)",
)


@needs_gettext
@pytest.mark.parametrize(("language", "domain"), CATALOGUES, ids=IDS)
def test_every_message_is_translated_and_none_is_fuzzy(language, domain):
    path = catalogue(language, domain)
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr
    # "558 translated messages, 2 fuzzy translations, 3 untranslated messages."
    statistics = result.stderr.strip().splitlines()[-1]
    counts = {
        kind: int(number)
        for number, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", statistics)
    }
    assert counts.get("translated", 0) > 0, statistics
    untranslated = [m.msgid for m in read(path) if not all(m.translations)]
    fuzzy = [m.msgid for m in read(path) if "fuzzy" in m.flags]
    assert counts.get("untranslated", 0) == 0, f"{statistics} {path}: {untranslated[:20]}"
    assert counts.get("fuzzy", 0) == 0, f"{statistics} {path}: {fuzzy[:20]}"


def _make_messages_commands() -> list[list[str]]:
    """The makemessages command lines of the Makefile's `messages` target, their make
    variables filled in, from "makemessages" on: the test follows the Makefile."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    variables = dict(re.findall(r"^([A-Z_]+)\s*:?=\s*(.*)$", text, re.MULTILINE))
    recipe = re.search(r"^messages:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert recipe, "no `messages` target in the Makefile"
    commands = []
    for line in recipe[1].splitlines():
        if "makemessages" not in line:
            continue
        line = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m[1], m[0]), line)
        words = shlex.split(line)
        commands.append(words[words.index("makemessages") :])
    assert len(commands) == len(DOMAINS), commands
    return commands


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """`make messages` run today, into an empty locale/ of a scratch directory whose other
    entries are links to the project's: the repository's catalogues are not touched."""
    before = {path: path.read_bytes() for path in LOCALE.glob("*/LC_MESSAGES/*.po")}
    scratch = tmp_path_factory.mktemp("messages")
    for entry in ROOT.iterdir():
        if entry.name != "locale" and not entry.name.startswith("."):
            (scratch / entry.name).symlink_to(entry)
    (scratch / "locale").mkdir()
    for command in _make_messages_commands():
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command, "--symlinks", "-v0"],
            cwd=scratch,
            check=True,
            capture_output=True,
        )
    after = {path: path.read_bytes() for path in LOCALE.glob("*/LC_MESSAGES/*.po")}
    assert after == before, "collecting the messages changed the repository's catalogues"
    return scratch / "locale"


@needs_gettext
@pytest.mark.parametrize(("language", "domain"), CATALOGUES, ids=IDS)
def test_the_catalogue_holds_what_make_messages_collects_today(collected, language, domain):
    today = {message.key for message in read(catalogue(language, domain, root=collected))}
    committed = {message.key for message in read(catalogue(language, domain))}

    missing = sorted(today - committed, key=str)
    stale = sorted(committed - today, key=str)
    assert today, "makemessages collected nothing"
    assert not missing, (
        f"{len(missing)} marked strings are not in {catalogue(language, domain)} "
        f"(run `make messages` and translate them): {missing[:15]}"
    )
    assert not stale, (
        f"{len(stale)} messages of {catalogue(language, domain)} are no longer in the code "
        f"(run `make messages`): {stale[:15]}"
    )
