"""Which status a dossier may move to from which: the desk's rule, applied both to an
officer's command and to events pulled from other desks (a transition not allowed from
the status reached so far stays in the timeline as not applied)."""

from __future__ import annotations

TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset(
        {"in_progress", "waiting_supplement", "extended", "stopped", "withdrawn", "result_ready"}
    ),
    "in_progress": frozenset(
        {"waiting_supplement", "extended", "stopped", "withdrawn", "result_ready"}
    ),
    "waiting_supplement": frozenset({"in_progress", "stopped", "withdrawn"}),
    "extended": frozenset(
        {"in_progress", "waiting_supplement", "stopped", "withdrawn", "result_ready"}
    ),
    "result_ready": frozenset({"returned"}),
    "stopped": frozenset(),
    "withdrawn": frozenset(),
    "returned": frozenset(),
    "refused": frozenset(),
}


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
