"""Atomic publish: a build that fails at any stage leaves the previous `_build/html` exactly as
it was (same link target, same checksum); two builds at once are refused with a clear message."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import FIXTURES, make_project, run_kb
from sitecheck import broken_internal_links, tree_checksum


@pytest.fixture(scope="module")
def site_root(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("atomic") / "project", FIXTURES / "mini")
    result = run_kb(root, "build")
    assert result.returncode == 0, result.stderr
    return root


def published(root: Path) -> tuple[str, str]:
    """What readers get: where the link points and the checksum of every file behind it."""
    link = root / "_build" / "html"
    return os.readlink(link), tree_checksum(link)


@contextmanager
def edited(path: Path, old: str, new: str):
    """`path` with `old` replaced by `new` inside the block, as it was after it."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    try:
        yield
    finally:
        path.write_text(text, encoding="utf-8")


def kb_command(root: Path, *args: str) -> list[str]:
    return [sys.executable, str(root / "scripts" / "kb.py"), *args]


def test_failed_validation_leaves_the_site(site_root):
    before = published(site_root)
    script = site_root / "content" / "scripts" / "ask-price.yml"
    with edited(script, "text: 您好，这是 ask-price 的推荐回应。", "text: 这是最好的面霜。"):
        result = run_kb(site_root, "build")
    assert result.returncode == 1
    assert result.stderr.startswith('content/scripts/ask-price.yml:9:11: response.text: "这是最好的面霜。" — ')
    assert published(site_root) == before
    # jupyter-book was started before the content was checked (site.JupyterBook): it has
    # ended with kb.py, and with it the lock it held
    from kb.site import build_lock
    with build_lock(site_root):
        pass


def test_failed_book_stage_leaves_the_site_and_fails_again_if_unchanged(site_root):
    before = published(site_root)
    guide = site_root / "book" / "trainer-guide.md"
    good = guide.read_text(encoding="utf-8")
    guide.write_text(good + "\n[坏链接](#kb-no-such-page)\n", encoding="utf-8")
    line = len((good + "\n[坏链接](#kb-no-such-page)\n").splitlines())
    expected = (f"error: jupyter-book build failed (warnings count as errors):\n"
                f"    {guide}:{line}: WARNING: 'myst' cross-reference target not found: 'kb-no-such-page' [myst.xref_missing]\n"
                "The previous site in _build/html was left as it was.\n")
    try:
        first = run_kb(site_root, "build")
        # nothing changed since the failure: an incremental build must not forget the warning
        second = run_kb(site_root, "build")
    finally:
        guide.write_text(good, encoding="utf-8")
    assert (first.returncode, first.stderr) == (1, expected)
    assert (second.returncode, second.stderr) == (1, expected)
    assert published(site_root) == before


def test_failed_copy_leaves_the_site_and_no_half_copied_folder(site_root, monkeypatch):
    import shutil
    from kb import site
    from kb.pipeline import Progress, build
    before = published(site_root)
    folders = sorted(p.name for p in (site_root / "_build").iterdir())

    def disk_full(source, target, **kwargs):
        Path(target).mkdir()
        (Path(target) / "index.html").write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(site.shutil, "copytree", disk_full)
    with pytest.raises(site.BuildError) as raised:
        build(site_root, Progress(out=lambda line: None), force=True)
    monkeypatch.setattr(site.shutil, "copytree", shutil.copytree)
    assert str(raised.value).startswith("copying the new site to site-")
    assert str(raised.value).endswith(" failed: No space left on device")
    assert published(site_root) == before
    assert sorted(p.name for p in (site_root / "_build").iterdir()) == folders


def test_interrupted_build_leaves_the_site(site_root):
    before = published(site_root)
    script = site_root / "content" / "scripts" / "ask-price.yml"
    with edited(script, "您好，这是 ask-price 的推荐回应。", "您好，这是被打断的那次构建。"):
        process = subprocess.Popen(kb_command(site_root, "build"), cwd=site_root, text=True, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        for line in process.stdout:          # interrupt while jupyter-book runs
            if line.startswith("write"):
                process.send_signal(signal.SIGINT)
                break
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr == "interrupted; the previous site in _build/html was left as it was.\n"
    assert published(site_root) == before
    assert "被打断" not in (site_root / "_build/html/book/kb/scripts/objection.html").read_text(encoding="utf-8")


def test_second_build_is_refused_while_one_runs(site_root):
    from kb.site import build_lock
    before = published(site_root)
    with build_lock(site_root):
        result = run_kb(site_root, "build")
    assert result.returncode == 1
    assert result.stderr == (f"error: another build is running (process {os.getpid()}); wait for it to finish and try again\n"
                             "The previous site in _build/html was left as it was.\n")
    assert published(site_root) == before


def test_two_builds_started_at_once(site_root):
    """Also the first good build after the failures above: the site it publishes is whole.
    Forced: the inputs are again those of the live site, and a build with nothing to do can
    finish before the second one starts."""
    processes = [subprocess.Popen(kb_command(site_root, "build", "--force"), cwd=site_root, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outcomes = sorted((p.wait(timeout=120), p.stderr.read()) for p in processes)
    assert [code for code, _ in outcomes] == [0, 1]
    assert outcomes[1][1].startswith("error: another build is running (process ")
    assert broken_internal_links(site_root / "_build" / "html") == []


def test_a_killed_build_does_not_keep_the_lock(site_root):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, 'scripts'); from pathlib import Path; from kb.site import build_lock\n"
        "with build_lock(Path('.')):\n    print('locked', flush=True); time.sleep(60)")],
        cwd=site_root, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "locked\n"
    holder.kill()
    holder.wait(timeout=10)
    from kb.site import build_lock
    with build_lock(site_root):        # the kernel released the dead process's lock
        pass


def test_quick_successive_publishes_get_their_own_folders(site_root):
    from kb.site import KEEP_OLD_SITES, publish
    first, second = publish(site_root), publish(site_root)
    assert first != second
    assert (site_root / "_build" / "html").resolve() == second
    assert len(list((site_root / "_build").glob("site-*"))) == 1 + KEEP_OLD_SITES


def test_a_new_site_shares_the_unchanged_files_of_the_live_one(site_root):
    """Publishing links the files the live site already has instead of copying them; the
    changed page is a file of its own, and removing the old site leaves the new one whole."""
    import shutil
    old_site = (site_root / "_build" / "html").resolve()
    script = site_root / "content" / "scripts" / "ask-price.yml"
    with edited(script, "text: ", "text: 链接测试。"):
        result = run_kb(site_root, "build")
    assert result.returncode == 0, result.stderr
    new_site = (site_root / "_build" / "html").resolve()
    assert new_site != old_site
    changed = Path("book/kb/scripts/objection.html")
    assert "链接测试。" in (new_site / changed).read_text(encoding="utf-8")
    assert (new_site / changed).stat().st_ino != (old_site / changed).stat().st_ino
    shared = [p.relative_to(new_site) for p in new_site.rglob("*.css")]
    assert shared and all((new_site / p).stat().st_ino == (old_site / p).stat().st_ino for p in shared)
    before = tree_checksum(new_site)
    shutil.rmtree(old_site)
    assert tree_checksum(new_site) == before
    assert broken_internal_links(new_site) == []
