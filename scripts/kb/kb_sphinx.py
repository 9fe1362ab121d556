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


def setup(app):
    app.connect("html-page-context", _drop_unused_notebook_css)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
