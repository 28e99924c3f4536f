#!/usr/bin/env bash
# Refresh the vendored KaTeX and mermaid files under docs/assets/vendor/ (and axe-core under
# tests/vendor/) from the npm registry.
# The site loads these instead of a CDN, so it renders with no internet at view time.
# Needs npm; readers and CI never run this (the files are committed).
set -euo pipefail
KATEX=0.16.47
MERMAID=11.17.2
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cd "$work"
npm pack "katex@$KATEX" "mermaid@$MERMAID" >/dev/null
mkdir katex mermaid
tar xzf "katex-$KATEX.tgz" -C katex --strip-components=1
tar xzf "mermaid-$MERMAID.tgz" -C mermaid --strip-components=1
dest="$here/docs/assets/vendor"
rm -rf "$dest"
mkdir -p "$dest/katex-$KATEX/contrib" "$dest/katex-$KATEX/fonts" "$dest/mermaid-$MERMAID"
cp katex/dist/katex.min.js katex/dist/katex.min.css katex/LICENSE "$dest/katex-$KATEX/"
cp katex/dist/contrib/auto-render.min.js "$dest/katex-$KATEX/contrib/"
# Browsers take the first format in each @font-face list, woff2, so the others are not shipped.
cp katex/dist/fonts/*.woff2 "$dest/katex-$KATEX/fonts/"
cp mermaid/dist/mermaid.min.js mermaid/LICENSE "$dest/mermaid-$MERMAID/"
echo "vendored katex $KATEX and mermaid $MERMAID into $dest"

# axe-core: the accessibility rules the browser tests run on every page (tests/test_site_browser.py).
# A test tool, not part of the site, so it lives under tests/ and is never served to readers.
AXE=4.14.1
cd "$work"
npm pack "axe-core@$AXE" >/dev/null
mkdir axe
tar xzf "axe-core-$AXE.tgz" -C axe --strip-components=1
axe_dest="$here/tests/vendor/axe-core-$AXE"
rm -rf "$here/tests/vendor"/axe-core-*
mkdir -p "$axe_dest"
cp axe/axe.min.js axe/LICENSE axe/LICENSE-3RD-PARTY.txt "$axe_dest/"
echo "vendored axe-core $AXE into $axe_dest"
