"""The site as readers use it, proved in a real browser (headless Debian Chromium).

``python3 dev.py test`` builds ``site/`` (while the tests that need no site run)
and these tests wait for it, then check every HTML page of it, served from
127.0.0.1.  Each page is visited once, in one browser tab that moves through
three screen sizes and both themes (loading a page is most of what a visit
costs).  For each page:

* it loads with no console error, no uncaught exception and no failed request,
  and no request leaves 127.0.0.1 (every other host is refused and reported);
* every maths expression is rendered by KaTeX, with no raw ``$...$``,
  ``\\(...\\)`` or ``$$`` left in the text;
* every picture (graphs and broadcasting, inline SVGs drawn by
  ``autograd_lite.draw`` at build time) is drawn with a title and words, and
  no page asks for Mermaid;
* the page loads at most PAGE_WEIGHT_LIMIT bytes, decoded (chapters 1-9:
  1.7 MB, chapter 10: 2.5 MB), each page's figure listed in the summary;
* the copy button of every ``pycon`` block is clicked; what lands on the
  clipboard has no prompts and no outputs, equals what the notebooks get
  (``hooks.notebooks.pycon_to_code``), and, pasted block after block into one
  fresh Python REPL with autograd_lite installed, raises exactly the exception
  the page's traceback shows and nothing anywhere else;
* a chapter's "download notebook" link answers 200 with a valid notebook, and
  the chapter states its learning objectives and has a previous/next footer;
* a full-page screenshot is saved under ``$AUTOGRAD_LITE_SCREENSHOTS``
  (``test-artifacts/screenshots`` by default) for a person to look at.

* every picture is visible and readable on a desktop and a phone (390x844) in
  both themes, pictures inside a collapsed block or tab once a reader's click
  opens them; printed, every picture has a size; a chapter's backward frames
  are stepped through by keyboard on a desktop and a phone;
* axe-core finds no violation in either theme (of any impact), and at
  phone and tablet sizes nothing sticks out of the screen.

Plus the dark theme toggles, the theme follows the reader's system setting,
search answers a query offline, the print version printed to PDF holds every
chapter, and a chapter's downloaded notebook shows its graph in Jupyter's own
HTML.

Without ``/usr/bin/chromium`` the tests are skipped with a reason saying they
did not run; with ``CI=true`` a missing browser fails them.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from hooks.notebooks import expected_exceptions, is_chapter, pycon_examples, pycon_to_code
from site_build import SITE, html_pages, page_of, wait_for_the_build

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("AUTOGRAD_LITE_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(
    os.environ.get("AUTOGRAD_LITE_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots")
)
REPL_PASTE = Path(__file__).resolve().parent / "repl_paste.py"
# The whole book on one page, made by mkdocs-print-site-plugin (mkdocs.yml).
PRINT_PAGE = "print_page/index.html"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Sources the built site depends on: newer than the build means site/ is stale.
SOURCES = ["docs", "hooks", "overrides", "autograd_lite", "mkdocs.yml"]
# Decoded bytes a page may load (the HTML, scripts, styles, fonts, the search index):
# chapters 1-9 1.7 MB, chapter 10 (a notebook with its plots) 2.5 MB, other pages 2.5 MB.
PAGE_WEIGHT_LIMITS = [(re.compile(r"^0[1-9]-"), 1_700_000), (re.compile(r"^10-"), 2_500_000)]
PAGE_WEIGHT_DEFAULT = 2_500_000


def site_pages() -> list[str]:
    """Every HTML page the site has, as a path relative to site/: one per page of docs/, the 404
    page and the print version.  Read from the sources, so the tests are known before the site
    is built (dev.py builds it while other tests run); test_the_site_has_exactly_these_pages
    checks the build against it."""
    docs = ROOT / "docs"
    sources = sorted(
        path.relative_to(docs).as_posix() for pattern in ("*.md", "*.ipynb") for path in docs.rglob(pattern)
        if ".ipynb_checkpoints" not in path.parts
    )
    return sorted(["404.html", PRINT_PAGE] + [page_of(source) for source in sources])


def built_pages() -> list[str]:
    """Every HTML page of the built site (404.html included)."""
    return sorted(path.relative_to(SITE).as_posix() for path in html_pages(SITE))


def page_url(relative: str) -> str:
    return relative[: -len("index.html")] if relative.endswith("index.html") else relative


def source_of(relative: str) -> str | None:
    """docs/ source name of a built page (use_directory_urls layout)."""
    if relative == "index.html":
        return "index.md"
    if relative.endswith("/index.html"):
        stem = relative[: -len("/index.html")]
        for candidate in (f"{stem}.md", f"{stem}/index.md", f"{stem}.ipynb"):
            if (ROOT / "docs" / candidate).exists():
                return candidate
    return None


def stale_sources() -> list[str]:
    built = (SITE / "sitemap.xml").stat().st_mtime
    newer = []
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if "__pycache__" in file.parts or file.suffix == ".pyc":
                continue
            if file.stat().st_mtime > built:
                newer.append(str(file.relative_to(ROOT)))
    return newer


# ------------------------------------------------------------------ the report


class BrowserReport:
    """Counts what the browser tests checked; printed at the end of the test run."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(
            [
                "pages",
                "copy buttons clicked",
                "tracebacks shown and raised",
                "graph pictures",
                "broadcasting pictures",
                "jacobian pictures",
                "backward frames stepped through by keyboard",
                "pictures checked at two widths in two themes",
                "pictures opened from a collapsed block or tab",
                "pictures printed",
                "maths expressions",
                "notebook downloads",
                "notebook outputs rendered",
                "screenshots",
            ],
            0,
        )
        self.external: list[str] = []
        self.weights: dict[str, int] = {}

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] += n

    def pytest_sessionfinish(self, session):
        # Under pytest-xdist this runs in a worker: hand what it counted to the main
        # process, which adds up every worker's report and prints it (conftest.py).
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput["browser_report"] = dict(vars(self), accessibility=ACCESSIBILITY.state())

    @classmethod
    def merged(cls, states: list[dict]) -> "BrowserReport":
        """One report adding up several workers' (numbers summed, lists joined, dicts merged)."""
        total = cls()
        for state in states:
            ACCESSIBILITY.add_state(state.pop("accessibility", {}))
            for name, value in state.items():
                mine = getattr(total, name)
                if isinstance(value, dict):
                    for key, item in value.items():
                        numbers = isinstance(item, (int, float)) and key in mine
                        mine[key] = mine[key] + item if numbers else item
                elif isinstance(value, list):
                    mine.extend(value)
                else:
                    setattr(total, name, mine + value)
        return total

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.write_sep("-", "browser tests (headless Chromium)")
        terminalreporter.write_line(
            ", ".join(f"{n} {key}" for key, n in self.counts.items())
        )
        for line in ACCESSIBILITY.lines():
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"screenshots: {SCREENSHOTS}")
        if self.weights:
            terminalreporter.write_line(
                "decoded bytes loaded per page (MB): "
                + ", ".join(f"{page} {size / 1e6:.2f}" for page, size in sorted(self.weights.items()))
            )
        if self.external:
            terminalreporter.write_line(
                "refused requests to other hosts: " + ", ".join(sorted(set(self.external)))
            )


# ------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def report(request):
    plugin = BrowserReport()
    request.config.pluginmanager.register(plugin, "autograd_lite_browser_report")
    return plugin


@pytest.fixture(scope="session")
def browser():
    problem = None
    if not CHROMIUM.exists():
        problem = (
            f"browser tests NOT RUN: no Chromium at {CHROMIUM}. Install Debian's build "
            "(apt-get install chromium) to run them."
        )
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            problem = "browser tests NOT RUN: the python package playwright is not installed."
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem + " In CI (CI=true) a missing browser is a failure.", pytrace=False)
        pytest.skip(problem)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def server(browser):
    just_built = wait_for_the_build()
    if not (SITE / "sitemap.xml").exists():
        pytest.fail(
            "site/ is not built: run `python3 dev.py test` (it builds the site, then runs pytest), "
            "or `NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict` first.",
            pytrace=False,
        )
    # `python3 dev.py test` builds site/ right before pytest and says so; otherwise any source
    # newer than the build means the tests would check a site the sources no longer make.
    just_built = just_built or os.environ.get("AUTOGRAD_LITE_SITE_BUILD") == str(
        (SITE / "sitemap.xml").stat().st_mtime_ns
    )
    stale = [] if just_built else stale_sources()
    if stale:
        pytest.fail(
            "site/ is older than its sources, so these tests would check a stale site: "
            + ", ".join(stale[:8])
            + (" ..." if len(stale) > 8 else "")
            + ". Rebuild it: `python3 dev.py test` does both.",
            pytrace=False,
        )

    # Built with AUTOGRAD_LITE_SITE_URL (the Pages workflow), the 404 page links its assets from
    # that address's path (/REPO/assets/...), as GitHub Pages serves them: serve the site there too.
    prefix = urlsplit(os.environ.get("AUTOGRAD_LITE_SITE_URL", "")).path.rstrip("/")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            if prefix and (path + "/").startswith(prefix + "/"):
                path = path[len(prefix):] or "/"
            return super().translate_path(path)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(SITE))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


class Watched:
    """A page in a fresh browser context, with every problem it reports recorded."""

    def __init__(self, browser, server: str, report: BrowserReport):
        self.problems: list[str] = []
        self.server = server
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, color_scheme="light"
        )
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.rstrip("/"))
        self.context.route("**/*", self._route)
        self.report = report
        self.page = self.context.new_page()
        self.responses = []
        self.page.on("response", lambda response: self.responses.append(response))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        self.page.on(
            "requestfailed",
            lambda request: self.problems.append(f"request failed: {request.url} ({request.failure})"),
        )
        self.page.on(
            "response",
            lambda response: response.status >= 400
            and self.problems.append(f"HTTP {response.status}: {response.url}"),
        )

    def _route(self, route):
        host = urlsplit(route.request.url).hostname
        if host != "127.0.0.1":
            # No exception, not even with a repo_url: overrides/partials/source.html keeps
            # Material's repository link from asking api.github.com for stars.
            self.problems.append(f"request to another host refused: {route.request.url}")
            self.report.external.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def _console(self, message):
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        self.problems.append(f"console error: {message.text} ({source})" if source else f"console error: {message.text}")

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser, server, report):
    watched = Watched(browser, server, report)
    yield watched
    watched.close()


# ------------------------------------------------------------------ page checks

WAIT_FOR_RENDERING = """() => {
  const maths = [...document.querySelectorAll('.arithmatex')];
  return maths.every(m => m.querySelector('.katex'));
}"""

MATHS_REPORT = """() => {
  const rendered = [...document.querySelectorAll('.katex')]
    .filter(k => !k.parentElement.closest('.katex')).length;
  const unrendered = [...document.querySelectorAll('.arithmatex')]
    .filter(m => !m.querySelector('.katex')).map(m => m.textContent.slice(0, 60));
  const errors = [...document.querySelectorAll('.katex-error')].map(e => e.textContent.slice(0, 60));
  const article = document.querySelector('article') || document.body;
  const copy = article.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, .katex, svg').forEach(e => e.remove());
  const text = copy.textContent;
  const raw = [];
  for (const pattern of [/\\\\\\(.*?\\\\\\)/s, /\\\\\\[.*?\\\\\\]/s, /\\$\\$.*?\\$\\$/s, /\\$[^$\\s][^$]*?\\$/s]) {
    const match = text.match(pattern);
    if (match) raw.push(match[0].slice(0, 60));
  }
  return { rendered, unrendered, errors, raw };
}"""

# Opens every collapsible block and selects every tab around an element, as a reader would.
OPEN_AROUND = """(el) => {
  for (let node = el; node; node = node.parentElement) {
    if (node.tagName === 'DETAILS') node.open = true;
    if (node.classList && node.classList.contains('tabbed-block')) {
      const set = node.closest('.tabbed-set');
      const index = [...node.parentElement.children].indexOf(node);
      const input = set.querySelectorAll(':scope > input')[index];
      if (input && !input.checked) { input.checked = true; input.dispatchEvent(new Event('change')); }
    }
  }
}"""
# The same, then the element scrolled to the middle of the screen.
REVEAL = """(el) => { (""" + OPEN_AROUND + """)(el); el.scrollIntoView({ block: 'center' }); }"""


def check_maths(watched: Watched) -> None:
    result = watched.page.evaluate(MATHS_REPORT)
    for text in result["unrendered"]:
        watched.problems.append(f"maths not rendered: {text!r}")
    for text in result["errors"]:
        watched.problems.append(f"KaTeX error: {text!r}")
    for text in result["raw"]:
        watched.problems.append(f"raw maths delimiters left in the text: {text!r}")
    watched.report.add("maths expressions", result["rendered"])


PICTURES = "svg.graph-picture, svg.broadcast-picture, svg.jacobian-picture"
PICTURE_REPORT = """(svg) => {
  const box = svg.getBoundingClientRect();
  const view = svg.viewBox.baseVal;
  return {
    kind: svg.classList.contains('graph-picture') ? 'graph'
      : svg.classList.contains('jacobian-picture') ? 'jacobian' : 'broadcasting',
    width: box.width, height: box.height, left: box.left, top: box.top, right: box.right, viewWidth: view ? view.width : 0,
    title: (svg.querySelector(':scope > title') || {}).textContent || '',
    desc: (svg.querySelector(':scope > desc') || {}).textContent || '',
    nodes: svg.querySelectorAll('g.gp-node').length,
    edges: svg.querySelectorAll('path[data-edge]').length,
    color: getComputedStyle(svg).color,
    visible: svg.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true }),
  };
}"""


def check_pictures(watched: Watched, html: str) -> None:
    """Every picture the hooks drew is in the page, with its words, and drawn once revealed."""
    expected = len(re.findall(r'<svg [^>]*class="(?:graph|broadcast|jacobian)-picture"', html))
    pictures = watched.page.locator(PICTURES)
    if pictures.count() != expected:
        watched.problems.append(f"{expected} pictures in the HTML but {pictures.count()} in the page")
    mermaid_blocks = watched.page.locator(".mermaid").count()
    if mermaid_blocks:
        watched.problems.append(f"{mermaid_blocks} Mermaid blocks on the page; graphs are drawn as SVG")
    for index in range(pictures.count()):
        picture = pictures.nth(index)
        picture.evaluate(REVEAL)
        facts = picture.evaluate(PICTURE_REPORT)
        watched.report.add(f"{facts['kind']} pictures")
        if facts["height"] < 50 or facts["width"] < 50:
            watched.problems.append(f"picture {index + 1} is not drawn: {facts}")
        if not facts["title"].strip():
            watched.problems.append(f"picture {index + 1} has no <title>")
        if facts["kind"] == "graph":
            words = facts["desc"]
            nodes = re.search(r": (\d+) nodes?, (\d+) edges?", facts["title"])
            if not nodes or (int(nodes[1]), int(nodes[2])) != (facts["nodes"], facts["edges"]):
                watched.problems.append(
                    f"graph picture {index + 1}: its title says {facts['title']!r} but it draws "
                    f"{facts['nodes']} nodes and {facts['edges']} edges"
                )
            if "Nodes, inputs first:" not in words:
                watched.problems.append(f"graph picture {index + 1}: no description of its nodes")


def check_page_weight(watched: Watched, relative: str) -> None:
    """Decoded bytes of everything the page loaded, against its limit; no page loads Mermaid."""
    total = 0
    for response in watched.responses:
        if "mermaid" in response.url.lower():
            watched.problems.append(f"the page loads Mermaid: {response.url}")
        try:
            total += len(response.body())
        except Exception:  # noqa: BLE001 - a redirect or aborted request has no body
            continue
    name = page_url(relative).strip("/") or "index"
    watched.report.weights[name] = total
    limit = next((limit for pattern, limit in PAGE_WEIGHT_LIMITS if pattern.match(name)), PAGE_WEIGHT_DEFAULT)
    if total > limit:
        big = sorted(watched.responses, key=lambda r: -len(r.body()) if r.ok else 0)[:5]
        watched.problems.append(
            f"{name} loads {total / 1e6:.2f} MB decoded, over its {limit / 1e6:.1f} MB; the largest: "
            + ", ".join(f"{urlsplit(r.url).path} {len(r.body()) / 1e6:.2f} MB" for r in big if r.ok)
        )


# Where a mouse click on an element lands, once it is scrolled to the middle of the screen; null
# when something else covers that point.
CLICK_POINT = """(el) => {
  // 'center' sideways too: a tab label at the edge of a tab bar that scrolls sideways sits
  // under Material's arrow button there.
  el.scrollIntoView({ block: 'center', inline: 'center' });
  const box = el.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const hit = document.elementFromPoint(x, y);
  return hit && (hit === el || el.contains(hit)) ? { x, y } : null;
}"""


# Opens what hides a code block, scrolls its copy button to the middle of the screen, empties
# the clipboard, and returns the block's shown text, how many copy buttons it has, and where a
# click lands on the button (if nothing covers it there): one round trip to the browser.
PREPARE_COPY = """async (block) => {
  (""" + REVEAL + """)(block);
  await navigator.clipboard.writeText('');
  const buttons = block.querySelectorAll('button[data-md-type="copy"]');
  const point = buttons.length === 1 ? (""" + CLICK_POINT + """)(buttons[0]) : null;
  return { shown: block.querySelector('code').innerText, buttons: buttons.length, point };
}"""


def copy_blocks(watched: Watched) -> list[dict]:
    """Click every pycon copy button with the mouse, as a reader does; return each block's shown
    text and what landed on the clipboard."""
    page = watched.page
    blocks = page.locator(".language-pycon")
    copied = []
    for index in range(blocks.count()):
        prepared = blocks.nth(index).evaluate(PREPARE_COPY)
        if prepared["buttons"] != 1:
            watched.problems.append(f"pycon block {index + 1} has {prepared['buttons']} copy buttons, not 1")
            continue
        if prepared["point"] is None:
            watched.problems.append(f"pycon block {index + 1}: its copy button is covered, a click misses it")
            continue
        page.mouse.click(prepared["point"]["x"], prepared["point"]["y"])
        text = page.evaluate("navigator.clipboard.readText()")
        copied.append({"shown": prepared["shown"], "copied": text})
        watched.report.add("copy buttons clicked")
    return copied


def check_copied_code(watched: Watched, copied: list[dict], where: str) -> None:
    """What a reader copies is the code alone, and runs as the page says it does."""
    for number, block in enumerate(copied, start=1):
        text, shown = block["copied"], block["shown"]
        if not text.strip():
            watched.problems.append(f"block {number}: the copy button copied nothing")
            continue
        sources = {
            re.sub(r"\s*#\s*doctest:.*$", "", line[4:])
            for example, _ in pycon_examples(shown)
            for line in example.split("\n")
        }
        for line in text.split("\n"):
            if line.startswith(">>>"):
                watched.problems.append(f"block {number}: a '>>>' prompt was copied: {line!r}")
            elif line.strip() and line not in sources:
                watched.problems.append(f"block {number}: copied a line that is not code: {line!r}")
        if text != pycon_to_code(shown):
            watched.problems.append(
                f"block {number}: the copy button and the notebooks disagree:\n"
                f"copied   {text!r}\nnotebook {pycon_to_code(shown)!r}"
            )
    if not copied:
        return
    with tempfile.TemporaryDirectory() as work:
        result_file = Path(work) / "result.json"
        run = subprocess.run(
            [sys.executable, str(REPL_PASTE), str(result_file)],
            input=json.dumps([block["copied"] for block in copied]),
            capture_output=True,
            text=True,
            cwd=work,
            timeout=300,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )
        if run.returncode != 0 or not result_file.exists():
            watched.problems.append(f"the REPL process failed:\n{run.stderr[-3000:]}")
            return
        results = json.loads(result_file.read_text())
    transcripts = re.split(r"^##### block \d+\n", run.stderr, flags=re.M)[1:]
    for number, (block, result) in enumerate(zip(copied, results), start=1):
        expected = expected_exceptions(block["shown"])
        if result["left_waiting"]:
            watched.problems.append(
                f"{where} block {number}: pasted into a REPL it leaves the prompt waiting for "
                f"more input:\n{block['copied']}"
            )
        if result["raised"] != expected:
            transcript = transcripts[number - 1] if number - 1 < len(transcripts) else ""
            watched.problems.append(
                f"{where} block {number}: the page shows "
                + (f"{expected}" if expected else "no error")
                + f" but pasting it raised {result['raised'] or 'nothing'}:\n"
                f"{block['copied']}\n--- REPL ---\n{transcript[-2000:]}"
            )
        else:
            watched.report.add("tracebacks shown and raised", len(expected))


# Cells of an executed notebook page whose printed text (a stream: stdout or stderr, neither an
# execute result nor a picture) shows as two or more boxes in a row.
SPLIT_PRINTED_TEXT = """() => {
  // An output's stream (its mime type), or null for an execute result or anything but text.
  const stream = (child) => {
    if (child.classList.contains('jp-OutputArea-executeResult')) return null;
    const text = child.querySelector(':scope > .jp-RenderedText');
    return text ? text.dataset.mimeType : null;
  };
  const split = [];
  for (const area of document.querySelectorAll('.jp-OutputArea')) {
    const streams = [...area.children].filter(c => c.classList.contains('jp-OutputArea-child'))
      .map(child => [child, stream(child)]);
    streams.forEach(([child, kind], i) => {
      if (i > 0 && kind && kind === streams[i - 1][1])
        split.push(child.textContent.trim().split('\\n')[0].slice(0, 60));
    });
  }
  return split;
}"""


def check_notebook_download(watched: Watched, relative: str) -> None:
    links = watched.page.locator("a[data-notebook-download]")
    source = source_of(relative)
    wanted = source is not None and (is_chapter(source) or source.endswith(".ipynb"))
    if wanted and links.count() != 1:
        watched.problems.append(
            f"{relative} (from docs/{source}) has {links.count()} notebook download links, not 1"
        )
    if source is not None and source.endswith(".ipynb"):
        outputs = watched.page.locator(".jp-OutputArea-output").count()
        watched.report.add("notebook outputs rendered", outputs)
        if outputs == 0:
            watched.problems.append(f"{relative}: the executed notebook shows no outputs")
        split = watched.page.evaluate(SPLIT_PRINTED_TEXT)
        if split:
            watched.problems.append(
                f"{relative}: a cell's printed text is split into separate boxes (is "
                f"hooks/notebook_outputs.py in mkdocs.yml?); the first lines of each: {split[:3]}"
            )
    for index in range(links.count()):
        href = links.nth(index).get_attribute("href")
        url = watched.page.evaluate("(href) => new URL(href, document.baseURI).href", href)
        response = watched.page.request.get(url)
        if response.status != 200:
            watched.problems.append(f"notebook download {url} answered {response.status}")
            continue
        try:
            notebook = nbformat.reads(response.text(), as_version=4)
            nbformat.validate(notebook)
        except Exception as error:  # noqa: BLE001 - report any invalid notebook
            watched.problems.append(f"notebook download {url} is not a valid notebook: {error}")
            continue
        if not any(cell.cell_type == "code" for cell in notebook.cells) and "```pycon" in (
            (ROOT / "docs" / source).read_text(encoding="utf-8") if source else ""
        ):
            watched.problems.append(f"notebook {url} has no code cell, but its page has pycon blocks")
        watched.report.add("notebook downloads")


def check_api_examples(watched: Watched) -> None:
    """Docstring examples on the API reference are code blocks, not block quotes of '>>>' runs."""
    quoted = watched.page.locator(".doc blockquote").count()
    if quoted:
        watched.problems.append(
            f"{quoted} block quotes in API docstrings: a '>>>' example rendered as a quote "
            "(hooks/griffe_doctest.py should fence it as pycon)"
        )


def check_chapter_layout(watched: Watched, relative: str) -> None:
    """A chapter page states its learning objectives and links its neighbours in the footer."""
    source = source_of(relative)
    if source is None or not is_chapter(source):
        return
    titles = watched.page.locator(
        ".admonition.abstract > .admonition-title, details.abstract > summary"
    ).all_inner_texts()
    if not any(title.strip().lower() == "learning objectives" for title in titles):
        watched.problems.append(
            f"chapter page docs/{source} has no '!!! abstract \"Learning objectives\"' admonition"
        )
    if watched.page.locator("a.md-footer__link").count() == 0:
        watched.problems.append(f"chapter page docs/{source} has no previous/next footer link")


def screenshot(watched: Watched, relative: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watched.page.screenshot(path=str(SCREENSHOTS / f"{screenshot_name(relative)}.png"), full_page=True)
    watched.report.add("screenshots")


# ------------------------------------------- accessibility, small screens (issue 11)
#
# axe-core (vendored from npm, tests/vendor/, MPL-2.0) runs on every page in the light and the
# dark theme, in the same visit as the other checks: the theme is switched in place with the
# palette toggle instead of loading the page again.  Every non-experimental rule runs (WCAG 2.0,
# 2.1 and 2.2 A and AA, and axe's best practices); any violation, whatever its impact (minor,
# moderate, serious or critical), fails the page and is counted per theme and rule in the
# summary.  No rule is disabled.  Before axe runs, the book's collapsibles (questions, hints,
# solutions) are opened, so what they hold is checked too; the API reference's "Source code"
# listings stay closed: they are the same Pygments colours every code block on every page has,
# and opening them makes axe take four times as long on those pages.

AXE = next((Path(__file__).resolve().parent / "vendor").glob("axe-core-*/axe.min.js"))
AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(' ').trim()),
  }));
}"""
OPEN_COLLAPSIBLES = """() => {
  for (const details of document.querySelectorAll('details:not(.quote)')) details.open = true;
}"""
# Screen sizes every page is checked at: a phone and a tablet, in portrait.
SMALL_SCREENS = {"phone": (390, 844), "tablet": (768, 1024)}
DESKTOP = {"width": 1280, "height": 900}
# An element sticks out when it is drawn past the right edge of the screen (or the page itself
# scrolls sideways) and no ancestor scrolls or clips it.  A box that scrolls sideways must be
# reachable by keyboard and show that it scrolls (javascripts/scroll-boxes.js, extra.css).
SMALL_SCREEN_REPORT = """() => {
  if (window.alScrollBoxesUpdate) window.alScrollBoxesUpdate();
  const width = document.documentElement.clientWidth;
  const contains = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowX;
      if (overflow !== 'visible') return true;
    }
    return false;
  };
  const describe = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    return `<${el.tagName.toLowerCase()}${id}${cls}> "${(el.textContent || '').trim().slice(0, 40)}"`;
  };
  const sticking = [];
  for (const el of document.body.querySelectorAll('*')) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0 || rect.right <= width + 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.position === 'fixed') continue;
    if (!contains(el)) sticking.push(`${describe(el)} reaches x=${Math.round(rect.right)}`);
    if (sticking.length >= 8) break;
  }
  const boxes = [];
  const unmarked = [];
  for (const el of document.querySelectorAll('.md-content *')) {
    const overflow = getComputedStyle(el).overflowX;
    if (overflow !== 'auto' && overflow !== 'scroll') continue;
    if (el.scrollWidth <= el.clientWidth + 1 || el.closest('.katex, svg')) continue;
    const style = getComputedStyle(el);
    const problems = [];
    if (el.tabIndex < 0) problems.push('cannot be reached by keyboard');
    if (!el.classList.contains('al-more-right') && !el.classList.contains('al-more-left')) problems.push('shows no cue');
    else if (style.boxShadow === 'none') problems.push('its cue draws nothing');
    if (el.tagName === 'DIV' && !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))) problems.push('has no name');
    boxes.push(describe(el));
    if (problems.length) unmarked.push(`${describe(el)} scrolls sideways but ${problems.join(', ')}`);
  }
  return { pageScrolls: document.documentElement.scrollWidth > width + 1, pageWidth: document.documentElement.scrollWidth,
           width, sticking, boxes: boxes.length, unmarked };
}"""


class AccessibilityReport:
    """axe violations counted per theme and rule, and what the small-screen checks saw."""

    def __init__(self) -> None:
        self.violations: dict[tuple[str, str, str], int] = {}
        self.pages: dict[str, int] = {}
        self.scroll_boxes: dict[str, int] = {}

    def add(self, theme: str, violation: dict) -> None:
        key = (theme, violation["id"], violation["impact"] or "?")
        self.violations[key] = self.violations.get(key, 0) + violation["count"]

    def state(self) -> dict:
        """What this process counted, for the main process to add up (pytest-xdist)."""
        return {"violations": [[*key, n] for key, n in self.violations.items()],
                "pages": dict(self.pages), "scroll_boxes": dict(self.scroll_boxes)}

    def add_state(self, state: dict) -> None:
        for theme, rule, impact, n in state.get("violations", []):
            self.violations[(theme, rule, impact)] = self.violations.get((theme, rule, impact), 0) + n
        for mine, theirs in ((self.pages, state.get("pages", {})), (self.scroll_boxes, state.get("scroll_boxes", {}))):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n

    def lines(self) -> list[str]:
        lines = []
        for theme in ("light", "dark"):
            rules = {key: n for key, n in self.violations.items() if key[0] == theme}
            found = ", ".join(f"{rule} ({impact}) {n}" for (_, rule, impact), n in sorted(rules.items())) or "none"
            lines.append(f"axe-core on {self.pages.get(theme, 0)} pages, {theme} theme: violations per rule: {found}")
        if self.scroll_boxes:
            lines.append(
                "boxes scrolling sideways (keyboard-reachable, with a cue): "
                + ", ".join(f"{n} at {size}" for size, n in self.scroll_boxes.items())
            )
        return lines


ACCESSIBILITY = AccessibilityReport()


# Running transitions (a resize or the theme switch just before) taken to their end: the colours
# the reader's screen comes to rest on, without waiting them out.  An endless animation is left
# as it is and checked as it is.
FINISH_TRANSITIONS = """() => {
  for (const animation of document.getAnimations())
    if (animation.playState === 'running' && Number.isFinite(animation.effect.getComputedTiming().endTime))
      animation.finish();
}"""


def run_axe(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(AXE_RUN)


def check_axe(watched: Watched, theme: str) -> None:
    """axe-core on the page as it is now; every violation is a problem."""
    ACCESSIBILITY.pages[theme] = ACCESSIBILITY.pages.get(theme, 0) + 1
    # Colours caught halfway through a transition are not what a reader sees.
    watched.page.evaluate(FINISH_TRANSITIONS)
    for violation in run_axe(watched.page):
        ACCESSIBILITY.add(theme, violation)
        watched.problems.append(
            f"axe ({theme} theme): {violation['id']} ({violation['impact']}), {violation['count']} "
            f"elements: {violation['help']}\n    " + "\n    ".join(violation["nodes"])
        )


def switch_theme(page, scheme: str) -> None:
    """Click the palette toggle until the page shows ``scheme`` ("default" or "slate")."""
    for _ in range(2):
        if page.evaluate("document.body.dataset.mdColorScheme") == scheme:
            return
        page.locator("form[data-md-component=palette] label:not([hidden])").first.click()
        page.wait_for_function(
            "(scheme) => document.body.dataset.mdColorScheme === scheme", arg=scheme, timeout=5_000
        )


def check_themes(watched: Watched, relative: str, pictures: bool) -> None:
    """axe in the light theme, then in the dark one, then back to light.  In the dark theme,
    before axe opens the collapsibles, the pictures are checked on a desktop and a phone."""
    check_axe(watched, "light")
    switch_theme(watched.page, "slate")
    if pictures:
        watched.page.evaluate(RESTORE_OPEN_STATE)
        check_pictures_readable(watched, relative, "dark")
        resize(watched.page, *SMALL_SCREENS["phone"])
        check_pictures_readable(watched, relative, "dark")
        resize(watched.page, DESKTOP["width"], DESKTOP["height"])
        watched.page.evaluate(OPEN_COLLAPSIBLES)
    check_axe(watched, "dark")
    switch_theme(watched.page, "default")


def screenshot_name(relative: str) -> str:
    return page_url(relative).strip("/").replace("/", "-").removesuffix(".html") or "index"


def resize(page, width: int, height: int) -> None:
    """The screen at a new size, after one frame in which Material and scroll-boxes.js react."""
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(50)


def check_small_screens(watched: Watched, relative: str, phone_screenshot: bool = True, pictures: bool = False) -> None:
    """At phone and tablet sizes nothing sticks out, and wide boxes scroll usably.

    The phone screenshot shows the page as it opens, and on a phone the pictures (light theme)
    and the backward frames are checked as it opens; the checks then open its collapsibles
    (and leave them open for axe)."""
    page = watched.page
    for size, (width, height) in SMALL_SCREENS.items():
        resize(page, width, height)
        if size == "phone" and phone_screenshot:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{screenshot_name(relative)}-phone.png"), full_page=True)
            watched.report.add("screenshots")
        if size == "phone" and pictures:
            check_pictures_readable(watched, relative, "light")
        if size == "phone" and relative in FRAME_PAGES:
            check_backward_frames(watched, relative)
        page.evaluate(OPEN_COLLAPSIBLES)  # after the screenshot, which shows the page as it opens
        result = page.evaluate(SMALL_SCREEN_REPORT)
        ACCESSIBILITY.scroll_boxes[size] = ACCESSIBILITY.scroll_boxes.get(size, 0) + result["boxes"]
        if result["pageScrolls"]:
            watched.problems.append(
                f"at {width}x{height} the page is {result['pageWidth']} px wide: it scrolls sideways"
            )
        for text in result["sticking"]:
            watched.problems.append(f"at {width}x{height} an element sticks out of the screen: {text}")
        for text in result["unmarked"]:
            watched.problems.append(f"at {width}x{height}: {text}")
    page.set_viewport_size(DESKTOP)


FRAME_PAGES = ["01-computational-graphs/index.html", "06-backprop-by-hand/index.html", "07-autograd/index.html"]


@pytest.mark.parametrize("relative", site_pages())
def test_page(relative, watched, report):
    """One page of the built site, checked as a reader's browser shows it: in one visit, at
    three screen sizes and in both themes."""
    html = (SITE / relative).read_text(encoding="utf-8")
    watched.page.goto(watched.server + page_url(relative), wait_until="networkidle")
    try:
        watched.page.wait_for_function(WAIT_FOR_RENDERING, timeout=15_000)
    except Exception:  # noqa: BLE001 - the checks below say what is missing
        watched.problems.append("maths or diagrams still not rendered after 15 s")
    watched.page.evaluate(SAVE_OPEN_STATE)
    report.add("pages")
    # The print version is every page at once: its code is pasted page by page above, and
    # test_print_version_as_pdf looks at it on paper.
    whole_book = relative == PRINT_PAGE
    # Pages with pictures drawn by autograd_lite.draw: each checked as a reader sees it.
    pictures = bool(re.search(r'class="(?:graph|broadcast|jacobian)-picture"', html))
    if pictures:
        opened = check_pictures_readable(watched, relative, "light")
        if relative in FRAME_PAGES and not opened:
            watched.problems.append("no picture was hidden in a tab: the check of opening one did not run")
    if relative in FRAME_PAGES:
        check_backward_frames(watched, relative)
    check_maths(watched)
    check_pictures(watched, html)
    watched.page.evaluate(RESTORE_OPEN_STATE)
    if not whole_book:
        screenshot(watched, relative)
    check_notebook_download(watched, relative)
    check_chapter_layout(watched, relative)
    check_api_examples(watched)
    check_small_screens(watched, relative, phone_screenshot=not whole_book, pictures=pictures)
    check_themes(watched, relative, pictures)
    if pictures:
        check_printed_pictures(watched, relative)
    if not whole_book:
        copied = copy_blocks(watched)
        check_copied_code(watched, copied, where=relative)
    if not whole_book:  # the whole book on one page has no weight budget of its own
        check_page_weight(watched, relative)
    problems = "\n".join(f"- {problem}" for problem in watched.problems)
    assert not watched.problems, f"{relative}:\n{problems}"


def test_dark_theme_toggles(watched):
    page = watched.page
    page.goto(watched.server, wait_until="networkidle")
    assert page.evaluate("document.body.dataset.mdColorScheme") == "default"
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.locator('label[for="__palette_1"]').click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'", timeout=5_000)
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light, f"the page background stayed {light} after switching to dark mode"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "index-dark.png"))
    page.locator('label[for="__palette_0"]').click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'default'", timeout=5_000)
    assert not watched.problems, watched.problems


def test_the_site_has_exactly_these_pages(server):
    """test_page runs on the pages the sources say the site has (it is parametrised before the
    site is built): the build has exactly those, so no page goes unchecked."""
    assert built_pages() == site_pages()


def test_the_search_index_leaves_out_source_listings_and_pictures(server):
    """The index every page loads holds the docs, not the API's source code (hooks/search.py)."""
    index = json.loads((SITE / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = "\n".join(doc["text"] for doc in index["docs"])
    assert "depends on, each after all of its parents" in text  # topological_sort's docstring is found
    # A comment in the source of topological_sort, shown on the API page, not on any chapter.
    assert "Each stack entry is (node, iterator" not in text, "a source listing of the API reference is indexed"
    # The words of chapter 1's picture (no page prints them as text).
    assert "Computational graph of L: 6 nodes, 6 edges, drawn" not in text, "a picture's words are indexed"
    size = (SITE / "search" / "search_index.json").stat().st_size
    # 0.70 MB with 12 chapters and 15 API pages (0.84 MB for 10 chapters before the source listings
    # left it).  The binding limit is each page's total weight, held by test_page; this catches the
    # index growing by a source listing's worth without anyone noticing.
    assert size < 800_000, f"search_index.json is {size / 1e6:.2f} MB, loaded by every page"


def test_search_answers_offline(watched):
    """Search runs in the browser from the built index: a query finds pages, maths rendered."""
    page = watched.page
    page.goto(watched.server, wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.keyboard.type("unbroadcast")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10_000)
    assert results.count() > 0
    text = " ".join(results.all_inner_texts())
    assert "unbroadcast" in text.lower(), text[:500]
    assert "\\(" not in text, f"raw maths in the search results: {text[:500]}"
    assert not watched.problems, watched.problems


# ------------------------------------------------------------------ pictures

# Marks what a reader clicks to see a picture: the summary of each closed <details> around it
# and the label of each tab it sits in that is not selected, outermost first.
MARK_WHAT_HIDES = """(svg) => {
  // Marks left by an earlier picture (the frames share one tab set) would make two targets.
  document.querySelectorAll('[data-reader-opens]').forEach(n => n.removeAttribute('data-reader-opens'));
  const around = [];
  for (let n = svg.parentElement; n; n = n.parentElement) around.unshift(n);
  let count = 0;
  for (const n of around) {
    let target = null;
    if (n.tagName === 'DETAILS' && !n.open) target = n.querySelector(':scope > summary');
    if (n.classList.contains('tabbed-block')) {
      const set = n.closest('.tabbed-set');
      const index = [...n.parentElement.children].indexOf(n);
      const input = set.querySelectorAll(':scope > input')[index];
      if (input && !input.checked) target = set.querySelector(`label[for="${input.id}"]`);
    }
    if (target) target.setAttribute('data-reader-opens', String(count++));
  }
  return count;
}"""

CONTRAST = """(svg) => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  let background = [255, 255, 255];
  for (let n = svg; n; n = n.parentElement) {
    const value = rgb(getComputedStyle(n).backgroundColor);
    if (value.length === 3 || (value.length === 4 && value[3] > 0.5)) { background = value.slice(0, 3); break; }
  }
  const text = luminance(rgb(getComputedStyle(svg).color).slice(0, 3));
  const back = luminance(background);
  return (Math.max(text, back) + 0.05) / (Math.min(text, back) + 0.05);
}"""


# What a reader has opened (collapsible blocks, tabs), saved when the page has loaded and put
# back before each check that must see the page as it opens: test_page moves through sizes and
# themes in one visit instead of loading the page again for each.
SAVE_OPEN_STATE = """() => {
  window.alAsOpened = {
    details: [...document.querySelectorAll('details')].map(d => [d, d.open]),
    tabs: [...document.querySelectorAll('.tabbed-set > input')].map(i => [i, i.checked]),
  };
}"""
RESTORE_OPEN_STATE = """() => {
  for (const [details, open] of window.alAsOpened.details) details.open = open;
  for (const [input, checked] of window.alAsOpened.tabs) {
    if (checked && !input.checked) { input.checked = true; input.dispatchEvent(new Event('change')); }
  }
}"""


# A picture's facts (PICTURE_REPORT), its text colour's contrast with its background, and whether
# a box around it scrolls sideways.
PICTURE_FACTS = """(svg) => {
  const facts = (""" + PICTURE_REPORT + """)(svg);
  facts.contrast = (""" + CONTRAST + """)(svg);
  facts.inScrollingBox = false;
  for (let n = svg.parentElement; n; n = n.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(n).overflowX)) { facts.inScrollingBox = true; break; }
  }
  return facts;
}"""
# A shown picture's facts, once scrolled to the middle of the screen.
SHOWN_PICTURE_REPORT = """(svg) => {
  svg.scrollIntoView({ block: 'center', inline: 'nearest' });
  return (""" + PICTURE_FACTS + """)(svg);
}"""


def click_as_a_reader(page, selector: str, where: str, problems: list[str]) -> None:
    """A mouse click in the middle of the element, reported as a problem when it is covered."""
    point = page.evaluate(f"(selector) => ({CLICK_POINT})(document.querySelector(selector))", selector)
    if point is None:
        problems.append(f"{where}: {selector} is covered, a reader's click misses it")
    else:
        page.mouse.click(point["x"], point["y"])


def is_shown(facts: dict) -> bool:
    """Whether a picture (its PICTURE_FACTS) is drawn on the screen at all."""
    return facts["visible"] and facts["width"] > 0 and facts["height"] > 0


def picture_problems(facts: dict, where: str, width: int) -> list[str]:
    """What keeps a picture (its PICTURE_FACTS) from being read on a screen ``width`` wide: not
    shown, sticking out of the page, a graph's text scaled below 60 %, too little contrast."""
    if not is_shown(facts):
        return [f"{where}: not shown (visible {facts['visible']}, {facts['width']}x{facts['height']})"]
    problems = []
    if facts["right"] > width + 1 and not facts["inScrollingBox"]:
        problems.append(f"{where}: sticks out of the page (right edge {facts['right']:.0f})")
    if facts["kind"] == "graph" and facts["width"] / facts["viewWidth"] < 0.6:
        problems.append(
            f"{where}: scaled to {facts['width'] / facts['viewWidth']:.2f} of its size, its 14 px text below 8.4 px"
        )
    if facts["contrast"] < 4.5:
        problems.append(f"{where}: text colour {facts['color']} has contrast {facts['contrast']:.1f} with its background")
    return problems


def check_pictures_readable(watched: Watched, relative: str, scheme: str) -> int:
    """Each picture at the current screen size and theme: hidden ones only once a reader opens
    them (clicking what hides them), then visible, inside the screen or a box that scrolls, a
    graph's text not scaled below 60 %, its colour in contrast with its background; a screenshot
    of each.  Leaves the page as it opened; returns how many pictures it had to open."""
    page = watched.page
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    if relative == PRINT_PAGE:
        check_print_page_pictures_readable(watched, width, height, scheme)
        return 0
    shots = SCREENSHOTS / "pictures"
    shots.mkdir(parents=True, exist_ok=True)
    pictures = page.locator(PICTURES)
    opened = 0
    for index in range(pictures.count()):
        where = f"{relative} picture {index + 1} ({width}x{height}, {scheme})"
        picture = pictures.nth(index)
        clicks = picture.evaluate(MARK_WHAT_HIDES)
        if clicks:
            if picture.evaluate(PICTURE_REPORT)["visible"]:
                watched.problems.append(f"{where}: inside a closed block or tab, yet shown before opening")
            for step in range(clicks):
                click_as_a_reader(page, f'[data-reader-opens="{step}"]', where, watched.problems)
            opened += 1
            watched.report.add("pictures opened from a collapsed block or tab")
        facts = picture.evaluate(SHOWN_PICTURE_REPORT)
        watched.problems.extend(picture_problems(facts, where, width))
        if is_shown(facts):
            # The screen around the picture as it is now (clipped to the screen): no second
            # scroll and stability wait, as an element screenshot would make.
            name = f"{page_url(relative).strip('/').replace('/', '-')}-{index + 1}-{'phone' if width < 600 else 'desktop'}-{scheme}.png"
            left, top = max(facts["left"], 0), max(facts["top"], 0)
            clip = {"x": left, "y": top, "width": min(facts["right"], width) - left,
                    "height": min(facts["top"] + facts["height"], height) - top}
            if clip["width"] > 0 and clip["height"] > 0:
                page.screenshot(path=str(shots / name), clip=clip)
            watched.report.add("pictures checked at two widths in two themes")
        if clicks:
            page.evaluate(RESTORE_OPEN_STATE)
    return opened


# Every picture of the page, each shown as if a reader had opened what hides it (without
# scrolling to it): the facts SHOWN_PICTURE_REPORT gives.
ALL_PICTURES_REPORT = """(selector) => [...document.querySelectorAll(selector)].map(svg => {
  (""" + OPEN_AROUND + """)(svg);
  return (""" + PICTURE_FACTS + """)(svg);
})"""


def check_print_page_pictures_readable(watched: Watched, width: int, height: int, scheme: str) -> None:
    """The print version holds every chapter's pictures again (on their own pages a reader's
    clicks open them, one by one, and each is photographed): here each is revealed in the
    browser and checked in one step, the same checks at this size and theme."""
    page = watched.page
    for index, facts in enumerate(page.evaluate(ALL_PICTURES_REPORT, PICTURES), start=1):
        watched.problems.extend(picture_problems(facts, f"{PRINT_PAGE} picture {index} ({width}x{height}, {scheme})", width))
        if is_shown(facts):
            watched.report.add("pictures checked at two widths in two themes")
    page.evaluate(RESTORE_OPEN_STATE)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_theme_follows_the_readers_setting(browser, server, scheme):
    """A reader whose system asks for a dark (or light) theme gets it on the first visit; test_page
    then checks every picture in both themes by the palette toggle."""
    context = browser.new_context(viewport=DESKTOP, color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(server + "01-computational-graphs/", wait_until="load")
        shown = page.evaluate("document.body.dataset.mdColorScheme")
        assert shown == ("slate" if scheme == "dark" else "default"), f"{scheme} setting, {shown} theme shown"
    finally:
        context.close()


def check_printed_pictures(watched: Watched, relative: str) -> None:
    """Printed (print media), every picture has a size, closed blocks and other tabs included."""
    page = watched.page
    page.evaluate(RESTORE_OPEN_STATE)
    page.emulate_media(media="print")
    sizes = page.evaluate(
        f"() => [...document.querySelectorAll('{PICTURES}')]"
        ".map(s => [s.getBoundingClientRect().width, s.getBoundingClientRect().height])"
    )
    for index, (w, h) in enumerate(sizes, start=1):
        if w <= 0 or h <= 0:
            watched.problems.append(f"{relative} picture {index} prints at {w}x{h}")
        else:
            watched.report.add("pictures printed")
    if relative.startswith("07-"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "print-07-autograd.png"), full_page=True)
    page.emulate_media(media="screen")


def test_a_downloaded_chapter_notebook_shows_its_graph_in_jupyter(browser, server, tmp_path):
    """The notebook a reader downloads, rendered by nbconvert (Jupyter's HTML), shows the picture."""
    from nbconvert import HTMLExporter

    notebook = nbformat.read(SITE / "01-computational-graphs" / "01-computational-graphs.ipynb", as_version=4)
    body, _ = HTMLExporter().from_notebook_node(notebook)
    (tmp_path / "notebook.html").write_text(body, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page = context.new_page()
    try:
        page.goto((tmp_path / "notebook.html").as_uri(), wait_until="load")
        images = page.locator('img[src^="data:image/svg+xml"]')
        assert images.count() == 6  # the graph, then the five frames of its backward pass
        image = images.first
        image.scroll_into_view_if_needed()
        facts = image.evaluate(
            "(img) => ({ natural: img.naturalWidth, width: img.getBoundingClientRect().width,"
            " height: img.getBoundingClientRect().height, alt: img.alt })"
        )
        assert facts["natural"] > 0 and facts["width"] > 50 and facts["height"] > 50, facts
        assert facts["alt"].startswith("Computational graph of L: 6 nodes, 6 edges"), facts["alt"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        image.screenshot(path=str(SCREENSHOTS / "notebook-01-graph-in-jupyter-html.png"))
    finally:
        context.close()


def test_the_page_weight_check_catches_a_heavy_page_and_mermaid():
    """The guard itself: a chapter over 1.7 MB, or any page loading Mermaid, is reported."""
    from types import SimpleNamespace

    def response(url, size):
        return SimpleNamespace(url=url, ok=True, body=lambda: b"x" * size)

    def weigh(relative, *responses):
        watched = SimpleNamespace(responses=list(responses), problems=[], report=SimpleNamespace(weights={}))
        check_page_weight(watched, relative)
        return watched

    heavy = weigh("03-broadcasting/index.html", response("http://127.0.0.1/a.js", 1_000_000),
                  response("http://127.0.0.1/search/search_index.json", 800_000))
    assert heavy.report.weights == {"03-broadcasting": 1_800_000}
    assert len(heavy.problems) == 1 and "over its 1.7 MB" in heavy.problems[0]
    assert "/a.js 1.00 MB" in heavy.problems[0]
    assert weigh("10-neural-network/index.html", response("http://127.0.0.1/a.js", 1_800_000)).problems == []
    mermaid = weigh("index.html", response("http://127.0.0.1/assets/mermaid.min.js", 10))
    assert mermaid.problems == ["the page loads Mermaid: http://127.0.0.1/assets/mermaid.min.js"]


# ------------------------------------------------------------------ keyboard

KEYBOARD_CHAPTER = "05-topological-sorting/"
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  let kind = 'other';
  if (el.tagName === 'SUMMARY') kind = 'summary';
  else if (el.matches('button[data-md-type="copy"]')) kind = 'copy';
  else if (el.matches('a[data-notebook-download]')) kind = 'notebook';
  else if (el.matches('form[data-md-component=palette] input')) kind = 'palette';
  // A palette input is hidden: its focus shows on the toggle drawn right after it.
  const shown = kind === 'palette' ? el.nextElementSibling : el;
  const style = getComputedStyle(shown);
  const rect = shown.getBoundingClientRect();
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {
    kind, key: el.id || el.outerHTML.slice(0, 120),
    visible: (outline || style.boxShadow !== 'none') && rect.width > 0 && rect.height > 0,
    open: kind === 'summary' ? el.parentElement.open : null,
  };
}"""


def test_keyboard_reaches_and_works_every_control(watched):
    """Tab through a chapter: every collapsible opens with Enter, every copy button copies, the
    Notebook button downloads and the theme toggle switches, each with its focus visible."""
    page = watched.page
    page.goto(watched.server + KEYBOARD_CHAPTER, wait_until="networkidle")
    page.wait_for_function(WAIT_FOR_RENDERING, timeout=15_000)
    expected = page.evaluate(
        "() => ({ summary: document.querySelectorAll('article details').length, "
        "copy: document.querySelectorAll('article pre > code').length })"
    )
    done = {"summary": 0, "copy": 0, "notebook": 0, "palette": 0}
    invisible, failures, seen = [], [], []
    for _ in range(600):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED)
        if focus is None or (seen and focus["key"] == seen[0]):
            break  # back at the start of the page
        seen.append(focus["key"])
        if not focus["visible"]:
            invisible.append(focus["key"])
        if focus["kind"] == "summary":
            page.keyboard.press("Enter")
            if page.evaluate("document.activeElement.parentElement.open") == focus["open"]:
                failures.append(f"Enter did not open or close {focus['key']}")
            else:
                done["summary"] += 1
        elif focus["kind"] == "copy":
            page.evaluate("navigator.clipboard.writeText('')")
            page.keyboard.press("Enter")
            text = page.evaluate("navigator.clipboard.readText()")
            if not text.strip() or ">>>" in text:
                failures.append(f"Enter on a copy button copied {text[:80]!r}")
            else:
                done["copy"] += 1
        elif focus["kind"] == "notebook":
            with page.expect_download(timeout=10_000) as download:
                page.keyboard.press("Enter")
            if download.value.suggested_filename.endswith(".ipynb"):
                done["notebook"] += 1
        elif focus["kind"] == "palette" and done["palette"] == 0:
            before = page.evaluate("document.body.dataset.mdColorScheme")
            page.keyboard.press("Enter")
            page.wait_for_timeout(100)
            if page.evaluate("document.body.dataset.mdColorScheme") != before:
                done["palette"] += 1
            else:
                failures.append("Enter on the theme toggle did not switch the theme")
    assert not failures, failures
    assert not invisible, f"focus not visible on: {invisible[:10]}"
    assert done["summary"] == expected["summary"], (done, expected)
    assert done["copy"] == expected["copy"], (done, expected)
    assert done["notebook"] == 1 and done["palette"] == 1, done
    assert not watched.problems, watched.problems


# ------------------------------------------------------------------ on paper


def chapter_titles_and_maths() -> dict[str, tuple[str, str]]:
    """Each chapter page: its title and the TeX of its first inline maths, from docs/."""
    chapters = {}
    for path in sorted((ROOT / "docs").glob("[0-9][0-9]-*.md")):
        text = path.read_text(encoding="utf-8")
        title = re.search(r"^# (.+)$", text, re.M).group(1).strip()
        prose = re.sub(r"^(`{3,}|~{3,}).*?^\1", "", text, flags=re.M | re.S)
        prose = re.sub(r"`[^`\n]*`", "", prose)
        found = [tex.strip() for tex in re.findall(r"(?<![\\$])\$([^$\n]+?)\$", prose) if len(tex.strip()) >= 3]
        chapters[path.name] = (title, found[0] if found else "")
    return chapters


def maths_in_text(drawn: str, text: str) -> bool:
    """Whether the glyphs of a rendered expression stand together in a PDF's text layer.

    A PDF keeps one-line maths in order, but moves superscripts, subscripts and the limits of
    a sum out of line ("L=(batch+∑n,jbias)gnjnj" for $L = \\sum_{n,j} (...)_{nj} g_{nj}$): so
    the expression counts as there when every one of its glyphs is found within a stretch of
    text half as long again as the expression."""
    if drawn in text:
        return True
    from collections import Counter

    need, span = Counter(drawn), len(drawn) + len(drawn) // 2
    return any(
        not need - Counter(text[start : start + span])
        for start in range(len(text)) if text[start] in need
    )


# The drawn text of the rendered maths whose TeX source is the given one (KaTeX keeps the
# source in a MathML annotation next to what it draws).
RENDERED_MATHS = """(tex) => {
  for (const annotation of document.querySelectorAll('.katex annotation')) {
    if (annotation.textContent.trim() === tex) {
      return annotation.closest('.katex').querySelector('.katex-html').textContent;
    }
  }
  return null;
}"""


def squeeze(text: str) -> str:
    """Text without white space or KaTeX's zero-width spaces, for comparing text layers."""
    return re.sub(r"[\s\u200b]+", "", text)


def test_print_version_as_pdf(watched, tmp_path):
    """The home page links the one-page book; printed to PDF by Chromium it holds every
    chapter's title and maths, and its collapsed hints and solutions are open."""
    from pypdf import PdfReader

    page = watched.page
    page.goto(watched.server, wait_until="networkidle")
    link = page.get_by_role("link", name="Print or save as PDF")
    assert link.count() == 1, "the home page has no 'Print or save as PDF' link"
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/").endswith("print_page"), page.url
    page.wait_for_function(WAIT_FOR_RENDERING, timeout=30_000)
    assert page.evaluate("document.querySelectorAll('details:not([open])').length") == 0, (
        "collapsed blocks on the print page"
    )
    chapters = chapter_titles_and_maths()
    drawn = {}
    for name, (title, tex) in chapters.items():
        assert tex, f"docs/{name} has no inline maths to look for"
        drawn[name] = page.evaluate(RENDERED_MATHS, tex)
        assert drawn[name], f"the maths ${tex}$ of docs/{name} is not rendered on the print page"
    page.emulate_media(media="print")
    pdf = SCREENSHOTS.parent / "book.pdf" if SCREENSHOTS.parent.exists() else tmp_path / "book.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    text = squeeze("\n".join(p.extract_text() or "" for p in PdfReader(pdf).pages))
    missing = [
        f"docs/{name}: title {title!r}" for name, (title, _) in chapters.items() if squeeze(title) not in text
    ] + [
        f"docs/{name}: maths ${chapters[name][1]}$ (drawn {shown!r})"
        for name, shown in drawn.items() if not maths_in_text(squeeze(shown), text)
    ]
    assert not missing, f"missing from the PDF ({pdf}):\n" + "\n".join(missing)
    # A solution is folded away on screen; on paper it is there.
    assert squeeze("check_topological_sort: all tests passed") in text, "chapter 5's solution is not in the PDF"
    assert not watched.problems, watched.problems


# ------------------------------------------- the checks above, proved on pages that fail them

BAD_PAGE = """<!doctype html><html lang="en"><head><title>bad</title></head><body><main>
<p style="color:#bbb;background:#fff">Faint grey text on white, 1.9:1.</p>
<div class="md-content">
  <div id="wide" style="width:900px">A block wider than a phone.</div>
  <div id="box" style="overflow-x:auto"><div style="width:900px">A box that scrolls sideways.</div></div>
</div></main></body></html>"""


def add_site_script(page, name: str) -> None:
    """One of the site's scripts (docs/javascripts/) on a test page, with a stand-in for
    ``document$``, Material's page-load stream, which the scripts subscribe to."""
    page.evaluate("window.document$ = { subscribe: (callback) => callback() }")
    page.add_script_tag(path=str(ROOT / "docs" / "javascripts" / name))


def test_accessibility_checks_fail_on_a_bad_page(browser):
    """axe reports low contrast; the small-screen check reports an element sticking out and a
    scrolling box with no keyboard access or cue, until scroll-boxes.js fixes the box."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.set_content(BAD_PAGE)
        found = {v["id"]: v["impact"] for v in run_axe(page)}
        assert found.get("color-contrast") == "serious", found
        report = page.evaluate(SMALL_SCREEN_REPORT)
        assert report["pageScrolls"] and any("#wide" in text for text in report["sticking"]), report
        assert any(
            "#box" in text and "keyboard" in text and "cue" in text and "name" in text
            for text in report["unmarked"]
        ), report
        add_site_script(page, "scroll-boxes.js")  # the site's script, on the same page
        report = page.evaluate(SMALL_SCREEN_REPORT)
        assert any("#box" in text and "cue draws nothing" in text for text in report["unmarked"]), report
        page.add_style_tag(path=str(ROOT / "docs" / "stylesheets" / "extra.css"))  # draws the cue
        report = page.evaluate(SMALL_SCREEN_REPORT)
        assert report["unmarked"] == [], report
        assert page.get_attribute("#box", "tabindex") == "0"
        assert page.get_attribute("#box", "aria-label")
    finally:
        page.close()



CODE_BLOCKS = """<!doctype html><html lang="en"><head><title>code</title></head><body><main><h1>Code</h1>
<div class="language-pycon highlight"><pre><code>&gt;&gt;&gt; 1 + 1
2</code></pre></div>
<div class="language-pycon highlight"><pre><code>&gt;&gt;&gt; 2 + 2
4</code></pre></div>
</main></body></html>"""
# What Material adds to every code block once the page has loaded: its buttons, in a <nav>.
ADD_BUTTON_BARS = """() => {
  for (const pre of document.querySelectorAll('pre')) {
    const bar = document.createElement('nav');
    bar.className = 'md-code__nav';
    bar.innerHTML = '<button class="md-code__button" title="Copy to clipboard" data-md-type="copy"></button>';
    pre.prepend(bar);
  }
}"""


def test_a_code_blocks_buttons_are_not_a_landmark(browser):
    """Without copy-pycon.js, Material's button bars make one unnamed navigation landmark per
    code block (axe: landmark-unique); with it, the bars added later are not landmarks and the
    buttons are still buttons."""
    page = browser.new_page()
    try:
        page.set_content(CODE_BLOCKS)
        page.evaluate(ADD_BUTTON_BARS)
        assert "landmark-unique" in {v["id"] for v in run_axe(page)}
        page.set_content(CODE_BLOCKS)
        add_site_script(page, "copy-pycon.js")
        page.evaluate(ADD_BUTTON_BARS)  # after the script, as on the site
        page.wait_for_function("document.querySelectorAll('nav.md-code__nav[role=none]').length === 2")
        assert run_axe(page) == []
        assert page.get_by_role("button", name="Copy to clipboard").count() == 2
        assert page.get_by_role("navigation").count() == 0
    finally:
        page.close()




def check_backward_frames(watched: Watched, relative: str) -> None:
    """A chapter's backward frames: one step shown at a time, the next one reached by keyboard.
    Leaves the page as it opened."""
    page = watched.page
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    frames = page.locator("figure[data-backward-frame] svg.graph-picture")
    if frames.count() < 3:
        watched.problems.append(f"{relative}: {frames.count()} backward frames")
        return
    tab_set = frames.first.locator("xpath=ancestor::div[contains(@class, 'tabbed-set')][1]")
    labels = tab_set.locator(":scope > .tabbed-labels > label")
    if labels.count() != frames.count():
        watched.problems.append(f"{relative}: {labels.count()} step tabs for {frames.count()} frames")
    labels.first.click()
    for step in range(frames.count()):
        where = f"{relative} step {step + 1} ({width}x{height})"
        if step:
            page.keyboard.press("ArrowRight")  # Material's tabs: arrow keys move between them
        shown = [i for i in range(frames.count()) if frames.nth(i).evaluate(PICTURE_REPORT)["visible"]]
        if shown != [step]:
            watched.problems.append(f"{where}: frames {[i + 1 for i in shown]} shown, expected only {step + 1}")
            continue
        facts = frames.nth(step).evaluate(PICTURE_REPORT)
        if facts["width"] <= 0 or facts["height"] <= 0 or not facts["title"].startswith(f"Step {step + 1} of"):
            watched.problems.append(f"{where}: {facts['width']}x{facts['height']}, title {facts['title']!r}")
        watched.report.add("backward frames stepped through by keyboard")
    page.evaluate(RESTORE_OPEN_STATE)
