"""Django settings, read from the environment only.

Every variable read here is documented in ``docs/settings.md``; a test fails when one is not.
Bad values fail loudly at start-up rather than being silently replaced by a default.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything but the usual spellings is an error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int, minimum: int) -> int:
    """Read a whole number of at least ``minimum``; the error names the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_choice(name: str, default: str, choices: list[str]) -> str:
    """Read one of a few words (case-insensitive); the error names the variable and the words."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().upper()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return value


def env_text(name: str, default: str) -> str:
    """Read a free-text variable; blank means the default."""
    raw = os.environ.get(name)
    return default if raw is None or raw.strip() == "" else raw.strip()


def private_folder(path: Path, name: str) -> Path:
    """Create ``path`` readable by its owner only (0700): it holds the secret key and data."""
    try:
        if not path.exists():
            path.mkdir(parents=True, mode=0o700)
            path.chmod(0o700)  # mkdir's mode is filtered by the umask
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}: cannot create the folder {path}: {exc}") from exc
    if not path.is_dir():
        raise ImproperlyConfigured(f"{name} must be a folder; {path} is not one")
    return path


COMMONGROUND_HOME = Path(
    env_text("COMMONGROUND_HOME", str(Path.home() / ".local" / "share" / "commonground"))
).expanduser()

DEBUG = env_bool("COMMONGROUND_DEBUG", False)

_secret = env_text("COMMONGROUND_SECRET_KEY", "")
if _secret and (len(_secret) < 50 or len(set(_secret)) < 5):
    # Django's own bar for a strong key (check --deploy, security.W009).
    raise ImproperlyConfigured(
        "COMMONGROUND_SECRET_KEY must be at least 50 characters of at least 5 different "
        "ones (e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)"
    )
if not _secret:
    # A laptop in a field office must work out of the box: keep a random key in the home folder.
    _key_file = COMMONGROUND_HOME / "secret_key"
    if _key_file.exists():
        _secret = _key_file.read_text().strip()
    else:
        from django.core.management.utils import get_random_secret_key

        private_folder(COMMONGROUND_HOME, "COMMONGROUND_HOME")
        _secret = get_random_secret_key()
        # Created 0600 from the start: no moment at which another user could read it.
        _fd = os.open(_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(_fd, "w") as _out:
            _out.write(_secret)
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list("COMMONGROUND_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
for _host in ALLOWED_HOSTS:
    if not re.fullmatch(r"\*|\.?[A-Za-z0-9.*-]+(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?", _host):
        raise ImproperlyConfigured(
            "COMMONGROUND_ALLOWED_HOSTS must be host names separated by commas, such as "
            f"commonground.example.org,localhost; {_host!r} is not a host name"
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "commonground.core.staticfiles.StaticFiles",  # django.contrib.staticfiles, less plotly's extras
    "django.contrib.humanize",
    "ninja",  # serves the API docs (Swagger UI) from its own static files, not a CDN
    "axes",  # throttles repeated failed sign-ins (django-axes)
    "commonground.core",
    "commonground.sharing",
    "commonground.registry",
    "commonground.events",
    "commonground.analysis",
    "commonground.forecasts",
    "commonground.mandates",
    "commonground.voices",  # community reports, encrypted per organization
    "commonground.alerts",  # early warning from verified reports to circles (docs/alerts.md)
    "commonground.learning",  # indicators, exit benchmarks, theories of change, PDIA logs
    "commonground.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy: this origin only (below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "commonground.web.middleware.QueryLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Anonymous hits of cached aggregate answers leave here (commonground/analysis/cache.py).
    "commonground.analysis.cache.AnswerCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with its lockout page.
    "axes.middleware.AxesMiddleware",
]

#: django-axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "commonground.urls"
WSGI_APPLICATION = "commonground.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]


def private_sqlite_file(name: str) -> None:
    """Create a SQLite database file readable by its owner only (0600), before SQLite does.

    SQLite would create it 0644 (world-readable); its WAL, shared-memory and journal files take
    the database file's mode, so they are 0600 too. An empty file is an empty database, so the
    page size set at the first connection still applies. ``commonground init`` also tightens
    the files of an existing installation (``commonground.cli.setup.protect_files``).
    """
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    if path.exists() or not path.parent.is_dir():
        return
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        private_folder(COMMONGROUND_HOME, "COMMONGROUND_HOME")
        url = f"sqlite:///{COMMONGROUND_HOME / 'commonground.sqlite3'}"
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        private_sqlite_file(str(config.get("NAME") or ""))
        # WAL lets readers work during an import; synchronous=FULL survives a power cut,
        # which field laptops meet often. IMMEDIATE avoids "database is locked" on upgrade.
        config["OPTIONS"] = {
            # page_size applies when the file is created (before WAL): 16 KiB pages halve the
            # B-tree work of bulk event imports (docs/performance.md).
            "init_command": "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; "
            "PRAGMA synchronous=FULL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=120000;",
            # A web write waits for an import's commit rather than fail (ADR 0017).
            "timeout": 120,
            "transaction_mode": "IMMEDIATE",
        }
    elif config["ENGINE"] not in {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL names {config['ENGINE']}; Common Ground supports SQLite and PostgreSQL"
        )
    # Keep each server thread's connection between requests (checked before reuse): opening
    # SQLite and running its pragmas cost more than a cached answer itself (docs/performance.md).
    config["CONN_MAX_AGE"] = 600
    config["CONN_HEALTH_CHECKS"] = True
    test_name = os.environ.get("COMMONGROUND_TEST_DATABASE_NAME")
    if test_name:
        config["TEST"] = {"NAME": test_name}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_text("COMMONGROUND_STATIC_ROOT", str(COMMONGROUND_HOME / "static")))
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it before collectstatic
except OSError as exc:
    raise ImproperlyConfigured(
        f"COMMONGROUND_STATIC_ROOT: cannot create {STATIC_ROOT}: {exc}"
    ) from exc
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names cached for a year, gzip copies (commonground/core/staticfiles.py).
    "staticfiles": {"BACKEND": "commonground.core.staticfiles.HashedCompressedStorage"},
}
WHITENOISE_USE_FINDERS = True


def _package_dir(module: str, *parts: str) -> Path:
    """A folder inside an installed package, found without importing the package."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured(f"the package {module} is not installed: pip install -e .")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


# Front-end assets from installed packages, never a CDN (docs/adr/0005-maps-and-charts.md):
# Leaflet 1.9.3 and Leaflet.markercluster 1.4.1 from their XStatic packages (static files only;
# django-leaflet's app needs GDAL), plotly.js from the plotly wheel. No tile server is named.
STATICFILES_DIRS = [
    ("leaflet", _package_dir("xstatic.pkg.leaflet", "data")),
    ("markercluster", _package_dir("xstatic.pkg.leaflet_markercluster", "data")),
    ("plotly", _package_dir("plotly", "package_data")),
]

#: An online tile layer a deployment may switch on (``{z}/{x}/{y}`` URL); empty: none at all.
#: The disclosure gate (docs/disclosure-gate.md): cells of fewer than K records are suppressed;
#: never below 5. A release whose global re-identification risk exceeds 3 % is refused.
COMMONGROUND_DISCLOSURE_K = env_int("COMMONGROUND_DISCLOSURE_K", 10, minimum=5)
COMMONGROUND_DISCLOSURE_MAX_RISK = 0.03

COMMONGROUND_TILE_URL = env_text("COMMONGROUND_TILE_URL", "")
if COMMONGROUND_TILE_URL and not (
    COMMONGROUND_TILE_URL.startswith(("https://", "http://"))
    and all(part in COMMONGROUND_TILE_URL for part in ("{z}", "{x}", "{y}"))
):
    raise ImproperlyConfigured(
        "COMMONGROUND_TILE_URL must be an http(s) URL with {z}, {x} and {y}, "
        f"such as https://tiles.example.org/{{z}}/{{x}}/{{y}}.png, not {COMMONGROUND_TILE_URL!r}"
    )

#: Failed sign-ins (docs/settings.md): after this many in a row for one user name from one
#: address, that pair is locked out for the cool-off time, right password or not. Counting the
#: pair, not the name alone, keeps a stranger from locking a colleague out from elsewhere.
AXES_FAILURE_LIMIT = env_int("COMMONGROUND_SIGN_IN_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_int("COMMONGROUND_SIGN_IN_LOCKOUT_MINUTES", 15, minimum=1)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "commonground.web.accounts.locked_out"
AXES_VERBOSE = False  # the audit log records failures (sharing.signals), not the console

#: Content-Security-Policy (django-csp): pages load scripts, styles, data and images from this
#: origin only, no inline script or style, and may not be framed. ``data:`` images are the icons
#: inside the API docs' style sheet; an online tile layer's host is added when one is set.
_tile_origin = (
    "{0.scheme}://{0.netloc}".format(urlsplit(COMMONGROUND_TILE_URL.replace("{s}", "*")))
    if COMMONGROUND_TILE_URL
    else None
)
#: plotly.js adds its own two <style> elements (an empty one it fills through the CSS object
#: model, and its mode bar's rules); these hashes allow exactly those, not inline styles at large.
#: A new plotly.js changes the second: web/tests/test_csp_browser.py then names the new hash.
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # the empty <style>
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # plotly.js 3 (plotly 7.1 wheel)
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *PLOTLY_STYLE_HASHES],
        "img-src": [SELF, "data:", *([_tile_origin] if _tile_origin else [])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

#: Served over HTTPS (directly or behind a proxy that terminates TLS): switches on, unless each
#: is set otherwise, HSTS, the redirect of plain HTTP to HTTPS and cookies sent over HTTPS only.
#: A laptop serving 127.0.0.1 over plain HTTP leaves it off (docs/settings.md, SECURITY.md).
COMMONGROUND_HTTPS = env_bool("COMMONGROUND_HTTPS", False)
SECURE_HSTS_SECONDS = env_int(
    "COMMONGROUND_HSTS_SECONDS", 365 * 24 * 3600 if COMMONGROUND_HTTPS else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("COMMONGROUND_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("COMMONGROUND_HSTS_PRELOAD", False)
#: Preloading is a promise to browsers that is slow to undo (https://hstspreload.org): a
#: deployment opts in with COMMONGROUND_HSTS_PRELOAD, so its absence is not a warning.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_SSL_REDIRECT = env_bool("COMMONGROUND_SSL_REDIRECT", COMMONGROUND_HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = env_bool(
    "COMMONGROUND_SECURE_COOKIES", COMMONGROUND_HTTPS
)
#: The header a TLS-terminating proxy sets on HTTPS requests, e.g. ``X-Forwarded-Proto``; only
#: set it when the proxy always sets (or strips) that header, or clients could forge it.
_proxy_header = env_text("COMMONGROUND_PROXY_SSL_HEADER", "")
if _proxy_header and not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", _proxy_header):
    raise ImproperlyConfigured(
        f"COMMONGROUND_PROXY_SSL_HEADER must be a header name such as X-Forwarded-Proto, "
        f"not {_proxy_header!r}"
    )
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https") if _proxy_header else None
)

#: The organization that owns what the command line imports when no --owner is given.
COMMONGROUND_DEFAULT_OWNER = env_text("COMMONGROUND_DEFAULT_OWNER", "local")
if not re.fullmatch(r"[-a-zA-Z0-9_]{1,80}", COMMONGROUND_DEFAULT_OWNER):
    raise ImproperlyConfigured(
        "COMMONGROUND_DEFAULT_OWNER must be an organization slug (letters, digits, - and _, "
        f"at most 80), not {COMMONGROUND_DEFAULT_OWNER!r}"
    )

#: Where the real reference data lives (UCDP GED, registries); the demo reads it in place.
COMMONGROUND_DATA_DIR = Path(
    env_text("COMMONGROUND_DATA_DIR", str(BASE_DIR.parent.parent / "shared" / "data"))
).expanduser()
if COMMONGROUND_DATA_DIR.exists() and not COMMONGROUND_DATA_DIR.is_dir():
    raise ImproperlyConfigured(
        f"COMMONGROUND_DATA_DIR must be a folder; {COMMONGROUND_DATA_DIR} is a file"
    )

#: Importers list at most this many problems before they stop reading a bad file.
COMMONGROUND_MAX_PROBLEMS = env_int("COMMONGROUND_MAX_PROBLEMS", 50, minimum=1)

#: The largest file the import page accepts, in bytes (default 512 MiB).
COMMONGROUND_UPLOAD_MAX_BYTES = env_int(
    "COMMONGROUND_UPLOAD_MAX_BYTES", 512 * 1024 * 1024, minimum=1
)

#: Cached answers of aggregate endpoints (analysis/cache.py): keyed by the data generation and
#: the viewer's visibility, so never stale and never shared across visibilities. Each server
#: process keeps its own cache in memory. The import page's jobs are followed from whichever
#: server process the browser reaches (``commonground serve --workers``), so their state is
#: kept in files under COMMONGROUND_HOME, which every process on the machine shares.
COMMONGROUND_RESPONSE_CACHE = env_bool("COMMONGROUND_RESPONSE_CACHE", True)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "commonground",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    "jobs": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(COMMONGROUND_HOME / "jobs"),
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "commonground.core.logs.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals"]}},
    # django-axes logs three masked lines per failed sign-in; the audit log has them in full.
    "loggers": {"axes": {"level": "ERROR"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "COMMONGROUND_LOG_LEVEL",
            "WARNING",
            [logging.getLevelName(n) for n in (10, 20, 30, 40, 50)],
        ),
    },
}
