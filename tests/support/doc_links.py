"""The relative links of the repository's Markdown: each to a file that exists, each anchor to
a heading its target has, and every document reachable from the README.

Anchors follow GitHub's rule for heading ids, as its html-pipeline TableOfContentsFilter
writes them (lib/html/pipeline/toc_filter.rb): the heading's text, lower-cased, with every
character but letters, digits, `_`, `-` and spaces removed, spaces turned into `-`, and
`-1`, `-2`, ... after a repeated one. External links (with a scheme) are not checked: the
tests run without a network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"`+[^`]*`+")
# [text](target) and ![alt](target), the target up to a space (a title may follow) or ")".
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# [label]: target
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Link:
    source: Path
    line: int
    target: str


def _prose_lines(text: str, *, code_spans: bool = False) -> Iterator[tuple[int, str]]:
    """The lines outside fenced code blocks; inline code spans blanked unless asked for."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line if code_spans else CODE_SPAN.sub("", line)


def links(path: Path) -> list[Link]:
    found = []
    for number, line in _prose_lines(path.read_text(encoding="utf-8")):
        for match in [*INLINE_LINK.finditer(line), *REFERENCE.finditer(line)]:
            found.append(Link(path, number, match.group(1)))
    return found


def slug(heading: str) -> str:
    """GitHub's id for a heading with this (Markdown) text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"[`*]|(?<!\w)_|_(?!\w)", "", text)  # code and emphasis marks
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The ids of the headings of a Markdown file."""
    seen: dict[str, int] = {}
    ids = set()
    for _, line in _prose_lines(path.read_text(encoding="utf-8"), code_spans=True):
        heading = HEADING.match(line)
        if heading is None:
            continue
        name = slug(heading.group(2))
        count = seen.get(name, 0)
        seen[name] = count + 1
        ids.add(f"{name}-{count}" if count else name)
    return ids


def _is_local(target: str) -> bool:
    return not SCHEME.match(target) and not target.startswith("//")


def _resolve(link: Link) -> tuple[Path, str]:
    """The file a relative link names (its own file for `#anchor`), and its anchor."""
    where, _, anchor = link.target.partition("#")
    target = link.source if not where else (link.source.parent / where).resolve()
    return target, anchor


def broken(link: Link) -> str | None:
    """What is wrong with a link, or None."""
    if not _is_local(link.target):
        return None
    target, anchor = _resolve(link)
    if not target.exists():
        return f"no such file: {link.target}"
    if anchor and target.suffix == ".md" and anchor not in anchors(target):
        return f"no heading #{anchor} in {target.name}"
    return None


def problems(files: Iterable[Path], root: Path) -> list[str]:
    """Every broken relative link in `files`, as `path:line: target: what`."""
    found = []
    for path in files:
        for link in links(path):
            what = broken(link)
            if what is not None:
                where = path.relative_to(root)
                found.append(f"{where}:{link.line}: {link.target}: {what}")
    return found


def reachable(readme: Path, index_name: str = "README.md") -> set[Path]:
    """The Markdown files the README links to, and those an index it links to (a README.md
    in a folder, such as docs/decisions/README.md) links to in turn."""
    seen: set[Path] = set()
    pending = [readme]
    while pending:
        page = pending.pop()
        for link in links(page):
            if not _is_local(link.target):
                continue
            target, _ = _resolve(link)
            if target.suffix != ".md" or target in seen or not target.exists():
                continue
            seen.add(target)
            if target.name == index_name:
                pending.append(target)
    return seen


def unlinked(readme: Path, documents: Iterable[Path]) -> list[Path]:
    """The documents neither the README nor an index it links to links to."""
    linked = reachable(readme.resolve())
    return sorted(doc for doc in documents if doc.resolve() not in linked)
