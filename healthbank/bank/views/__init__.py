"""Portal views, one module per area; `bank/urls.py` (and `bank/help_urls.py` for /help/)
maps them to URLs. Every personal view is a `portal_page` and reads through
`records.selectors`."""
