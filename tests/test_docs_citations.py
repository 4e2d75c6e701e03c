"""Code cites the repository's own docs by anchor (docs/architecture.md#changing-it); every
cited file and anchor must exist, and nothing cites a file a clone does not have."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"docs/([a-z]+\.md)(?:#([a-z0-9_-]+))?")


def _tracked_sources() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py", "*.html", "*.js", "*.toml", "Makefile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def _anchors(doc: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    anchors = set()
    for line in doc.read_text().splitlines():
        if match := re.match(r"#+ (.+)", line):
            text = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower().replace("`", ""))
            anchors.add(text.replace(" ", "-"))
    return anchors


def test_every_cited_doc_and_anchor_exists():
    missing = []
    for source in _tracked_sources():
        for number, line in enumerate(source.read_text().splitlines(), 1):
            for name, anchor in CITATION.findall(line):
                doc = ROOT / "docs" / name
                if not doc.exists() or (anchor and anchor not in _anchors(doc)):
                    where = f"{source.relative_to(ROOT)}:{number}"
                    missing.append(f"{where} docs/{name}#{anchor}")
    assert missing == []


def test_no_code_cites_a_file_outside_the_repository():
    citing = [
        str(source.relative_to(ROOT))
        for source in _tracked_sources()
        if "DESIGN" + ".md" in source.read_text()
    ]
    assert citing == []
