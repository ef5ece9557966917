"""The canonical text is exactly what the stored fingerprints were made from.

Events already stored keep the SHA-256 fingerprint the first server computed
(``json.dumps`` of the normalised envelope as a dict, sorted keys, no spaces, ASCII);
an exact resend is recognised as a duplicate only while the server still computes the
same bytes. The reference below is that first formula, written out here on purpose
rather than imported, applied to the body as Python's own ``json.loads`` reads it (what
the first server parsed with), against the server's parse of the same bytes today.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

import event_schema
from district_server.api import parse_push
from district_server.canonical import canonical_json
from district_server.events import envelope_texts


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [1.5, "Đỗ Thị Ánh", None, True, {"z": 0, "y": '\n\\"'}]},
        {"emoji": "\U0001f600", "lone": "\ud83d", "big": 2**60},
        {},
    ],
)
def test_canonical_text_is_what_json_dumps_writes(value: dict[str, Any]) -> None:
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    assert canonical_json(value) == expected
    assert canonical_json(value) == expected  # the shared encoder keeps no state


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_refused(number: float) -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        canonical_json({"a": number})


def _first_texts(sent: dict[str, Any]) -> tuple[str, str]:
    """The stored text and fingerprint as the first server made them from ``sent``."""
    occurred = datetime.fromisoformat(sent["occurred_at"])
    document: dict[str, Any] = {
        "uuid": sent["uuid"].lower(),
        "dossier_uuid": sent["dossier_uuid"].lower() if sent["dossier_uuid"] else None,
        "kind": sent["kind"],
        "payload": sent["payload"],
        "occurred_at": occurred.astimezone(UTC).isoformat(),
        "actor": sent["actor"],
        "origin": {"agency_code": sent["origin"]["agency_code"], "desk": sent["origin"]["desk"]},
        "origin_seq": sent["origin_seq"],
    }
    if sent.get("version", 1) != 1:
        document["version"] = sent["version"]

    def dumps(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)

    fingerprint = hashlib.sha256(dumps(document).encode("ascii")).hexdigest()
    return dumps({**document, "occurred_at": occurred.isoformat()}), fingerprint


_WORDS = [
    "Đỗ Thị Ánh", "Nguyễn Văn Bảy", "Phường Bến Nghé", "giấy khai sinh", "", " ", "a\"b",
    "back\\slash", "tab\there", "line\nbreak", "\x00\x1f", "\u2028\u2029", "\U0001f600 😀",
    "日本語", "e\u0301", "</script>", "null",
]  # fmt: skip
_NUMBERS = [
    0, -0.0, 1, -1, 2**53 + 1, -(2**63), 10**30, 0.1, 1e-7, 1e16, 1e308, 5e-324, 3.14159,
    -2.5e-10, 123456789.125, 1.0, 100.0,
]  # fmt: skip


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth < 3 and roll < 0.15:
        keys = [rng.choice(_WORDS) + str(i) for i in range(rng.randrange(4))]
        return {key: _value(rng, depth + 1) for key in keys}
    if depth < 3 and roll < 0.3:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return rng.choice([*_WORDS, *_NUMBERS, None, True, False])


def _envelope(rng: random.Random, kind: str, seq: int) -> dict[str, Any]:
    minutes = rng.choice([0, 7 * 60, -(3 * 60 + 30), 5 * 60 + 45, 14 * 60])
    sign = "-" if minutes < 0 else "+"
    offset = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    micro = rng.choice(["", ".5", ".123456", ".000001"])
    dossier = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    envelope: dict[str, Any] = {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper(),
        "dossier_uuid": rng.choice([None, dossier, dossier.upper()]),
        "kind": kind,
        "payload": {
            **{f"k{i}": _value(rng, 1) for i in range(rng.randrange(1, 8))},
            "ghi_chú": rng.choice(_WORDS),
        },
        "occurred_at": f"2026-11-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:17:09"
        f"{micro}{offset}".replace("+00:00", rng.choice(["Z", "+00:00"])),
        "actor": rng.choice(["cb.tiepnhan", "Trần Văn Út", "admin"]),
        "origin": {"agency_code": "000.20.33.H12", "desk": rng.randrange(1, 10)},
        "origin_seq": seq,
    }
    version = rng.choice([None, 1, 2, 7])
    if version is not None:
        envelope["version"] = version
    items = list(envelope.items())
    rng.shuffle(items)  # the order keys arrive in must not matter
    return dict(items)


@pytest.mark.parametrize("kind", sorted(event_schema.KNOWN_KINDS))
def test_stored_text_and_fingerprint_are_the_first_servers(kind: str) -> None:
    rng = random.Random(kind)  # the same envelopes every run
    sent = [_envelope(rng, kind, seq) for seq in range(1, 41)]
    raw = json.dumps({"events": sent}, ensure_ascii=rng.random() < 0.5).encode()
    parsed = parse_push(raw).events
    read_back = json.loads(raw)["events"]  # how the first server read the body
    for envelope, reference in zip(parsed, read_back, strict=True):
        assert envelope_texts(envelope) == _first_texts(reference), reference
