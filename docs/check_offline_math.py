"""Check that the built documentation renders its formulas in a browser without a network.

Usage (after the Sphinx build; needs Chromium, e.g. Debian's ``apt-get install chromium``)::

    python docs/check_offline_math.py                       # docs/_build/html, pages with math
    python docs/check_offline_math.py docs/_build/html --pages user_guide/linear_models.html

For each page it runs headless Chromium with every host name unresolvable, a proxy that does
not exist and (where ``unshare`` can make one) a network namespace with no interface, lets the
page run for a few seconds of virtual time, and reads the rendered DOM back. A page passes when
every formula of Sphinx's output (``<span class="math">`` / ``<div class="math">``) holds a
MathJax ``mjx-container`` and no raw TeX delimiter (``\\(``, ``\\[``) is left in it. First it
runs the same check on a control page that loads MathJax from a CDN, which must fail: that
shows the network really is off, so a pass means the site's own copy of MathJax did the work.
Exits 0 when all pages pass, 1 otherwise.
"""

import argparse
import html.parser
import pathlib
import shutil
import subprocess
import sys
import tempfile

DEFAULT_SITE = pathlib.Path(__file__).resolve().parent / "_build" / "html"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
# Pages with formulas that the check opens by default, when they exist; otherwise the first
# pages found with math in them.
DEFAULT_PAGES = ("user_guide/linear_models.html", "user_guide/logistic_regression.html")
CONTROL_PAGE = r"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<script defer src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>
</head><body><p><span class="math notranslate nohighlight">\(x^2 + y^2\)</span></p></body></html>
"""


class _MathCollector(html.parser.HTMLParser):
    """Collects, for every element whose class is ``math``, its text and whether MathJax rendered it."""

    def __init__(self):
        super().__init__()
        self.formulas = []  # [text, rendered]
        self._depth = []  # open-tag depth at which each open math element started
        self._open = 0

    def handle_starttag(self, tag, attrs):
        self._open += 1
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("span", "div") and "math" in classes and not self._depth:
            self._depth.append(self._open)
            self.formulas.append(["", False])
        elif self._depth and tag == "mjx-container":
            self.formulas[-1][1] = True

    def handle_endtag(self, tag):
        if self._depth and self._depth[-1] == self._open:
            self._depth.pop()
        self._open -= 1

    def handle_data(self, data):
        if self._depth:
            self.formulas[-1][0] += data


def formulas_of(markup):
    """``[(text, rendered)]`` for the formulas in ``markup``."""
    collector = _MathCollector()
    collector.feed(markup)
    return [tuple(formula) for formula in collector.formulas]


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("no Chromium found: apt-get install chromium (or pass --browser)")


def _without_network(command):
    """Prefix ``command`` with ``unshare --net`` (a namespace without interfaces) where it works."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--net", "true"], capture_output=True).returncode == 0:
        return [unshare, "--net", *command]
    return command


def rendered_dom(browser, url, budget_ms, profile):
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--no-first-run", "--no-default-browser-check",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
        f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}", "--dump-dom", url,
    ]
    result = subprocess.run(_without_network(command), capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or "<html" not in result.stdout:
        raise RuntimeError(f"{browser} failed on {url}:\n{result.stderr[-2000:]}")
    return result.stdout


def problems_of(markup):
    """What is wrong with the rendered page: a list of sentences (empty when all math rendered)."""
    formulas = formulas_of(markup)
    if not formulas:
        return ["no formula found on the page"]
    problems = []
    for text, rendered in formulas:
        if not rendered:
            problems.append(f"formula not rendered: {text.strip()[:80]!r}")
        elif "\\(" in text or "\\[" in text:
            problems.append(f"raw TeX left: {text.strip()[:80]!r}")
    return problems


def pages_with_math(site, limit):
    pages = [site / page for page in DEFAULT_PAGES if (site / page).is_file()]
    if not pages:
        pages = [p for p in sorted(site.rglob("*.html")) if 'class="math' in p.read_text(encoding="utf-8")]
    return pages[:limit]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", nargs="?", default=str(DEFAULT_SITE), help="the built HTML folder")
    parser.add_argument("--pages", nargs="*", default=None, help="pages to open, relative to the site")
    parser.add_argument("--limit", type=int, default=2, help="pages to open when none are named")
    parser.add_argument("--browser", default=None, help="the Chromium executable (default: found on PATH)")
    parser.add_argument("--budget-ms", type=int, default=15000, help="virtual time a page may run")
    args = parser.parse_args(argv)
    site = pathlib.Path(args.site).resolve()
    browser = args.browser or find_browser()
    pages = [site / page for page in args.pages] if args.pages else pages_with_math(site, args.limit)
    if not pages:
        raise SystemExit(f"no page with formulas under {site}: build the documentation first")
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        control = pathlib.Path(folder) / "control.html"
        control.write_text(CONTROL_PAGE, encoding="utf-8")
        if not problems_of(rendered_dom(browser, control.as_uri(), args.budget_ms, pathlib.Path(folder) / "p0")):
            print("FAILED: a page loading MathJax from a CDN rendered, so the network is not off; "
                  "the check proves nothing here")
            return 1
        print("control: MathJax from a CDN does not load (the network is off)")
        for index, page in enumerate(pages, start=1):
            markup = rendered_dom(browser, page.as_uri(), args.budget_ms, pathlib.Path(folder) / f"p{index}")
            problems = problems_of(markup)
            n_formulas = len(formulas_of(markup))
            name = page.relative_to(site) if page.is_relative_to(site) else page
            if problems:
                failed = True
                print(f"FAILED {name}: {len(problems)} of {n_formulas} formulas: " + "; ".join(problems[:5]))
            else:
                print(f"ok {name}: {n_formulas} formulas rendered by MathJax offline (mjx-container, no raw TeX)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
