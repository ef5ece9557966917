"""The registry: today's kinds are version 1, each registered once; an unknown kind or
version is its own error, not a malformed payload."""

from __future__ import annotations

import pytest

import event_schema
from event_schema import PayloadError, UnknownEventError


def test_todays_kinds_are_version_1() -> None:
    kinds = event_schema.KNOWN_KINDS
    assert sorted(kinds) == [
        "calendar.override_cleared", "calendar.override_set", "catalogue.version_loaded",
        "commune.profile_set", "commune.setting_set", "directory.entry_set",
        "dossier.corrected", "dossier.extended", "dossier.handed_over", "dossier.received",
        "dossier.result_ready", "dossier.returned", "dossier.status_changed",
        "dossier.step_annulled", "dossier.stopped", "dossier.supplement_received",
        "dossier.supplement_requested", "dossier.withdrawn", "event.retracted", "intake.guided",
        "intake.refused",
    ]  # fmt: skip
    assert set(event_schema.REGISTRY) == {(k, 1) for k in kinds}
    assert dict.fromkeys(kinds, 1) == event_schema.LATEST


@pytest.mark.parametrize(
    ("kind", "version"),
    [("dossier.received", 2), ("dossier.received", 0), ("dossier.handed_over", 2), ("", 1)],
)
def test_an_unknown_kind_or_version_is_its_own_error(kind: str, version: int) -> None:
    assert not event_schema.is_known(kind, version)
    with pytest.raises(UnknownEventError) as caught:
        event_schema.parse(kind, version, {"code": "x"})
    assert not isinstance(caught.value, PayloadError)
    assert (caught.value.kind, caught.value.version) == (kind, version)


def test_the_package_needs_nothing_beyond_the_standard_library() -> None:
    """The server imports it too: a fresh interpreter loads it without either program."""
    import subprocess
    import sys

    probe = (
        "import sys, event_schema; "
        "print(sorted(m for m in ('desk_app', 'district_server', 'sqlalchemy', 'pydantic') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
