"""Portal views, one module per area, each with its own `urlpatterns` (bank/urls.py joins
them). Every personal view is a `portal_page` and reads through `records.selectors`."""
