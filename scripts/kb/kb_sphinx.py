"""Sphinx extension of the project, loaded by _config.yml (sphinx.local_extensions).

Jupyter Book needs myst-nb to read pages, and myst-nb adds its notebook-output stylesheet
(43 KB) to every page. The site has no notebook pages, so pages that show no notebook
output do not load it: every byte counts on a rep's mobile data."""


def _drop_unused_notebook_css(app, pagename, templatename, context, doctree):
    if doctree is not None and doctree.next_node(_is_notebook_output) is not None:
        return
    context["css_files"] = [css for css in context.get("css_files", []) if not _is_mystnb_css(css)]


def _is_notebook_output(node) -> bool:
    return "cell" in node.get("classes", []) if hasattr(node, "get") else False


def _is_mystnb_css(css) -> bool:
    filename = getattr(css, "filename", css)
    return str(filename).rsplit("/", 1)[-1].startswith("mystnb.")


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
    app.connect("html-page-context", _drop_unused_notebook_css)
    app.connect("html-page-context", _finder_search_page)
    app.connect("builder-inited", _no_sphinx_search_index)
    app.connect("html-collect-pages", _search_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
