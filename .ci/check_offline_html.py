"""Fail when a built HTML page loads a script, stylesheet or font from the network.

Usage: python .ci/check_offline_html.py doc/_build/html

The documentation must work with no network (a student's laptop on a train,
a firewalled lab): every <script src>, <link rel=stylesheet|preload|icon...>,
<img src>, <iframe src> and CSS ``url(...)``/``@import`` must point into the
built site. Hyperlinks (<a href>) may point anywhere: they load nothing.
Exit status 1 lists each remote asset with its page; 0 prints a summary.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")
# <link rel=...> values that make the browser fetch the target
LOADING_RELS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "prefetch",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "manifest",
    "preconnect",
    "dns-prefetch",
}


def is_remote(url):
    url = url.strip()
    return bool(REMOTE.match(url)) and not url.lower().startswith("file:")


class AssetParser(HTMLParser):
    """Collect the URLs a page loads by itself (not the ones it links to)."""

    def __init__(self):
        super().__init__()
        self.assets = []  # (tag, url)
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.assets.append(("script", attrs["src"]))
        elif tag == "link" and attrs.get("href"):
            rels = set((attrs.get("rel") or "").lower().split())
            if rels & LOADING_RELS:
                kind = f"link rel={' '.join(sorted(rels))}"
                self.assets.append((kind, attrs["href"]))
        elif tag in ("img", "iframe", "embed", "source", "audio", "video"):
            if attrs.get("src"):
                self.assets.append((tag, attrs["src"]))
        elif tag == "object" and attrs.get("data"):
            self.assets.append((tag, attrs["data"]))
        if attrs.get("style"):
            self.assets += [("style attribute", u) for u in css_urls(attrs["style"])]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.assets += [("<style>", u) for u in css_urls(data)]


def css_urls(text):
    return [a or b for a, b in CSS_URL.findall(text)]


def remote_assets(site):
    """(file, kind, url) of every remote asset of the built site."""
    found = []
    for page in sorted(site.rglob("*.html")):
        parser = AssetParser()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        found += [(page, kind, url) for kind, url in parser.assets if is_remote(url)]
    for sheet in sorted(site.rglob("*.css")):
        text = sheet.read_text(encoding="utf-8", errors="replace")
        found += [(sheet, "css url", u) for u in css_urls(text) if is_remote(u)]
    return found


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    site = Path(argv[1])
    pages = list(site.rglob("*.html"))
    if not pages:
        print(f"check_offline_html: no HTML pages under {site}: build the docs first.")
        return 2
    found = remote_assets(site)
    for path, kind, url in found:
        print(f"{path.relative_to(site)}: {kind} loads {url}")
    if found:
        print(
            f"check_offline_html: {len(found)} remote asset(s) in the built docs; "
            "bundle them (html_static_path) so the pages work offline."
        )
        return 1
    print(f"check_offline_html: {len(pages)} pages, every script and style is local.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
