"""Settings: a bad value stops start-up with a message that names the variable; the production
settings pass Django's deployment checks with no warning.

Each case starts a fresh Python that reads commonground.settings, as the server would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import commonground

ROOT = Path(commonground.__file__).resolve().parent.parent

#: A strong key for the production case (generated once for the test; not a real secret).
TEST_SECRET_KEY = "k" + "".join(chr(ord("a") + (n * 7) % 26) for n in range(60))


def python(home: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = ("COMMONGROUND_", "DATABASE_URL")
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(inherited)},
        "COMMONGROUND_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "commonground.settings",
        **env,
    }
    return subprocess.run(  # noqa: S603  # our own interpreter, fixed code
        [sys.executable, "-c", code],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def start(home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return python(home, "import django; django.setup()", **env)


BAD_VALUES = [
    # (variable, value, what the message says)
    ("COMMONGROUND_LOG_LEVEL", "loud", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("COMMONGROUND_UPLOAD_MAX_BYTES", "-5", "must be at least 1"),
    ("COMMONGROUND_UPLOAD_MAX_BYTES", "lots", "must be a whole number"),
    ("COMMONGROUND_MAX_PROBLEMS", "0", "must be at least 1"),
    ("COMMONGROUND_DEBUG", "maybe", "must be true or false"),
    ("COMMONGROUND_HTTPS", "sure", "must be true or false"),
    ("COMMONGROUND_HSTS_SECONDS", "-1", "must be at least 0"),
    ("COMMONGROUND_SIGN_IN_FAILURES", "0", "must be at least 1"),
    ("COMMONGROUND_SIGN_IN_LOCKOUT_MINUTES", "soon", "must be a whole number"),
    ("COMMONGROUND_SECRET_KEY", "short", "must be at least 50 characters"),
    ("COMMONGROUND_DEFAULT_OWNER", "my org", "must be an organization slug"),
    ("COMMONGROUND_PROXY_SSL_HEADER", "X-Forwarded-Proto: https", "must be a header name"),
    ("COMMONGROUND_TILE_URL", "tiles.example.org", "must be an http(s) URL"),
    ("DATABASE_URL", "mysql://x@y/z", "Common Ground supports SQLite and PostgreSQL"),
    ("COMMONGROUND_ALLOWED_HOSTS", "https://example.org", "is not a host name"),
    ("COMMONGROUND_STATIC_ROOT", "/proc/no-such/static", "cannot create"),
]


@pytest.mark.parametrize(("name", "value", "says"), BAD_VALUES)
def test_a_bad_value_is_named_in_one_line(tmp_path: Path, name: str, value: str, says: str) -> None:
    result = start(tmp_path, **{name: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert name in last_line
    assert says in last_line


def test_good_values_start(tmp_path: Path) -> None:
    result = start(
        tmp_path,
        COMMONGROUND_LOG_LEVEL="info",
        COMMONGROUND_UPLOAD_MAX_BYTES="1048576",
        COMMONGROUND_HTTPS="true",
        COMMONGROUND_ALLOWED_HOSTS="commonground.example.org,.example.net,[::1]:8000,*",
    )
    assert result.returncode == 0, result.stderr


PRODUCTION = {
    "COMMONGROUND_HTTPS": "true",
    "COMMONGROUND_SECRET_KEY": TEST_SECRET_KEY,
    "COMMONGROUND_ALLOWED_HOSTS": "commonground.example.org",
    "COMMONGROUND_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def test_production_settings_pass_check_deploy_with_no_warning(tmp_path: Path) -> None:
    result = python(
        tmp_path,
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_https_check_deploy_names_what_is_missing(tmp_path: Path) -> None:
    """The check can fail: the same command warns about a plain-HTTP laptop set-up."""
    result = python(
        tmp_path,
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')",
        **{**PRODUCTION, "COMMONGROUND_HTTPS": "false"},
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_https_switches_on_hsts_redirect_secure_cookies_and_the_proxy_header(
    tmp_path: Path,
) -> None:
    result = python(
        tmp_path,
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)",
        **PRODUCTION,
    )
    assert result.stdout.split(maxsplit=4) == [
        "31536000",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')\n",
    ]
