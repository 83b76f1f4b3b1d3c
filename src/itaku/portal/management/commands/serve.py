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
        parser.add_argument("--workers", type=int, default=int(os.environ.get("ITAKU_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("ITAKU_THREADS", "4")))

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable, "-m", "gunicorn", "itaku.wsgi:application",
            "--bind", options["bind"], "--workers", str(options["workers"]), "--threads", str(options["threads"]),
            # The path only (%(U)s), never the query string: searches must not reach the logs.
            "--access-logfile", "-", "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        ]
        self.stdout.write(f"itaku: serving on http://{options['bind']}/")
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606  (replace this process with gunicorn)
