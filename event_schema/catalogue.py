"""Catalogue events, version 1: an administrator loaded a version of the province's
procedure list on one desk, and every desk of the commune loads the same version.

The schema checks the envelope of the list (its date, the file's name, a JSON object of
format 2 within a size the district server takes easily); each desk checks the list
itself with the same loader that checks an imported file, and sets the event aside with
the loader's reason when it refuses it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from event_schema._reader import PayloadError, Reader

#: The largest catalogue carried, as compact UTF-8 JSON: the shipped list of 90
#: procedures is about 250 KB; the server takes request bodies of up to 8 MiB.
MAX_CATALOGUE_BYTES = 1024 * 1024


def catalogue_size(data: object) -> int:
    """The size the catalogue counts for: its compact UTF-8 JSON."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return len(text.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class CatalogueVersionLoadedV1:
    """``catalogue.version_loaded`` v1: the catalogue ``data`` (format 2, the shape the
    desk's loader reads) in force from ``effective_from``, loaded from ``source_name``.
    Each desk identifies the version by the digest of ``data``, so it loads it once."""

    KIND: ClassVar[str] = "catalogue.version_loaded"
    VERSION: ClassVar[int] = 1

    effective_from: dt.date
    source_name: str
    data: dict[str, Any]

    @classmethod
    def parse(cls, data: object) -> CatalogueVersionLoadedV1:
        r = Reader(data)
        effective_from = r.date("effective_from")
        source_name = r.text("source_name", max_len=255, min_len=1)
        catalogue = r.json_object("data")
        r.finish()
        if catalogue.get("format") != 2 or isinstance(catalogue.get("format"), bool):
            raise PayloadError("data.format", "must be 2")
        if catalogue.get("effective_from") != effective_from.isoformat():
            raise PayloadError("data.effective_from", "must be the event's effective_from")
        try:
            size = catalogue_size(catalogue)
        except (ValueError, TypeError, RecursionError):
            raise PayloadError("data", "must be plain JSON") from None
        if size > MAX_CATALOGUE_BYTES:
            raise PayloadError("data", f"is larger than {MAX_CATALOGUE_BYTES} bytes")
        return cls(effective_from, source_name, catalogue)

    def dump(self) -> dict[str, Any]:
        return {
            "effective_from": self.effective_from.isoformat(),
            "source_name": self.source_name,
            "data": self.data,
        }
