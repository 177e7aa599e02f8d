"""The languages Civicly speaks, each named in itself; plain data, so models and services need no Flask to read it."""

LANGUAGES = {"fr": "Français", "en": "English", "ar": "العربية", "sw": "Kiswahili"}
