"""`itaku serve`: the production WSGI server (gunicorn) on this installation's settings."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve itaku with gunicorn (static files through whitenoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("ITAKU_BIND", "127.0.0.1:8000"))
        # A page's work is Python under one interpreter lock: processes, not threads, use the cores, and twice as
        # many as cores let one wait for the database while another computes. A worker's threads would share its
        # lock and queue requests behind each other while another worker idles (the dashboard's p95 under 16
        # clients: 431 ms with 2 workers × 4 threads, 242 ms with 4 × 1, bench/README.md).
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("ITAKU_WORKERS", str(2 * (os.cpu_count() or 1)))))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("ITAKU_THREADS", "1")))

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable, "-m", "gunicorn", "itaku.wsgi:application",
            "--bind", options["bind"], "--workers", str(options["workers"]), "--threads", str(options["threads"]),
            # Threaded workers even with one thread: the worker's main loop keeps answering the arbiter while a
            # long request (an import of a million rows) runs, so the timeout never kills it. A worker takes no
            # more connections than it has threads and keeps none open idle: the others wait in the socket's
            # queue for the first free worker instead of behind a busy one.
            "--worker-class", "gthread", "--worker-connections", str(options["threads"]), "--keep-alive", "0",
            # The path only (%(U)s), never the query string: searches must not reach the logs.
            "--access-logfile", "-", "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        ]
        self.stdout.write(f"itaku: serving on http://{options['bind']}/")
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606  (replace this process with gunicorn)
