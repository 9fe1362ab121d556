"""Knowledge base tooling: YAML content -> validated data -> MyST pages -> Jupyter Book site."""
