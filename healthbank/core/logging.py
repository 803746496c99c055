"""A logging filter that masks national IDs, resident certificate numbers and card numbers.

settings.LOGGING puts it on every handler (Django's, `runserver`'s access log) and
healthbank/gunicorn_conf.py on gunicorn's access and error logs.
"""

import logging
import re

# The first letter as typed (either case) or as a URL carries it percent-encoded (%41).
_LETTER = r"(?:[A-Za-z]|%[46][1-9A-Fa-f]|%[57][0-9Aa])"
# National ID and new resident certificate (A123456789, A823456789), old resident certificate
# (AB12345678), anywhere in a word: in a URL an ID follows "=", "+" or an escape such as
# "%20" or "q%3D" (a query inside a query). Then 12-digit NHI card numbers, not inside a
# longer run of digits except after an escape.
_PERSONAL = re.compile(
    rf"{_LETTER}[1289A-Da-d]\d{{8}}(?!\d)"
    r"|(?:(?<=%[0-9A-Fa-f]{2})|(?<!\d))\d{12}(?!\d)"
)


# Every pattern above holds eight digits in a row: most lines (an access log's) have none, and
# this search costs a fifth of the full one.
_EIGHT_DIGITS = re.compile(r"\d{8}")


def mask(text: str) -> str:
    if not _EIGHT_DIGITS.search(text):
        return text
    return _PERSONAL.sub(lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 2), text)


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        # A traceback can quote a value too: format it here, masked, for the formatter.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True
