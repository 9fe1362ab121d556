"""Sphinx extension of the project, loaded by _config.yml (sphinx.local_extensions).

Jupyter Book's LaTeX helper turns `numfig` on for every builder; with it on, Sphinx reloads
every page's doctree on every build (even when nothing changed) to number figures the site
does not have. Turn it off again after that helper ran."""


def _no_figure_numbers(app, config):
    config.numfig = False


def setup(app):
    app.connect("config-inited", _no_figure_numbers, priority=900)   # after the LaTeX helper (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
