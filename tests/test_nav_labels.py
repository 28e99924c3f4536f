"""hooks/nav_labels.py: every section of the navigation has a name a screen reader can say."""

from __future__ import annotations

import re

import pytest

from hooks.nav_labels import name_icon_only_sections
from site_build import SITE, html_pages, wait_for_the_build

# What Material 9.x writes for a section with an index page (the API reference), trimmed:
# the title is a link, the label that opens the section holds only the arrow.
SECTION_WITH_INDEX = """
<div class="md-nav__link md-nav__container">
  <a href="../reference/" class="md-nav__link "><span class="md-ellipsis">API reference</span></a>
  <label class="md-nav__link " for="__nav_8" id="__nav_8_label" tabindex="">
    <span class="md-nav__icon md-icon"></span>
  </label>
</div>
<nav class="md-nav" data-md-level="1" aria-labelledby="__nav_8_label" aria-expanded="false">
  <label class="md-nav__title" for="__nav_8">
    <span class="md-nav__icon md-icon"></span>
      Reference &amp; API
  </label>
</nav>
"""
# A section without an index page: its label already says its title.
PLAIN_SECTION = """
<label class="md-nav__link" for="__nav_7" id="__nav_7_label" tabindex="0">
  <span class="md-ellipsis">Notebooks</span>
  <span class="md-nav__icon md-icon"></span>
</label>
<nav class="md-nav" data-md-level="1" aria-labelledby="__nav_7_label" aria-expanded="false">
  <label class="md-nav__title" for="__nav_7">
    <span class="md-nav__icon md-icon"></span>
    Notebooks
  </label>
</nav>
"""


def unnamed_sections(page_html: str) -> list[str]:
    """The ids of the labels naming a <nav> (aria-labelledby) that hold no text."""
    unnamed = []
    for label_id in re.findall(r'<nav class="md-nav"[^>]* aria-labelledby="([^"]+)"', page_html):
        label = re.search(rf'<label [^>]*id="{re.escape(label_id)}"[^>]*>(.*?)</label>', page_html, re.S)
        if label is None or not re.sub(r"<[^>]*>", "", label[1]).strip():
            unnamed.append(label_id)
    return unnamed


def test_an_icon_only_section_label_gets_its_title_as_hidden_text():
    assert unnamed_sections(SECTION_WITH_INDEX) == ["__nav_8_label"]  # the mistake the hook fixes
    named = name_icon_only_sections(SECTION_WITH_INDEX)
    assert unnamed_sections(named) == []
    assert '<span class="al-visually-hidden">Reference &amp; API</span>' in named
    # Nothing else changes: remove the added text and the page is as it was.
    assert named.replace('<span class="al-visually-hidden">Reference &amp; API</span>', "") == SECTION_WITH_INDEX


def test_a_label_that_says_its_title_is_left_as_it_is():
    assert name_icon_only_sections(PLAIN_SECTION) == PLAIN_SECTION
    assert unnamed_sections(PLAIN_SECTION) == []


def test_every_navigation_section_of_the_built_site_has_a_name():
    if not wait_for_the_build() and not (SITE / "sitemap.xml").exists():
        pytest.fail("site/ is not built: run `python3 dev.py test`, which builds it.", pytrace=False)
    pages = html_pages(SITE)
    problems = {p.relative_to(SITE).as_posix(): unnamed_sections(p.read_text(encoding="utf-8")) for p in pages}
    assert len(pages) > 30
    assert not {page: ids for page, ids in problems.items() if ids}
