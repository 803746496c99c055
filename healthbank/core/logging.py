"""A logging filter that masks national IDs, resident certificate numbers and card numbers."""

import logging
import re

# National ID / new resident certificate (A123456789), old resident certificate
# (AB12345678) and 12-digit NHI card numbers.
_PERSONAL = re.compile(r"\b(?:[A-Z][1289]\d{8}|[A-Z][A-D]\d{8}|\d{12})\b")


def mask(text: str) -> str:
    return _PERSONAL.sub(lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 2), text)


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
