// Render every maths expression (arithmatex generic output) with the vendored KaTeX,
// on each page and in the search results (which show pieces of pages as they come).
const KATEX_OPTIONS = {
  delimiters: [
    { left: "$$", right: "$$", display: true },
    { left: "$", right: "$", display: false },
    { left: "\\(", right: "\\)", display: false },
    { left: "\\[", right: "\\]", display: true },
  ],
  throwOnError: true,
};
document$.subscribe(({ body }) => {
  renderMathInElement(body, KATEX_OPTIONS);
});
const searchResults = document.querySelector(".md-search-result");
if (searchResults) {
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE && !node.closest(".katex")) {
          renderMathInElement(node, Object.assign({}, KATEX_OPTIONS, { throwOnError: false }));
        }
      }
    }
  }).observe(searchResults, { childList: true, subtree: true });
}
