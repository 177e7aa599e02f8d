"""Case references: short enough to read over the phone, random enough not to be guessed, found however typed."""
from __future__ import annotations

import re
import secrets

from sqlmodel import Session, select

from civicly.errors import UnknownReference
from civicly.models import Case

# Crockford's base 32: no I, L, O or U, so nothing is mistaken for 1, 0 or V over the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS, GROUP_LEN = 2, 4  # 8 symbols x 5 bits = 40 random bits
PREFIX = "CIV"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
PATTERN = re.compile(rf"^{PREFIX}-[{ALPHABET}]{{{GROUP_LEN}}}-[{ALPHABET}]{{{GROUP_LEN}}}$")


def new_reference() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LEN)) for _ in range(GROUPS))
    return "-".join((PREFIX, *groups))


def normalise_reference(typed: str) -> str | None:
    """Read a reference as a person may type it (lower case, spaces, no dashes, O for 0); None if it cannot be one."""
    compact = re.sub(r"[\s\-_.]", "", typed.upper())
    if compact.startswith(PREFIX):
        compact = compact[len(PREFIX):]
    compact = compact.translate(_READ_AS)
    if len(compact) != GROUPS * GROUP_LEN or any(ch not in ALPHABET for ch in compact):
        return None
    return f"{PREFIX}-{compact[:GROUP_LEN]}-{compact[GROUP_LEN:]}"


def case_by_reference(session: Session, typed: str | None) -> Case:
    """The case a person means by ``typed`` (see normalise_reference), for every door that takes a reference."""
    reference = normalise_reference(typed or "")
    case = session.exec(select(Case).where(Case.reference == reference)).first() if reference else None
    if case is None:
        raise UnknownReference(typed)
    return case
