"""`kb.py serve`: answers on 127.0.0.1, picks up an edit to a YAML file, stops itself."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

from conftest import FIXTURES, make_project

DEADLINE_SECONDS = 120


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def test_serve_builds_answers_and_rebuilds_after_an_edit(tmp_path):
    root = make_project(tmp_path / "project", FIXTURES / "mini")
    process = subprocess.Popen([sys.executable, str(root / "scripts" / "kb.py"), "serve", "--port", "0",
                                "--max-seconds", str(DEADLINE_SECONDS)], cwd=root, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        started = time.monotonic()
        url = None
        while url is None and time.monotonic() - started < 90:       # the first build, then the server
            found = [m for line in list(lines) if (m := re.match(r"serving (http://127\.0\.0\.1:\d+/) ", line))]
            url = found[0].group(1) if found else None
            assert process.poll() is None, "".join(lines)
            time.sleep(0.2)
        assert url, "".join(lines)
        status, page = fetch(url + "book/kb/scripts/objection.html")
        assert status == 200 and "ask-price 的推荐回应" in page

        script = root / "content" / "scripts" / "ask-price.yml"
        script.write_text(script.read_text(encoding="utf-8").replace("ask-price 的推荐回应", "改过的推荐回应"), encoding="utf-8")
        changed = False
        while not changed and time.monotonic() - started < DEADLINE_SECONDS - 10:
            time.sleep(0.5)
            changed = "改过的推荐回应" in fetch(url + "book/kb/scripts/objection.html")[1]
        assert changed, "".join(lines)
        assert any(line.startswith("change detected: rebuilding") for line in lines)

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        reader.join(timeout=5)
        assert lines[-1] == "stopped\n"
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def test_serve_survives_broken_content_and_stops_after_max_seconds(tmp_path):
    root = make_project(tmp_path / "project", FIXTURES / "mini")
    script = root / "content" / "scripts" / "ask-price.yml"
    script.write_text(script.read_text(encoding="utf-8").replace("stage: objection", "stage: objections"), encoding="utf-8")
    result = subprocess.run([sys.executable, str(root / "scripts" / "kb.py"), "serve", "--port", "0", "--max-seconds", "1"],
                            cwd=root, text=True, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("content/scripts/ask-price.yml:4:8: stage: expected one of")
    assert "the server keeps showing the last good site; save a fix and it rebuilds" in result.stderr
    assert re.search(r"^serving http://127\.0\.0\.1:\d+/ from _build/html ", result.stdout, re.M)
    assert result.stdout.endswith("stopped after 1 s (--max-seconds)\n")


def test_serve_reports_a_busy_port_before_building(tmp_path):
    import socket
    root = make_project(tmp_path / "project", FIXTURES / "mini")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, str(root / "scripts" / "kb.py"), "serve", "--port", str(port)],
                                cwd=root, text=True, capture_output=True, timeout=60)
    assert (result.returncode, result.stderr) == (
        1, f"error: cannot listen on 127.0.0.1:{port} (Address already in use); try another --port\n")
    assert not (root / "_build" / "html").exists()
