#!/usr/bin/env python
"""Django's manage.py; `healthbank` (installed in .venv/bin) does the same."""

from healthbank.cli import main

if __name__ == "__main__":
    main()
