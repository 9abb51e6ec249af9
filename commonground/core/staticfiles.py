"""Static files: compressed, with content-hashed names that browsers may cache for a year.

``commonground init``, ``demo`` and ``serve`` run ``collectstatic`` (``collect_static`` below),
which writes each file under a name with its hash (``plotly.min.<hash>.js``) and a gzip copy;
WhiteNoise serves the gzip copy to browsers that accept it and marks hashed names immutable.
Before the first collection (the test suite, a fresh checkout running ``manage`` commands)
pages name the plain files, which WhiteNoise serves from the packages (WHITENOISE_USE_FINDERS).
"""

from __future__ import annotations

import io
from pathlib import Path

from django.contrib.staticfiles.apps import StaticFilesConfig
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFiles(StaticFilesConfig):
    """Django's staticfiles app, leaving out what the plotly wheel ships but pages never load
    (its Jupyter widget bundle, sample data sets and theme files): 10 MB less to collect."""

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "widgetbundle.js",
        "datasets",
        "templates",
    ]


class HashedCompressedStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]  # WhiteNoise ships no type hints
    """WhiteNoise's compressed manifest storage, naming the plain file until it is collected."""

    manifest_strict = False
    #: Rewrite only CSS ``url()`` and ``@import`` to hashed names; not source-map comments,
    #: whose maps the packages (Leaflet.markercluster, Swagger UI) do not ship.
    patterns = (
        (
            "*.css",
            (
                r"""(?P<matched>url\(['"]{0,1}\s*(?P<url>.*?)["']{0,1}\))""",
                (
                    r"""(?P<matched>@import\s*["']\s*(?P<url>.*?)["'])""",
                    """@import url("%(url)s")""",
                ),
            ),
        ),
    )
    #: Only the hashed copies are served after collection; no need for a plain copy beside.
    keep_intermediate_files = False

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:  # not collected yet: the finders serve the plain name
            return name


def static_is_stale() -> bool:
    """Whether a static file in the packages is newer than the last collection (or none was)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    manifest = Path(settings.STATIC_ROOT) / HashedCompressedStorage.manifest_name
    if not manifest.exists():
        return True
    collected_at = manifest.stat().st_mtime
    ignore = StaticFiles.ignore_patterns
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore):
            if Path(storage.path(path)).stat().st_mtime > collected_at:
                return True
    return False


def collect_static() -> str:
    """Collect, hash and compress the static files (quick when nothing changed); one line."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("collectstatic", interactive=False, verbosity=1, stdout=out)
    lines = out.getvalue().strip().splitlines()
    return lines[-1] if lines else "Static files ready."


def prepare_static() -> str | None:
    """Collect the static files when they changed since the last collection; what it did."""
    return collect_static() if static_is_stale() else None
