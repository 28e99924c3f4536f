// Boxes that scroll sideways, made usable by everyone (issue 11).
//
// On a phone a wide equation, code line, notebook cell or table scrolls inside its own box. This
// script finds every such box in the page's content (any element whose overflow-x lets it scroll
// and whose content is wider than it) and
//   * makes it reachable by keyboard (tabindex="0"), so arrow keys scroll it, and gives a box
//     with no meaning of its own a role and a name ("Equation, scrolls sideways") that a screen
//     reader announces;
//   * shows that it scrolls: the classes al-more-right / al-more-left draw an inset shadow on the
//     side where more is hidden (docs/stylesheets/extra.css), updated as it is scrolled;
//   * first shrinks a too-wide display equation, down to SMALLEST_MATHS of its size, since KaTeX
//     cannot break display maths across lines; one still too wide scrolls as above.
// It runs again whenever the content's size changes (rotation, a resized window) and when a
// collapsible block opens. What it added is taken back when a box no longer overflows.
// tests/test_site_browser.py checks all of this on every page at phone and tablet sizes.
(function () {
  const SMALLEST_MATHS = 0.75;
  const NAMES = [
    ["div.arithmatex", "Equation, scrolls sideways"],
    [".highlight-ipynb, .highlight, pre", "Code, scrolls sideways"],
    [".jp-OutputArea-output", "Output, scrolls sideways"],
    [".md-typeset__scrollwrap, .md-typeset__table, table", "Table, scrolls sideways"],
  ];
  const FALLBACK_NAME = "Wide content, scrolls sideways";
  const marked = new Set();

  function scrolls(el) {
    const overflow = getComputedStyle(el).overflowX;
    return (overflow === "auto" || overflow === "scroll") && el.scrollWidth > el.clientWidth + 1;
  }

  function fitMaths(content) {
    for (const box of content.querySelectorAll("div.arithmatex")) {
      const display = box.querySelector(".katex-display");
      if (!display) continue;
      display.style.fontSize = "";
      if (box.clientWidth === 0 || box.scrollWidth <= box.clientWidth + 1) continue;
      const scale = Math.max(SMALLEST_MATHS, (box.clientWidth - 2) / box.scrollWidth);
      display.style.fontSize = `${Math.floor(scale * 100)}%`;
    }
  }

  function cue(el) {
    const left = el.scrollLeft > 1;
    const right = el.scrollLeft + el.clientWidth < el.scrollWidth - 1;
    el.classList.toggle("al-more-left", left);
    el.classList.toggle("al-more-right", right);
  }

  function onScroll(event) { cue(event.currentTarget); }

  function mark(el) {
    if (!marked.has(el)) {
      marked.add(el);
      el.classList.add("al-scrolls-x");
      el.addEventListener("scroll", onScroll, { passive: true });
      const added = [];
      if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); added.push("tabindex"); }
      // A code element has its own role (ARIA forbids naming it), and a figure or table already
      // means something; a plain div gets a group role and a name.
      const plain = el.tagName === "DIV" && !el.hasAttribute("role");
      if (plain) {
        const name = (NAMES.find(([selector]) => el.matches(selector)) || [null, FALLBACK_NAME])[1];
        el.setAttribute("role", "group");
        el.setAttribute("aria-label", name);
        added.push("role", "aria-label");
      }
      el.dataset.alAdded = added.join(" ");
    }
    cue(el);
  }

  function unmark(el) {
    marked.delete(el);
    el.classList.remove("al-scrolls-x", "al-more-left", "al-more-right");
    el.removeEventListener("scroll", onScroll);
    for (const name of (el.dataset.alAdded || "").split(" ").filter(Boolean)) el.removeAttribute(name);
    delete el.dataset.alAdded;
  }

  function update() {
    const content = document.querySelector(".md-content");
    if (!content) return;
    fitMaths(content);
    const now = new Set();
    for (const el of content.querySelectorAll("div, pre, code, figure, table")) {
      if (el.closest(".katex, svg")) continue;
      if (scrolls(el)) now.add(el);
    }
    for (const el of [...marked]) if (!now.has(el)) unmark(el);
    for (const el of now) mark(el);
    document.body.dataset.alScrollBoxes = String(now.size);  // for the tests: the script ran
  }

  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; update(); });
  }

  document$.subscribe(() => {
    update();
    const content = document.querySelector(".md-content");
    if (content && window.ResizeObserver) new ResizeObserver(schedule).observe(content);
  });
  window.addEventListener("resize", schedule);
  // "toggle" does not bubble, but a capturing listener on the document sees every one.
  document.addEventListener("toggle", schedule, true);
  window.alScrollBoxesUpdate = update;
})();
