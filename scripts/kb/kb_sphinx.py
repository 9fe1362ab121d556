"""Sphinx extension of the project, loaded by _config.yml (sphinx.local_extensions).

Pages are read on a phone, often on mobile data (issue 18): each page loads only the
stylesheets and scripts it uses, no script holds up the first paint, and the theme's
navigation is described to screen readers completely. search.html shows the reply finder
instead of Sphinx's own search (issue 11)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from docutils import nodes

# Files a page needs only when it shows a code block (the copyable scripts): sphinx-copybutton
# puts its button on `div.highlight pre`, and pygments.css colours only those blocks.
_CODE_BLOCK_ASSETS = ("clipboard.min.js", "copybutton.js", "copybutton.css", "pygments.css")


def _drop_unused_assets(app, pagename, templatename, context, doctree):
    """myst-nb adds its notebook-output stylesheet (43 KB) and sphinx-copybutton its script,
    library and stylesheet to every page; a page without notebook output or code blocks
    does not load them: every byte counts on a rep's mobile data."""
    unused: set[str] = set()
    if not _contains(doctree, _is_notebook_output):
        unused.add("mystnb.")
    if not _contains(doctree, nodes.literal_block):
        unused.update(_CODE_BLOCK_ASSETS)
    if not unused:
        return
    context["css_files"] = [css for css in context.get("css_files", []) if not _named(css, unused)]
    context["script_files"] = [js for js in context.get("script_files", []) if not _named(js, unused)]


def _contains(doctree, condition) -> bool:
    return doctree is not None and doctree.next_node(condition) is not None


def _is_notebook_output(node) -> bool:
    return "cell" in node.get("classes", []) if hasattr(node, "get") else False


def _named(asset, names: set[str]) -> bool:
    """Whether a stylesheet or script file is one of `names` (a name ending in "." is a prefix:
    myst-nb's file name carries a hash)."""
    filename = str(getattr(asset, "filename", asset) or "").rsplit("/", 1)[-1]
    return any(filename.startswith(name) if name.endswith(".") else filename == name for name in names)


def _defer_scripts(app, pagename, templatename, context, doctree):
    """Furo writes the scripts at the end of <body> without `defer`, so the browser still
    parses them before it paints. Deferred, they keep their order and run before
    DOMContentLoaded, which is when Sphinx's, Furo's and our scripts start working. Sphinx's own
    search template, if it is ever used again, is left alone: it adds searchtools.js after
    them, undeferred, and that file needs doctools.js when it runs."""
    if templatename == "search.html":
        return
    from sphinx.builders.html._assets import _JavaScript
    scripts = []
    for js in context.get("script_files", []):
        attributes = getattr(js, "attributes", None)
        if isinstance(js, _JavaScript) and js.filename and not {"async", "defer"} & set(attributes) \
                and attributes.get("type") != "module":
            js = _JavaScript(js.filename, priority=js.priority, **attributes, defer="defer")
        scripts.append(js)
    context["script_files"] = scripts


_CAPTION = '<p class="caption" role="heading">'


def _caption_heading_level(app, pagename, templatename, context, doctree):
    """Sphinx writes the sidebar's part captions as `role="heading"` without the
    `aria-level` that role requires; screen readers then cannot place them. Runs after
    Furo's own handler, which builds the sidebar HTML."""
    tree = context.get("furo_navigation_tree")
    if tree and _CAPTION in tree:
        # str() first: on markupsafe's Markup, replace() would escape the new tag
        context["furo_navigation_tree"] = str(tree).replace(_CAPTION, '<p class="caption" role="heading" aria-level="2">')


def _own_fingerprint() -> str:
    """Sphinx rewrites a page only when its source or an "html" setting changed; a new version
    of these hooks changes every page, so it is such a setting."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


FINDER_BODY = """
<section id="kb-finder-page">
<h1>查找话术</h1>
<div id="kb-finder">
<form class="kb-finder-form" role="search" action="" method="get">
<input type="search" name="q" autocomplete="off" enterkeyhint="search" placeholder="粘贴或输入客户发来的话" aria-label="输入客户发来的话，查找对应话术">
<button class="kb-finder-go" type="submit">查找</button>
</form>
<noscript><p>查找话术需要开启浏览器的 JavaScript。也可以从话术目录按阶段查看。</p></noscript>
<p class="kb-finder-status" role="status" aria-live="polite"></p>
<ol class="kb-finder-scripts" aria-label="最接近的话术"></ol>
<h2 class="kb-finder-others-title" hidden>相关的产品、案例、群规、流程与页面</h2>
<ul class="kb-finder-others"></ul>
<div class="kb-finder-fallback"></div>
</div>
</section>
"""


def _finder_search_page(app, pagename, templatename, context, doctree):
    """search.html stays the entry point (search.html?q=…), but shows the reply finder
    (book/_static/finder.js) instead of Sphinx's own search: the page is rendered with the
    theme's ordinary page template, so Sphinx's searchtools.js is not loaded at all."""
    if pagename != "search":
        return None
    from markupsafe import Markup
    context["body"] = Markup(FINDER_BODY)
    context["title"] = context["pagetitle"] = "查找话术"
    for key, value in (("toc", ""), ("display_toc", False), ("meta", {}), ("metatags", ""), ("sourcename", ""),
                       ("page_source_suffix", ""), ("rellinks", []), ("parents", []), ("prev", None), ("next", None)):
        context.setdefault(key, value)
    return "page.html"


def _no_sphinx_search_index(app):
    """The reply finder has its own index (scripts/kb/finder.py): Sphinx need not segment
    every page for a searchindex.js nothing loads."""
    if hasattr(app.builder, "search"):
        app.builder.search = False


def _search_page(app):
    """With Sphinx's indexer off, Sphinx no longer writes search.html itself; links and
    bookmarks use search.html?q=…, so add it (_finder_search_page fills it)."""
    if getattr(app.builder, "search", True) is False:
        yield "search", {}, "page.html"


def setup(app):
    app.add_config_value("kb_sphinx_fingerprint", _own_fingerprint(), "html")
    app.connect("html-page-context", _drop_unused_assets)
    app.connect("html-page-context", _finder_search_page)
    app.connect("html-page-context", _defer_scripts, priority=800)
    app.connect("html-page-context", _caption_heading_level, priority=800)   # after Furo (500)
    app.connect("builder-inited", _no_sphinx_search_index)
    app.connect("html-collect-pages", _search_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
