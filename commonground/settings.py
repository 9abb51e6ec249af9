"""Django settings, read from the environment only.

Every variable read here is documented in ``docs/settings.md``; a test fails when one is not.
Bad values fail loudly at start-up rather than being silently replaced by a default.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
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


COMMONGROUND_HOME = Path(
    os.environ.get("COMMONGROUND_HOME") or Path.home() / ".local" / "share" / "commonground"
).expanduser()

DEBUG = env_bool("COMMONGROUND_DEBUG", False)

_secret = os.environ.get("COMMONGROUND_SECRET_KEY", "")
if not _secret:
    # A laptop in a field office must work out of the box: keep a random key in the home folder.
    _key_file = COMMONGROUND_HOME / "secret_key"
    if _key_file.exists():
        _secret = _key_file.read_text().strip()
    else:
        from django.core.management.utils import get_random_secret_key

        COMMONGROUND_HOME.mkdir(parents=True, exist_ok=True)
        _secret = get_random_secret_key()
        _key_file.write_text(_secret)
        _key_file.chmod(0o600)
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list("COMMONGROUND_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API docs (Swagger UI) from its own static files, not a CDN
    "commonground.core",
    "commonground.sharing",
    "commonground.registry",
    "commonground.events",
    "commonground.analysis",
    "commonground.forecasts",
    "commonground.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        COMMONGROUND_HOME.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{COMMONGROUND_HOME / 'commonground.sqlite3'}"
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
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
STATIC_ROOT = Path(os.environ.get("COMMONGROUND_STATIC_ROOT") or COMMONGROUND_HOME / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
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
COMMONGROUND_TILE_URL = os.environ.get("COMMONGROUND_TILE_URL", "").strip()
if COMMONGROUND_TILE_URL and not (
    COMMONGROUND_TILE_URL.startswith(("https://", "http://"))
    and all(part in COMMONGROUND_TILE_URL for part in ("{z}", "{x}", "{y}"))
):
    raise ImproperlyConfigured(
        "COMMONGROUND_TILE_URL must be an http(s) URL with {z}, {x} and {y}, "
        f"such as https://tiles.example.org/{{z}}/{{x}}/{{y}}.png, not {COMMONGROUND_TILE_URL!r}"
    )

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

#: The organization that owns what the command line imports when no --owner is given.
COMMONGROUND_DEFAULT_OWNER = os.environ.get("COMMONGROUND_DEFAULT_OWNER", "local")

#: Where the real reference data lives (UCDP GED, registries); the demo reads it in place.
COMMONGROUND_DATA_DIR = Path(
    os.environ.get("COMMONGROUND_DATA_DIR") or BASE_DIR.parent.parent / "shared" / "data"
)

#: Importers list at most this many problems before they stop reading a bad file.
try:
    COMMONGROUND_MAX_PROBLEMS = int(os.environ.get("COMMONGROUND_MAX_PROBLEMS", "50"))
except ValueError as exc:
    raise ImproperlyConfigured("COMMONGROUND_MAX_PROBLEMS must be a whole number") from exc
if COMMONGROUND_MAX_PROBLEMS < 1:
    raise ImproperlyConfigured("COMMONGROUND_MAX_PROBLEMS must be at least 1")

#: The largest file the import page accepts, in bytes (default 512 MiB).
try:
    COMMONGROUND_UPLOAD_MAX_BYTES = int(
        os.environ.get("COMMONGROUND_UPLOAD_MAX_BYTES", str(512 * 1024 * 1024))
    )
except ValueError as exc:
    raise ImproperlyConfigured("COMMONGROUND_UPLOAD_MAX_BYTES must be a whole number") from exc

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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("COMMONGROUND_LOG_LEVEL", "WARNING")},
}
