"""Sphinx extension of the project, loaded by _config.yml (sphinx.local_extensions).

Jupyter Book's LaTeX helper turns `numfig` on for every builder; with it on, Sphinx reloads
every page's doctree on every build (even when nothing changed) to number figures the site
does not have. Turn it off again after that helper ran."""


def _no_figure_numbers(app, config):
    config.numfig = False


def _escaped_page_title(app, pagename, templatename, context, doctree):
    """sphinx-book-theme prints `<h1>{{ pagetitle }}</h1>` for printing, and Sphinx makes
    pagetitle with striptags, which turns the escaped `&lt;script&gt;` of a title back into
    markup. Trainer text in a title must stay text: hand the theme the escaped form."""
    from markupsafe import Markup, escape
    if context.get("pagetitle"):
        context["pagetitle"] = Markup(escape(str(context["pagetitle"])))


def setup(app):
    app.connect("config-inited", _no_figure_numbers, priority=900)   # after the LaTeX helper (500)
    app.connect("html-page-context", _escaped_page_title)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
