"""Rendering Open311 answers as JSON or XML, the two formats of GeoReport v2.

Lists are always top-level JSON arrays; XML is built with ElementTree, so every value is escaped, and characters
XML 1.0 cannot carry at all are dropped.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any

from flask import Response

FORMATS = ("json", "xml")
MIMETYPES = {"json": "application/json", "xml": "text/xml"}
_NOT_IN_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def timestamp(value: datetime) -> str:
    """W3C datetime with its zone, as the spec asks (2026-01-31T09:30:00+00:00)."""
    return value.isoformat(timespec="seconds")


def _plain(value: Any) -> Any:
    """Dataclasses to dicts and datetimes to strings, recursively."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return timestamp(value)
    return value


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_IN_XML.sub("", str(value))


def _append(parent: ET.Element, tag: str, value: Any, item_tags: Mapping[str, str]) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _append(element, key, inner, item_tags)
    elif isinstance(value, list):
        for inner in value:
            _append(element, item_tags.get(tag, "item"), inner, item_tags)
    else:
        element.text = _xml_text(value)


def to_xml(root: str, item: str | None, body: Any, item_tags: Mapping[str, str] | None = None) -> bytes:
    """``body`` under ``<root>``: a list becomes one ``<item>`` per entry, a dict becomes child elements."""
    tags = {root: item or "item", **(item_tags or {})}
    element = ET.Element(root)
    plain = _plain(body)
    if isinstance(plain, list):
        for entry in plain:
            _append(element, tags[root], entry, tags)
    else:
        for key, inner in plain.items():
            _append(element, key, inner, tags)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, body: Any, root: str, item: str | None = None, status: int = 200,
            item_tags: Mapping[str, str] | None = None) -> Response:
    """The answer in ``fmt``; ``root``/``item``/``item_tags`` name the XML elements (JSON needs none)."""
    if fmt == "xml":
        data = to_xml(root, item, body, item_tags)
    else:
        data = json.dumps(_plain(body), ensure_ascii=False, allow_nan=False).encode("utf-8")
    return Response(data, status=status, mimetype=MIMETYPES.get(fmt, MIMETYPES["json"]),
                    headers={"Cache-Control": "no-store"})


def errors(fmt: str, status: int, descriptions: Iterable[str]) -> Response:
    """The spec's error list: ``[{code, description}]`` or ``<errors><error><code/><description/></error></errors>``."""
    body = [{"code": status, "description": str(d)} for d in descriptions]
    return respond(fmt, body, root="errors", item="error", status=status)
