"""Static files are served compressed under hashed names that browsers cache for a year.

The real `commonground init` (which collects them) and `commonground serve` in a subprocess, on
a new COMMONGROUND_HOME, asked over HTTP on loopback as a browser would.
"""

from __future__ import annotations

import gzip
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import commonground

pytestmark = pytest.mark.slow

ROOT = Path(commonground.__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from commonground.cli.main import main; main()"]

#: The full plotly.js bundle in the plotly wheel, uncompressed (what pages used to download).
PLOTLY_BYTES = 4_815_814


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, gzip_ok: bool = False) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})  # noqa: S310  # loopback, ours
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  # loopback, ours
        return {k.lower(): v for k, v in response.headers.items()}, response.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module: init (migrations, collectstatic) is the slow part."""
    env = {**os.environ, "COMMONGROUND_HOME": str(tmp_path_factory.mktemp("home"))}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([*CLI, "init"], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603  # our command
    port = free_port()
    process = subprocess.Popen(  # noqa: S603  # our own command, fixed arguments
        [*CLI, "serve", "--port", str(port), "--threads", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                fetch(base + "/accounts/login/")
                break
            except OSError:
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_chart_library_is_hashed_compressed_and_cached_for_long(server: str) -> None:
    _headers, page = fetch(server + "/map/")
    found = re.search(rb'src="(/static/plotly/plotly\.min\.[0-9a-f]{12}\.js)"', page)
    assert found is not None, "the map page names plotly.js by its hashed name"

    headers, body = fetch(server + found.group(1).decode(), gzip_ok=True)

    assert headers["content-encoding"] == "gzip"
    assert len(body) < PLOTLY_BYTES / 3  # 1.5 MB instead of 4.8 MB
    assert len(gzip.decompress(body)) == PLOTLY_BYTES
    assert "max-age=315360000" in headers["cache-control"]
    assert "immutable" in headers["cache-control"]


def test_pages_without_charts_do_not_load_the_chart_library(server: str) -> None:
    for path in ("/accounts/login/", "/events/", "/coverage/"):
        _headers, page = fetch(server + path)
        assert b"plotly" not in page, path
