#!/usr/bin/env python3
"""Entry point: python scripts/kb.py COMMAND (see --help)."""
import gc
import os
import sys
from pathlib import Path

# Builds load and write caches of millions of small objects; the cyclic collector's default
# threshold (every 700 new objects) made it run thousands of times for little garbage.
gc.set_threshold(10_000, 20, 20)

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kb.cli import main  # noqa: E402

if __name__ == "__main__":
    code = main()
    # a build leaves millions of objects behind: freeing them one by one at exit takes
    # longer than some builds (0.2 s at 10,000 items). Everything is written; leave at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
