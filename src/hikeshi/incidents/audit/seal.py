"""Seals: HMAC-SHA256 of chain hashes under a key kept outside the database.

Anyone who can write to the database can recompute SHA-256 hashes; nobody without the seal
key can compute a seal. A record appended, edited and re-chained, or an incident's chain
anchor reset, by someone with database access alone therefore carries a seal that does not
verify. The key lives in HIKESHI_SEAL_KEY_FILE or, by default, is generated on first use
into HIKESHI_DATA_DIR/keys/audit-seal.key (mode 600).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from pathlib import Path

from django.conf import settings

from hikeshi.config import ConfigError
from hikeshi.incidents.audit.keyfiles import create_private_file, read_key_file

SETTING = "HIKESHI_SEAL_KEY_FILE"
DEFAULT_NAME = "audit-seal.key"
# Bytes of key material; stored as hex text so an operator can copy it by hand.
KEY_BYTES = 32


def key_path() -> Path:
    """Return the seal key's file: the configured one, or the default in the keys folder."""
    configured: Path | None = settings.AUDIT_SEAL_KEY_FILE
    return configured if configured is not None else settings.AUDIT_KEYS_DIR / DEFAULT_NAME


def key_available() -> bool:
    """Return whether seals can be checked: the key file exists (verification never makes one)."""
    return key_path().exists()


def seal_key() -> bytes:
    """Return the seal key, generating the default one on first use."""
    path = key_path()
    if settings.AUDIT_SEAL_KEY_FILE is None and not path.exists():
        create_private_file(path, (secrets.token_hex(KEY_BYTES) + "\n").encode("ascii"))
    return _load(path)


@functools.cache
def _load(path: Path) -> bytes:
    text = read_key_file(path, SETTING).decode("ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < KEY_BYTES:
        raise ConfigError(
            f"{SETTING}: {path} must hold at least {KEY_BYTES} random bytes as hex "
            "(e.g. the output of `python -c 'import secrets; print(secrets.token_hex(32))'`)"
        )
    return key


def _mac(message: bytes) -> str:
    return hmac.new(seal_key(), message, hashlib.sha256).hexdigest()


def record_seal(record_hash: str) -> str:
    """Return the seal of an action record (over its hash, which covers all it says)."""
    return _mac(b"hikeshi-action-record\x00" + record_hash.encode("ascii"))


def anchor_seal(incident_id: int, length: int, head: str) -> str:
    """Return the seal of an incident's chain anchor (its length and head hash)."""
    return _mac(f"hikeshi-chain-anchor\x00{incident_id}\x00{length}\x00{head}".encode("ascii"))


def matches(expected: str, stored: str) -> bool:
    """Return whether a stored seal equals the expected one (in constant time)."""
    return hmac.compare_digest(expected.encode("ascii"), stored.encode("ascii", errors="replace"))
