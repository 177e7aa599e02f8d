"""How large a request body may be: MAX_CONTENT_LENGTH everywhere, UPLOAD_MAX_CONTENT_LENGTH for multipart bodies
on the two doors that take photos (the citizen form and Open311 POST requests). There the text fields stay bounded by
MAX_FORM_MEMORY_SIZE (Flask's, 500 kB): only files get the larger room.

Set before any other hook reads the form (the CSRF check does), so the larger limit applies to the parsing itself.
"""
from flask import Flask, request

PHOTO_ENDPOINTS = frozenset({"citizen.submit", "api.create_request"})


def init_app(app: Flask) -> None:
    @app.before_request
    def _allow_photos() -> None:
        if request.endpoint in PHOTO_ENDPOINTS and request.mimetype == "multipart/form-data":
            request.max_content_length = app.config["UPLOAD_MAX_CONTENT_LENGTH"]
