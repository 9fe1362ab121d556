"""Shared test helpers: copies of the project in tmp_path, running the CLI, the browser."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(ROOT / "scripts"))
# The exact-message fixtures are in English: every test (and every kb.py it runs) speaks English
# unless it asks for another language with the `language` fixture below.
os.environ["KB_LANG"] = "en"


@pytest.fixture
def language(monkeypatch):
    """Call language("zh_CN") to run the rest of the test (and the kb.py it starts) in zh_CN."""
    from kb import i18n
    def choose(name: str) -> None:
        monkeypatch.setenv("KB_LANG", name)
        i18n.set_language(None)
    yield choose
    i18n.set_language(None)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


def make_project(dest: Path, content: Path | None = None) -> Path:
    """A copy of the project's code and book with the given content folder (default: the sample)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "_config.yml", dest)
    shutil.copytree(ROOT / "book", dest / "book", ignore=shutil.ignore_patterns("kb"))
    shutil.copytree(ROOT / "scripts", dest / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(content or ROOT / "content", dest / "content")
    (dest / "quizzes").mkdir(exist_ok=True)
    # The item bank names ids of the sample content, so it only goes with the sample content.
    if content is None and (ROOT / "quizzes" / "bank").is_dir():
        shutil.copytree(ROOT / "quizzes" / "bank", dest / "quizzes" / "bank")
    return dest


def mini_with_overlay(tmp_path: Path, case_dir: Path) -> Path:
    """A project folder whose content is the mini fixture with <case_dir>/content/ laid over it
    (files copied, symbolic links recreated) and the files named in <case_dir>/remove.txt removed."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "mini", root / "content")
    for path in sorted((case_dir / "content").rglob("*")):
        target = root / "content" / path.relative_to(case_dir / "content")
        if path.is_symlink():
            target.unlink(missing_ok=True)
            target.symlink_to(path.readlink())
        elif path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    remove = case_dir / "remove.txt"
    if remove.exists():
        for rel in remove.read_text(encoding="utf-8").split():
            (root / "content" / rel).unlink()
    return root


def run_kb(root: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(root / "scripts" / "kb.py"), *args], cwd=root,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def mini_project(tmp_path) -> Path:
    """The small fixture content set (one item of each kind) in a project copy."""
    return make_project(tmp_path / "project", FIXTURES / "mini")


@pytest.fixture(scope="session")
def built_mini_site(tmp_path_factory) -> Path:
    """The mini fixture book built once per session; returns the project root."""
    root = make_project(tmp_path_factory.mktemp("mini-site") / "project", FIXTURES / "mini")
    result = run_kb(root, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright. Missing Chromium is an error, not a skip:
    `bash .ci/setup --browser` installs it."""
    from playwright.sync_api import sync_playwright
    assert Path(CHROMIUM).exists(), "Debian's chromium is not installed: run bash .ci/setup --browser"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def serve(folder: Path):
    """Serve a folder on a free localhost port in a thread; returns (base_url, server)."""
    import functools
    import http.server
    import threading
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


@pytest.fixture(scope="session")
def mini_site_url(built_mini_site):
    url, server = serve((built_mini_site / "_build" / "html").resolve())
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def built_sample_site(tmp_path_factory) -> Path:
    """The shipped sample content built once per session; returns the project root."""
    root = make_project(tmp_path_factory.mktemp("sample-site") / "project")
    result = run_kb(root, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.fixture(scope="session")
def sample_site_url(built_sample_site):
    url, server = serve((built_sample_site / "_build" / "html").resolve())
    yield url
    server.shutdown()
