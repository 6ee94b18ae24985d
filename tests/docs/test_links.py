"""The documents' links: no relative link to a missing file or heading, and no document under
docs/ that a reader of the README cannot reach (directly, or through docs/decisions/README.md).

External links are not checked: the tests run without a network."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.doc_links import anchors, problems, slug, unlinked

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCUMENTS = sorted((ROOT / "docs").rglob("*.md"))


def test_every_relative_link_of_the_readme_and_the_docs_reaches_its_file_and_heading() -> None:
    # Given the README and every Markdown document under docs/
    pages = [README, *DOCUMENTS]

    # When their relative links are followed
    found = problems(pages, ROOT)

    # Then each names a file that exists, and an anchor its target has
    assert found == []


def test_every_document_under_docs_is_reachable_from_the_readme() -> None:
    # Given the documents under docs/
    # When the README's links are followed, and its index's
    missing = unlinked(README, DOCUMENTS)

    # Then none is left out
    assert [str(doc.relative_to(ROOT)) for doc in missing] == []


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("The API", "the-api"),
        ("Issue 12's targets", "issue-12s-targets"),
        ("`Prefer: wait` instead of only polling", "prefer-wait-instead-of-only-polling"),
        ("Retries, duplicates and failures", "retries-duplicates-and-failures"),
        (
            "The dev loop: what `make up` skips, and hot reload",
            "the-dev-loop-what-make-up-skips-and-hot-reload",
        ),
        ("[Webhooks](webhooks.md) and *more*", "webhooks-and-more"),
        ("make_test_fresh_clone", "make_test_fresh_clone"),
    ],
)
def test_a_heading_gets_githubs_anchor(heading: str, anchor: str) -> None:
    # Given a heading's Markdown text
    # When its anchor is made
    # Then it is GitHub's: lower case, punctuation but - and _ removed, spaces to -
    assert slug(heading) == anchor


def test_a_repeated_heading_gets_a_numbered_anchor(tmp_path: Path) -> None:
    # Given a page with the same heading twice, and one inside a code block
    page = tmp_path / "page.md"
    page.write_text("# Notes\n\n## Notes\n\n```\n# Not a heading\n```\n")

    # When its anchors are read
    # Then the second is numbered, and the code block has none
    assert anchors(page) == {"notes", "notes-1"}


def test_the_check_finds_a_missing_file_a_missing_heading_and_an_orphan(tmp_path: Path) -> None:
    # Given a README with a link to a missing file, one to a missing heading, one external,
    # one in a code span, one to a folder, and a docs folder with a page it never links to
    (tmp_path / "docs" / "decisions").mkdir(parents=True)
    (tmp_path / "docs" / "api.md").write_text("# The API\n\n## Errors\n")
    (tmp_path / "docs" / "orphan.md").write_text("# Orphan\n")
    (tmp_path / "docs" / "decisions" / "README.md").write_text("[one](one.md)\n")
    (tmp_path / "docs" / "decisions" / "one.md").write_text("# One\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "[api](docs/api.md#errors) [gone](docs/gone.md) [bad](docs/api.md#nowhere)\n"
        "[web](https://example.com/x.md) `[code](docs/code.md)` [folder](docs/)\n"
        "[decisions](docs/decisions/README.md) [self](#top)\n\n# Top\n"
    )
    documents = sorted((tmp_path / "docs").rglob("*.md"))

    # When the links are checked
    found = problems([readme, *documents], tmp_path)
    missing = unlinked(readme, documents)

    # Then the missing file and heading are named with their line, and only the page that no
    # link reaches (not the one the decisions' index links) is left out
    assert found == [
        "README.md:1: docs/gone.md: no such file: docs/gone.md",
        "README.md:1: docs/api.md#nowhere: no heading #nowhere in api.md",
    ]
    assert missing == [tmp_path / "docs" / "orphan.md"]
