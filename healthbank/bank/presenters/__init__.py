"""What the portal's pictures are made of: pure functions from plain data (codes, counts, the
current choice, a function that makes a link) to what a template draws. No request, no
database; the views call them with what the selectors read. Chart.js specs are `bank/charts.py`."""
