"""`commonground serve --workers`: several server processes answer, and share import jobs.

Run as an operator would: the real command in a subprocess, on a new SQLite database in its own
COMMONGROUND_HOME, asked over HTTP on loopback.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

COMMAND = Path(sys.executable).parent / "commonground"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(home: Path) -> dict[str, str]:
    env = {**os.environ, "COMMONGROUND_HOME": str(home)}
    env.pop("DATABASE_URL", None)  # the server's own SQLite database in home
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback, ours)
        return int(response.status), response.read()


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    env = environment(tmp_path)
    init: list[str | Path] = [COMMAND, "init"]
    subprocess.run(init, env=env, check=True, capture_output=True)  # noqa: S603 (our command)
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
        [COMMAND, "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                get(base + "/static/web/site.css")
                break
            except OSError:
                time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_two_worker_processes_answer_pages_and_the_api(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = server

    answers = [get(base + "/api/v1/stats") for _ in range(6)]

    assert {status for status, _body in answers} == {200}
    assert {json.loads(body)["events"] for _status, body in answers} == {0}
    assert get(base + "/")[0] == 200
    assert len(children(process.pid)) == 2


def test_an_import_jobs_state_is_seen_by_every_process(tmp_path: Path) -> None:
    """The import page's progress is written by one process and polled through any other."""
    script = (
        "import django, sys; django.setup(); from commonground.web import imports; "
        "imports.save_job('0' * 32, {'phase': 'writing', 'done': 7}) if sys.argv[1] == 'w' "
        "else print(imports.job_state('0' * 32))"
    )
    env = {**environment(tmp_path), "DJANGO_SETTINGS_MODULE": "commonground.settings"}
    python = [sys.executable, "-c", script]
    subprocess.run([*python, "w"], env=env, check=True)  # noqa: S603 (our own code)

    read = subprocess.run(  # noqa: S603 (our own code, fixed arguments)
        [*python, "r"], env=env, check=True, capture_output=True, text=True
    )

    assert read.stdout.strip() == "{'phase': 'writing', 'done': 7}"
