// On paper every collapsible block is open: hints, solutions, questions and proofs are part of
// the printed book. The print stylesheet (extra.css) opens them where the browser supports
// ::details-content; this opens them everywhere, just before printing, and at once on the
// one-page print version of the book (site/print_page/, mkdocs-print-site-plugin), which is
// made for printing. Blocks opened for printing are closed again afterwards.
(function () {
  let opened = [];
  function openAll() {
    opened = [...document.querySelectorAll("details:not([open])")];
    for (const details of opened) details.open = true;
  }
  window.addEventListener("beforeprint", openAll);
  window.addEventListener("afterprint", () => {
    for (const details of opened) details.open = false;
    opened = [];
  });
  document$.subscribe(() => {
    if (document.getElementById("print-site-page")) {
      for (const details of document.querySelectorAll("details")) details.open = true;
    }
  });
})();
