// Make the copy button on a pycon block copy runnable code: the source lines
// without ">>> " and "... " prompts, without outputs and without doctest
// directives ("# doctest: +FLOAT_CMP").  A blank line follows each statement
// the REPL would otherwise wait on, so that pasting the block runs all of it.
// Material copies the text of the closest element with a data-copy attribute,
// but trims trailing whitespace, which would drop the blank line that ends a
// final compound statement (the REPL would sit at "..."); clipboard.js copies
// a button's data-clipboard-text verbatim, so that is set just before the
// click reaches it.  data-copy stays for anything else that reads it.
// hooks/notebooks.py (pycon_to_code) applies the same rules to the notebooks;
// tests/test_site_browser.py holds the two to each other and runs what is copied.
const DOCTEST_DIRECTIVE = /\s*#\s*doctest:.*$/;
// A statement the REPL only runs after a blank line: a compound statement
// (even on one line, "for x in y: print(x)"), a decorated definition, or
// anything spread over several lines.  A blank line after any other statement
// does nothing, so erring on the side of one is safe.
const COMPOUND = /^(@|(if|for|while|with|def|class|try|async|match)\b)|:\s*(#.*)?$/;
function pyconToCode(text) {
  const lines = text.replace(/\n$/, "").split("\n");
  const out = [];
  let inBlock = false;   // the current statement needs a blank line to end
  let inSource = false;  // the previous line was source, so "..." continues it
  for (const line of lines) {
    if (line.startsWith(">>>")) {
      if (inBlock) out.push("");
      const code = line.slice(4).replace(DOCTEST_DIRECTIVE, "");
      out.push(code);
      inBlock = COMPOUND.test(code);
      inSource = true;
    } else if (inSource && (line === "..." || line.startsWith("... "))) {
      out.push(line.slice(4).replace(DOCTEST_DIRECTIVE, ""));
      inBlock = true;
    } else {
      inSource = false;  // an output line; a traceback's "..." is output too
    }
  }
  if (inBlock) out.push("");
  return out.join("\n") + "\n";
}
window.pyconToCode = pyconToCode;
// textContent, not innerText: a block inside a closed "??? success" has no
// rendered text yet, and the reader opens it before copying.
function codeText(code) {
  const copy = code.cloneNode(true);
  for (const annotation of copy.querySelectorAll(".md-annotation")) annotation.remove();
  return copy.textContent;
}
document$.subscribe(() => {
  for (const code of document.querySelectorAll(".language-pycon code")) {
    const block = code.closest("pre") || code;
    block.setAttribute("data-copy", pyconToCode(codeText(code)));
  }
});
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest('button[data-md-type="copy"]');
  const code = button && button.closest(".language-pycon") && button.closest(".language-pycon").querySelector("code");
  if (code) button.setAttribute("data-clipboard-text", pyconToCode(codeText(code)));
}, true);
// Material puts each code block's buttons in a <nav>: one unnamed "navigation" landmark per code
// block, dozens on a page, in a screen reader's list of the page's regions (axe-core:
// landmark-unique).  They are a block's buttons, not a way around the site: role="none" keeps
// the buttons and drops the landmark.  Material adds them after the page loads, hence the watch.
function buttonBarsAreNotLandmarks(root) {
  const bars = root.matches && root.matches("nav.md-code__nav") ? [root] : root.querySelectorAll("nav.md-code__nav");
  for (const bar of bars) bar.setAttribute("role", "none");
}
new MutationObserver((records) => {
  for (const record of records)
    for (const node of record.addedNodes) if (node.nodeType === Node.ELEMENT_NODE) buttonBarsAreNotLandmarks(node);
}).observe(document.body, { childList: true, subtree: true });
buttonBarsAreNotLandmarks(document);
