"""One provider per app for ``bench/http_prevention.py``: ``seed()``, ``pages()`` and optionally ``extra()``."""
