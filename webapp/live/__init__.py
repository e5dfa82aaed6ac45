"""Minutes written together, live: the shared notes document of the call page."""
