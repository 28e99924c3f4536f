"""mkdocs hook: every section of the navigation has a name a screen reader can say.

Material names a section's ``<nav>`` after the ``<label>`` that opens and closes it
(``aria-labelledby``).  A section with an index page (``navigation.indexes``: the API reference)
shows its title as a link to that page, and its label holds only an arrow icon, so the section's
navigation had no name at all (axe-core: ``landmark-unique``, on every page).  This hook puts the
section's title into such a label as text only screen readers read (``.al-visually-hidden`` in
``docs/stylesheets/extra.css``); the page looks the same.  Every page gets it: the chapters,
the 404 page (a template) and the print version (written when the build ends).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from mkdocs.plugins import event_priority

# A toggle label holding only the arrow icon, for section ``path``.
ICON_ONLY_LABEL = re.compile(
    r'(?P<open><label class="md-nav__link[^"]*" for="(?P<path>__nav_[\d_]+)" id="(?P=path)_label"'
    r' tabindex="[^"]*">)(?P<icon>\s*<span class="md-nav__icon md-icon"></span>\s*</label>)'
)
# The title Material writes at the top of a section's <nav> (shown on phones).
SECTION_TITLE = re.compile(
    r'<label class="md-nav__title" for="(?P<path>__nav_[\d_]+)">\s*'
    r'<span class="md-nav__icon md-icon"></span>(?P<title>[^<]*)</label>'
)


def name_icon_only_sections(page_html: str) -> str:
    """The page with each icon-only section label given its section's title as hidden text."""
    titles = {m["path"]: " ".join(html.unescape(m["title"]).split()) for m in SECTION_TITLE.finditer(page_html)}

    def named(match: re.Match) -> str:
        title = titles.get(match["path"])
        if not title:
            return match[0]
        return f'{match["open"]}<span class="al-visually-hidden">{html.escape(title)}</span>{match["icon"]}'

    return ICON_ONLY_LABEL.sub(named, page_html)


def on_post_page(output: str, page, config) -> str:
    return name_icon_only_sections(output)


def on_post_template(output_content: str, template_name: str, config) -> str:
    """The 404 page, which mkdocs renders as a template, not as a page."""
    return name_icon_only_sections(output_content)


@event_priority(-100)  # after mkdocs-print-site-plugin has written the print version
def on_post_build(config) -> None:
    """The print version, which mkdocs-print-site-plugin writes when the build ends."""
    for printed in Path(config["site_dir"]).glob("print_page/index.html"):
        printed.write_text(name_icon_only_sections(printed.read_text(encoding="utf-8")), encoding="utf-8")
