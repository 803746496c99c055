"""gunicorn's settings for healthbank, used in production and by the benchmark:

    gunicorn --config python:healthbank.gunicorn_conf healthbank.wsgi:application

Its access and error logs are masked like every other log (core/logging.py): an access log
line carries the request's URL and referrer, and a staff search puts the national ID typed
into the query string (/staff/people/person/?q=A123456789). Command-line options
(--bind, --workers, --access-logfile FILE, ...) still apply on top of these.
"""

from __future__ import annotations

import os

from gunicorn.glogging import Logger

from healthbank.core.logging import MaskPersonalData


class MaskedLogger(Logger):
    """gunicorn's logger with the masking filter on each of its handlers, wherever they
    write (stdout, a file, syslog)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
                    handler.addFilter(MaskPersonalData())


logger_class = MaskedLogger
accesslog = "-"  # on stdout, masked; --access-logfile FILE to write a file instead
# X-Forwarded-Proto (whether the client used HTTPS) is believed from the same proxies as
# X-Forwarded-For (settings.TRUSTED_PROXIES); gunicorn's default is the local host only.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES") or "127.0.0.1,::1"
