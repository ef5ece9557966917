"""The encrypted backup file: a plain header, then AES-256-GCM chunks.

Layout::

    MAGIC (8 bytes) | header length (4, big-endian) | header (JSON, UTF-8)
    then chunks:     ciphertext length (4) | ciphertext (with its 16-byte GCM tag)

The header carries the format version, the key-derivation parameters (scrypt) and salt,
a random nonce prefix and a key check; it is authenticated as associated data of every
chunk, so changing any of it is detected. Each chunk's plaintext starts with its kind
(``K`` the database's own key, first, in format 2 when the database is encrypted at rest;
``D`` database bytes; ``M`` the manifest, always last). A chunk's nonce is the prefix,
its number and a "last chunk" flag (the STREAM construction): chunks cannot be reordered,
dropped or the file cut short without the decryption failing.

The key check (an HMAC of the header under a second derived key) tells a wrong
passphrase apart from a damaged file before anything is decrypted.

Format 1 (before encryption at rest) held a plain SQLite file, checked by the SHA-256 in
its manifest. Format 2 holds the database file's own bytes as they are on disk (SQLCipher
pages under the desk's key) with that key in a ``K`` record: so the key travels only under
the passphrase, and the GCM tags, which authenticate every byte in order, are the check
(no second hash pass). Both are read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from desk_app.errors import RefusedError, StorageDamagedError

MAGIC = b"DESKBAK\x01"
FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)
CHUNK = 1 << 20  # plaintext bytes per chunk
_TAG = 16
_NONCE_PREFIX = 7
KEY, DATA, MANIFEST = b"K", b"D", b"M"


class ReadsInto(Protocol):
    """A file read into a buffer (``io.FileIO``, ``io.BufferedReader``)."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...


@dataclass(frozen=True)
class KdfParams:
    """scrypt's cost: ``n`` (CPU and memory), ``r`` (block size), ``p`` (parallelism)."""

    n: int = 1 << 16  # 64 MiB and ~0.3 s on a desk PC: once per backup, not per chunk
    r: int = 8
    p: int = 1

    def check(self) -> None:
        # A damaged or hostile header must not make the reader allocate gigabytes.
        if not (1 << 10 <= self.n <= 1 << 20 and self.n & (self.n - 1) == 0):
            raise BackupDamagedError("tham số khóa của bản sao lưu không hợp lệ")
        if not (1 <= self.r <= 32 and 1 <= self.p <= 16):
            raise BackupDamagedError("tham số khóa của bản sao lưu không hợp lệ")


class BackupDamagedError(StorageDamagedError):
    """The backup file is damaged, cut short or was altered."""

    default_code = "backup.damaged"


class WrongPassphraseError(RefusedError):
    """The passphrase does not open this backup (or is not the one the desk set)."""

    default_code = "backup.passphrase"


def _derive(passphrase: str, salt: bytes, kdf: KdfParams) -> tuple[bytes, bytes]:
    material = Scrypt(salt=salt, length=64, n=kdf.n, r=kdf.r, p=kdf.p).derive(
        passphrase.encode("utf-8")
    )
    return material[:32], material[32:]


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")


class BackupWriter:
    """Encrypts a stream of records into ``out``; ``close`` writes the manifest last."""

    def __init__(self, out: BinaryIO, passphrase: str, kdf: KdfParams | None = None) -> None:
        kdf = kdf or KdfParams()
        salt = os.urandom(16)
        self._prefix = os.urandom(_NONCE_PREFIX)
        key, check_key = _derive(passphrase, salt, kdf)
        self._aead = AESGCM(key)
        fields = {
            "format": FORMAT_VERSION,
            "cipher": "AES-256-GCM",
            "chunk": CHUNK,
            "kdf": {"name": "scrypt", "n": kdf.n, "r": kdf.r, "p": kdf.p},
            "salt": base64.b64encode(salt).decode(),
            "nonce_prefix": base64.b64encode(self._prefix).decode(),
        }
        fields["key_check"] = _key_check(check_key, fields)
        self._header = json.dumps(fields, sort_keys=True).encode()
        self._out = out
        self._index = 0
        self._pending: bytes | None = None
        out.write(MAGIC + struct.pack(">I", len(self._header)) + self._header)

    def write_key(self, key: bytes) -> None:
        """The database's own key: the first record, before any data."""
        if self._index:
            raise ValueError("the key record comes first")
        self._emit(KEY + key)

    def write_data(self, data: bytes) -> None:
        for start in range(0, len(data), CHUNK - 1):
            self._emit(DATA + data[start : start + CHUNK - 1])

    def copy_data(self, source: ReadsInto) -> int:
        """Seal ``source`` to its end as data records; returns how many bytes it held.

        Each chunk is read straight behind its kind byte in one buffer, sealed from there:
        no copy of the bytes but the cipher's."""
        buffer = bytearray(CHUNK)
        buffer[0] = DATA[0]
        view = memoryview(buffer)
        total = 0
        while count := source.readinto(view[1:]):
            self._emit(view[: 1 + count])
            total += count
        return total

    def _emit(self, plaintext: bytes | memoryview, last: bool = False) -> None:
        ciphertext = self._aead.encrypt(
            _nonce(self._prefix, self._index, last), plaintext, self._header
        )
        self._out.write(struct.pack(">I", len(ciphertext)))
        self._out.write(ciphertext)
        self._index += 1

    def finish(self, manifest: dict[str, object]) -> None:
        self._emit(MANIFEST + json.dumps(manifest, sort_keys=True).encode(), last=True)


def _key_check(check_key: bytes, fields: dict[str, object]) -> str:
    body = json.dumps({k: v for k, v in fields.items() if k != "key_check"}, sort_keys=True)
    return hmac.new(check_key, body.encode(), hashlib.sha256).hexdigest()


def read_backup(
    source: BinaryIO, passphrase: str, header: dict[str, int] | None = None
) -> Iterator[tuple[bytes, bytes]]:
    """Decrypt ``source``: yields ``(kind, payload)`` records, the manifest last. Its
    format version goes into ``header["format"]`` before the first record.

    Raises ``WrongPassphraseError`` before yielding anything if the passphrase is wrong,
    and ``BackupDamagedError`` as soon as a chunk fails its check, the chunks end before
    the manifest, or anything follows it.
    """
    head = source.read(len(MAGIC) + 4)
    if len(head) < len(MAGIC) + 4 or head[: len(MAGIC)] != MAGIC:
        raise BackupDamagedError("tệp này không phải bản sao lưu của phần mềm (hoặc đã hỏng)")
    (length,) = struct.unpack(">I", head[len(MAGIC) :])
    if length > 64 * 1024:
        raise BackupDamagedError("phần đầu của bản sao lưu bị hỏng")
    header_bytes = source.read(length)
    try:
        fields = json.loads(header_bytes)
        if fields["format"] not in READABLE_FORMATS:
            raise BackupDamagedError(
                f"bản sao lưu có định dạng {fields['format']}, phiên bản này không đọc được"
            )
        kdf = KdfParams(int(fields["kdf"]["n"]), int(fields["kdf"]["r"]), int(fields["kdf"]["p"]))
        salt = base64.b64decode(fields["salt"])
        prefix = base64.b64decode(fields["nonce_prefix"])
        expected_check = str(fields["key_check"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupDamagedError("phần đầu của bản sao lưu bị hỏng") from exc
    if len(prefix) != _NONCE_PREFIX or int(fields.get("chunk", 0)) != CHUNK:
        raise BackupDamagedError("phần đầu của bản sao lưu bị hỏng")
    kdf.check()
    key, check_key = _derive(passphrase, salt, kdf)
    if not hmac.compare_digest(_key_check(check_key, fields), expected_check):
        # The key check covers the header: an altered header cannot be told apart from a
        # wrong passphrase, so the line names both rather than send someone guessing.
        raise WrongPassphraseError(
            "cụm mật khẩu sao lưu không đúng (hoặc phần đầu của bản sao lưu đã bị sửa)"
        )
    aead = AESGCM(key)
    if header is not None:
        header["format"] = int(fields["format"])
    index = 0
    while True:
        size_bytes = source.read(4)
        if len(size_bytes) < 4:
            raise BackupDamagedError("bản sao lưu bị cắt cụt (thiếu phần cuối)")
        (size,) = struct.unpack(">I", size_bytes)
        if not _TAG < size <= CHUNK + _TAG:
            raise BackupDamagedError(f"bản sao lưu bị hỏng ở khối {index}")
        ciphertext = source.read(size)
        if len(ciphertext) < size:
            raise BackupDamagedError("bản sao lưu bị cắt cụt (thiếu phần cuối)")
        try:
            plaintext = aead.decrypt(_nonce(prefix, index, False), ciphertext, header_bytes)
            last = False
        except InvalidTag:
            try:
                plaintext = aead.decrypt(_nonce(prefix, index, True), ciphertext, header_bytes)
                last = True
            except InvalidTag:
                raise BackupDamagedError(
                    f"bản sao lưu bị hỏng hoặc bị sửa (khối {index} không khớp)"
                ) from None
        kind, payload = plaintext[:1], plaintext[1:]
        if last != (kind == MANIFEST) or (kind == KEY and index != 0):
            raise BackupDamagedError("bản sao lưu bị hỏng (thứ tự các khối sai)")
        yield kind, payload
        index += 1
        if last:
            if source.read(1):
                raise BackupDamagedError("bản sao lưu có dữ liệu lạ sau phần cuối")
            return
