"""A field laptop stays usable while it imports: sign-ins and audit writes during a big import.

Run as on the laptop: ``commonground serve`` and ``commonground import`` as two processes on one
SQLite file in their own COMMONGROUND_HOME, a third process writing audit rows, and people
signing in over HTTP on loopback while the import writes. The file is a labelled synthetic GED
release (``bench/synthetic.py``), big enough that the import holds SQLite's write lock for a
while (issue 11 §13: 3 of 7 sign-ins failed with HTTP 500 during a 300,000-row import).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.synthetic import write_synthetic_ged
from commonground.web.tests.test_server import COMMAND, environment, free_port, get

pytestmark = pytest.mark.slow

#: Synthetic events in the file: the import then writes for several seconds on this machine.
ROWS = int(os.environ.get("COMMONGROUND_TEST_IMPORT_ROWS", "120000"))

CHECKOUT = str(Path(__file__).resolve().parents[3])

PASSWORD = "synthetic-test-password-2026"  # a throwaway account in a temp folder
STAGING = "commonground-staging-*"

#: A process that writes one audit row at a time until told to stop, counting what failed.
AUDIT_WRITER = """
import os, sys, time, django
django.setup()
from pathlib import Path
from commonground.sharing.models import AuditEvent
stop = Path(sys.argv[1])
written = failed = 0
while not stop.exists():
    started = time.monotonic()
    try:
        AuditEvent.objects.create(action="test.concurrent-write", target="synthetic")
        written += 1
    except Exception as exc:
        failed += 1
        waited = time.monotonic() - started
        print(type(exc).__name__, exc, f"after {waited:.1f} s", file=sys.stderr, flush=True)
    time.sleep(0.02)
print(written, failed)
"""


@dataclass
class SignIns:
    """What the people signing in saw: one status per attempt, and any error text."""

    statuses: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    during_import: int = 0


def sign_in(base: str, username: str) -> int:
    """Sign in as a browser does (the form's CSRF token, then the POST); the answer's status."""
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(base + "/accounts/login/", timeout=120) as page:
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())
    assert token is not None
    form = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1].decode()}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback, ours)
        base + "/accounts/login/", data=form, headers={"Referer": base + "/accounts/login/"}
    )
    try:
        with opener.open(request, timeout=120) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@pytest.fixture
def laptop(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    """A served Common Ground in its own home folder, with a few people who may sign in."""
    env = {
        **environment(tmp_path),
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        "PYTHONPATH": CHECKOUT,  # this checkout's code, whichever one installed the command
    }
    subprocess.run([COMMAND, "init"], env=env, check=True, capture_output=True)  # noqa: S603
    for n in range(4):
        subprocess.run(  # noqa: S603 (our own command, fixed arguments)
            [
                COMMAND,
                "manage",
                "createsuperuser",
                "--noinput",
                f"--username=person{n}",
                f"--email=person{n}@example.org",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
        [COMMAND, "serve", "--port", str(port), "--threads", "8"],
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
        yield base, env, tmp_path
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_sign_ins_and_audit_writes_succeed_while_a_big_import_writes(
    laptop: tuple[str, dict[str, str], Path],
) -> None:
    base, env, home = laptop
    synthetic = write_synthetic_ged(home / "ged_23_1_SYNTHETIC_concurrency.csv", ROWS, seed=11)
    stop = home / "stop-audit-writer"
    writer = subprocess.Popen(  # noqa: S603 (our interpreter, our script)
        [sys.executable, "-c", AUDIT_WRITER, str(stop)],
        env={**env, "DJANGO_SETTINGS_MODULE": "commonground.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    importer = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
        [COMMAND, "import", "ged", str(synthetic), "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = SignIns()
    lock = threading.Lock()

    def person(n: int) -> None:
        while importer.poll() is None:
            writing = any(home.glob(STAGING))
            started = time.monotonic()
            try:
                status = sign_in(base, f"person{n}")
            except OSError as exc:  # a refused or dropped connection fails the test too
                status, error = 0, f"{type(exc).__name__}: {exc}"
            else:
                error = ""
            with lock:
                seen.statuses.append(status)
                seen.during_import += writing
                if error:
                    seen.errors.append(error)
            print(f"person{n}: {status} in {time.monotonic() - started:.1f} s")

    # People start signing in once the import writes (its staging folder appears).
    deadline = time.monotonic() + 600
    while not any(home.glob(STAGING)) and importer.poll() is None:
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.05)
    people = [threading.Thread(target=person, args=(n,)) for n in range(4)]
    for thread in people:
        thread.start()
    output, _ = importer.communicate(timeout=600)
    for thread in people:
        thread.join(timeout=300)
    stop.touch()
    audit_out, audit_err = writer.communicate(timeout=120)
    written, failed = (int(n) for n in audit_out.split())

    assert importer.returncode == 0, output
    assert seen.during_import > 0, "no sign-in overlapped the import's write"
    assert seen.errors == []
    assert seen.statuses and set(seen.statuses) == {302}, seen.statuses
    assert (failed, audit_err) == (0, "")
    assert written > 0
