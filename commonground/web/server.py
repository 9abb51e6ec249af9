"""The HTTP server behind ``commonground serve``: one Waitress process, or Gunicorn workers.

Why two: Waitress is pure Python and runs everywhere, field laptops on Windows included, but one
process runs Python on one CPU at a time (the GIL). On a server with several CPUs, Gunicorn
pre-forks one process per CPU and they share the listening socket; each keeps its own answer
cache (``analysis/cache.py``), and import jobs are followed through files that all share.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.handlers.wsgi import WSGIHandler


def bind_address(host: str, port: int) -> str:
    """``host:port``, with an IPv6 address in brackets as Gunicorn expects."""
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def serve(host: str, port: int, threads: int = 8, workers: int = 1) -> None:
    """Serve the WSGI application until interrupted."""
    from commonground.wsgi import application

    if workers == 1:
        from waitress import serve as waitress_serve

        waitress_serve(application, host=host, port=port, threads=threads)
        return
    if sys.platform == "win32":
        raise SystemExit("--workers above 1 needs Linux or macOS (Gunicorn); use --workers 1")
    run_gunicorn(
        application,
        {
            "bind": bind_address(host, port),
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            # Imports from the page run in a background thread, not in the request.
            "timeout": 120,
            "graceful_timeout": 30,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
        },
    )


def run_gunicorn(application: WSGIHandler, options: dict[str, Any]) -> None:
    """Gunicorn run from our own command, with our options rather than its command line.

    Imported here, not at the top: Gunicorn does not install on Windows, where only Waitress
    serves.
    """
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
        def load_config(self) -> None:
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> WSGIHandler:
            return application

    # A database connection must not cross a fork (SQLite forbids it): each worker opens its own.
    connections.close_all()
    Server().run()
