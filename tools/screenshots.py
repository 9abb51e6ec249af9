"""Screenshots of the overview and the map into ``docs/screenshots/``.

Drives Debian's Chromium through Playwright against a running server with the demo data::

    make demo                      # in one terminal (serves http://127.0.0.1:8000)
    .venv/bin/python tools/screenshots.py --base http://127.0.0.1:8000

The browser tests take the same screenshots of their live server (into a temporary folder).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from commonground.web.tests.browser import chromium, screenshots  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    with chromium() as browser:
        for path in screenshots(browser.new_page(), args.base, args.out):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
