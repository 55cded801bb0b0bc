"""The web face's plumbing beside `app.py`: the HTTP guard (file routes, outbound fetches, login throttling),
the report-library view and the layout's CSS. Imports only from the layers below (core, qa); nothing imports it
except `app.py`."""
