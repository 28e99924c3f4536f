"""mkdocs hook: the site knows its version and, when it is given one, its repository.

``mkdocs.yml`` reads ``repo_url``, ``edit_uri`` and ``site_url`` from the
environment (``AUTOGRAD_LITE_REPO_URL``, ``AUTOGRAD_LITE_EDIT_URI``,
``AUTOGRAD_LITE_SITE_URL``; the Pages workflow sets them from the GitHub
context).  Built without them, the site has no repository link, no "edit this
page" link and no Colab button, and no page links to a repository it does not
know.

* The footer shows the library's version (``autograd_lite.__version__``, the
  one place it is written), from ``config.extra.library_version``
  (``overrides/partials/copyright.html``).
* A page can hold Markdown for each case between HTML comments, each on a line
  of its own::

      <!-- with-repository -->
      git clone {repo_url}.git
      <!-- end-with-repository -->
      <!-- without-repository -->
      From your clone of the book's repository:
      <!-- end-without-repository -->

  The first block is kept when the repository is known, with ``{repo_url}``
  (no trailing slash) and ``{repo_dir}`` (the folder ``git clone`` makes)
  filled in; the second when it is not.  ``{version}`` is filled in, in both.
  A marker left unclosed fails the build.
"""

from __future__ import annotations

import re

import autograd_lite

BLOCK = re.compile(
    r"^[ \t]*<!-- (?P<kind>with|without)-repository -->[ \t]*\n"
    r"(?P<body>.*?)"
    r"^[ \t]*<!-- end-(?P=kind)-repository -->[ \t]*(?:\n|\Z)",
    re.M | re.S,
)
ANY_MARKER = re.compile(r"<!-- (?:end-)?with(?:out)?-repository -->")


class RepositoryBlockError(ValueError):
    pass


def repository_blocks(markdown: str, repo_url: str | None, version: str, where: str = "") -> str:
    """Keep the ``with-repository`` or ``without-repository`` blocks of a page, filled in."""
    repo_url = (repo_url or "").rstrip("/") or None
    values = {"version": version}
    if repo_url:
        values["repo_url"] = repo_url
        values["repo_dir"] = re.sub(r"\.git$", "", repo_url.rsplit("/", 1)[-1])

    def fill(match: re.Match) -> str:
        keep = (match["kind"] == "with") == bool(repo_url)
        if not keep:
            return ""
        return re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], m[0]), match["body"])

    result = BLOCK.sub(fill, markdown)
    left = ANY_MARKER.search(result)
    if left:
        line = result[: left.start()].count("\n") + 1
        raise RepositoryBlockError(
            f"{where or 'page'}: line {line}: {left[0]} has no matching end marker. "
            "Each block opens with <!-- with-repository --> (or without-) on a line of its own "
            "and closes with <!-- end-with-repository --> (or end-without-) on a line of its own."
        )
    return result


def on_config(config):
    config.extra["library_version"] = autograd_lite.__version__
    return config


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri.endswith(".ipynb"):
        return markdown
    return repository_blocks(
        markdown, config.repo_url, autograd_lite.__version__, where=f"docs/{page.file.src_uri}"
    )
