"""Entry point for gunicorn: ``gunicorn wsgi:app``."""
from civicly import create_app

app = create_app()
