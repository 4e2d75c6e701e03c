"""Proposing a mapping for another tool's header: the saved presets and the known ones
(presets.py) that fit it, then name similarity for the columns still open. Its own module so
that the import graph has no circle: mapping ← presets ← proposal."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from imports.mapping import (
    COLUMN_THRESHOLD,
    DEFAULT_CONSTANTS,
    SYNONYMS,
    Mapping,
    _key,
    _similarity,
    our_columns,
)


@dataclass(frozen=True)
class Proposal:
    """What `propose` found for a header, for the user to confirm or correct."""

    mapping: Mapping
    # the saved or known preset the header fits, or None when matched by name only
    preset_name: str | None
    # their headers nothing reads, in file order
    unmapped_their_columns: tuple[str, ...]
    # our required columns nothing fills: the user maps them or gives a constant
    missing_required: tuple[str, ...]
    # their headers that appear more than once: a row cannot tell them apart, so they are
    # never mapped
    duplicated_their_columns: tuple[str, ...] = ()


def _resolve(mapping: Mapping, keys: dict[str, str]) -> Mapping | None:
    """The mapping with its headers spelt as in this file, dropping what reads a header the
    file lacks; None when a required column of ours would be lost. A header "Activity -
    Subject" also fits a file's "Subject" (exports with and without the entity prefix)."""

    def find(header: str) -> str | None:
        if (found := keys.get(_key(header))) is not None:
            return found
        if " - " in header:
            return keys.get(_key(header.split(" - ", 1)[1]))
        return None

    required, _ = our_columns(mapping.kind)
    columns, joins, overrides, only_if = {}, {}, {}, {}
    for ours, theirs in mapping.columns.items():
        if (found := find(theirs)) is not None:
            columns[ours] = found
        elif ours in required:
            return None
    for ours, parts in mapping.joins.items():
        found_parts = [find(p) for p in parts]
        if ours in required and None in found_parts:
            return None
        if present := tuple(p for p in found_parts if p is not None):
            joins[ours] = present
    for ours, (theirs, value_map) in mapping.overrides.items():
        if (found := find(theirs)) is not None:
            overrides[ours] = (found, value_map)
    for ours, (theirs, allowed) in mapping.only_if.items():
        if (found := find(theirs)) is not None:
            only_if[ours] = (found, allowed)
        else:  # cannot tell when the column applies: better without it
            columns.pop(ours, None)
            joins.pop(ours, None)
    ignored = tuple(found for h in mapping.ignored if (found := find(h)) is not None)
    return replace(
        mapping,
        values={k: dict(v) for k, v in mapping.values.items()},  # the preset's stay as they are
        columns=columns,
        joins=joins,
        overrides=overrides,
        only_if=only_if,
        ignored=ignored,
    )


def propose(
    kind: str,
    header: list[str],
    saved: Iterable[tuple[str, Mapping]] = (),
) -> Proposal:
    """A mapping for a file with this header. First the saved presets (the user's) and the
    known ones (HubSpot, Pipedrive, Salesforce) that fit: every header their required
    columns read is in the file; of those the one reading the most headers, a saved one on
    a tie. Then, for our columns still unfilled, the most similar remaining header by name
    and synonyms. A header is never taken by two columns through similarity, and never
    when it appears twice in the file."""
    required, optional = our_columns(kind)
    cleaned = [h.strip() for h in header]
    counts = Counter(cleaned)
    duplicated = tuple(dict.fromkeys(h for h in cleaned if h and counts[h] > 1))
    usable = [h for h in dict.fromkeys(cleaned) if h and counts[h] == 1]
    keys: dict[str, str] = {}
    for h in usable:
        keys.setdefault(_key(h), h)

    # On first use, not at import: the known presets are checked against the importers
    # the apps register in their ready(), which this module may be imported before.
    from imports.presets import PRESETS

    known = [(name, kinds[kind]) for name, kinds in PRESETS.items() if kind in kinds]
    best: tuple[int, int, str, Mapping] | None = None
    candidates = [(0, n, m) for n, m in saved] + [(1, n, m) for n, m in known]
    for order, name, candidate in candidates:
        if candidate.kind != kind or (resolved := _resolve(candidate, keys)) is None:
            continue
        score = len(resolved.sources)
        if score and (best is None or (score, -order) > (best[0], -best[1])):
            best = (score, order, name, resolved)
    preset_name = best[2] if best else None
    mapping = best[3] if best else Mapping(kind=kind)

    taken = set(mapping.sources) | set(mapping.ignored)
    open_columns = [c for c in required + optional if c not in mapping.mapped]
    pairs = []
    for column in open_columns:
        synonyms = SYNONYMS[kind].get(column, ())
        for h in usable:
            if h not in taken:
                # Our own name beats a synonym: "Owner email" is owner_email before "Owner".
                score = max(
                    1.01 if _key(h) == _key(column) else 0,
                    *(_similarity(_key(h), n) for n in synonyms),
                    _similarity(_key(h), _key(column)),
                )
                if score >= COLUMN_THRESHOLD:
                    # required columns first on a tie, then our column order
                    pairs.append((-score, column not in required, open_columns.index(column), h))
    columns = dict(mapping.columns)
    for _, _, index, h in sorted(pairs):
        column = open_columns[index]
        if column not in columns and h not in taken:
            columns[column] = h
            taken.add(h)
    constants = dict(mapping.constants)
    for column, value in DEFAULT_CONSTANTS.get(kind, {}).items():
        if column not in columns and column not in mapping.joins:
            constants.setdefault(column, value)
    mapping = replace(mapping, columns=columns, constants=constants)
    return Proposal(
        mapping=mapping,
        preset_name=preset_name,
        unmapped_their_columns=tuple(h for h in usable if h not in mapping.sources),
        missing_required=tuple(c for c in required if c not in mapping.mapped),
        duplicated_their_columns=duplicated,
    )
