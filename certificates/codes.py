"""Verification codes that a person can read aloud and type by hand.

A new code is 20 symbols of Crockford's base32 (no I, L, O, U: 100 random bits), shown and
stored in groups of four: « K7Q9-M2XD-4HRT-8WCE-3PNA ». What someone types is read leniently:
any case, spaces and dashes ignored, I and L read as 1 and O as 0 (Crockford's rule), and a
whole verification URL (pasted from the QR code) reduced to its last segment.

Codes issued before (32 URL-safe characters, case-sensitive) stay valid as they were written:
`candidates` offers the text exactly as typed too.
"""

import secrets
from urllib.parse import unquote, urlsplit

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
GROUPS, GROUP_SIZE = 5, 4
LOOK_ALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
IGNORED = str.maketrans("", "", " -_.\u00a0\u202f\t")
MAX_TYPED = 300  # a whole URL fits


def new_code() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    return _grouped(symbols)


def _grouped(symbols: str) -> str:
    return "-".join(symbols[i : i + GROUP_SIZE] for i in range(0, len(symbols), GROUP_SIZE))


def typed_code(text: str) -> str:
    """What was typed, without the surrounding URL if a whole verification link was pasted."""
    text = (text or "").strip()
    if "/" in text:
        path = urlsplit(text).path if "://" in text else text
        text = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    return text.strip()


def normalised(text: str) -> str | None:
    """The stored form of a new-style code typed loosely, or None if it cannot be one."""
    symbols = text.upper().translate(IGNORED).translate(LOOK_ALIKES)
    if len(symbols) != GROUPS * GROUP_SIZE or any(s not in ALPHABET for s in symbols):
        return None
    return _grouped(symbols)


def candidates(text: str) -> list[str]:
    """The stored codes this text may mean: the new form if it reads as one, else as typed."""
    typed = typed_code(text)
    if not typed or len(typed) > 64:
        return []
    new = normalised(typed)
    return [new, typed] if new and new != typed else [typed]
