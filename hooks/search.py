"""mkdocs hook: keep the API reference's source listings out of the search index.

Material's search index is one file every page loads (``search/search_index.json``).
The API pages show each function's source in a collapsed "Source code in ..."
block; indexed, those listings made up over a third of the index (about 0.3 MB
of 0.84 MB) while a search for a name still finds its documented entry.
Material skips any element marked ``data-search-exclude``, so the hook marks
those blocks (``hooks/pictures.py`` marks its pictures the same way: their
words repeat the page's prose).
"""

from __future__ import annotations

SOURCE_BLOCK = '<details class="mkdocstrings-source">'


def exclude_source_from_search(html: str) -> str:
    return html.replace(SOURCE_BLOCK, SOURCE_BLOCK[:-1] + " data-search-exclude>")


def on_page_content(html, page, config, files):
    return exclude_source_from_search(html)
