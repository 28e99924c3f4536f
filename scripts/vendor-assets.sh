#!/usr/bin/env bash
# Refresh the vendored KaTeX files under docs/assets/vendor/ (and axe-core under tests/vendor/)
# from the npm registry.
# The site loads these instead of a CDN, so it renders with no internet at view time.
# Needs npm; readers and CI never run this (the files are committed).
set -euo pipefail
KATEX=0.16.47
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cd "$work"
npm pack "katex@$KATEX" >/dev/null
mkdir katex
tar xzf "katex-$KATEX.tgz" -C katex --strip-components=1
dest="$here/docs/assets/vendor"
rm -rf "$dest"
mkdir -p "$dest/katex-$KATEX/contrib" "$dest/katex-$KATEX/fonts"
cp katex/dist/katex.min.js katex/dist/katex.min.css katex/LICENSE "$dest/katex-$KATEX/"
cp katex/dist/contrib/auto-render.min.js "$dest/katex-$KATEX/contrib/"
# Browsers take the first format in each @font-face list, woff2, so the others are not shipped.
cp katex/dist/fonts/*.woff2 "$dest/katex-$KATEX/fonts/"
# Graphs are drawn as SVG by autograd_lite.draw at build time: no diagram script is shipped.
echo "vendored katex $KATEX into $dest"

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
