"""The dossier's state machine: which action may be taken from which status, and the
status it leads to. The same rule serves an officer's command (refused, with the reason,
before anything is written) and the events pulled from other desks (an action not
allowed from the status reached so far stays in the timeline as not applied).

Statuses (``vocabulary.STATUS_LABELS`` names them in Vietnamese)::

    received ──handover──▶ in_progress ◀──supplement-received── waiting_supplement
       │  (extend keeps the status; request-supplement from received/in_progress)
       ├─result-ready / not-eligible─▶ result_ready ──return──▶ returned
       ├─withdraw─▶ withdrawn      (from any status before a result)
       └─stop─────▶ stopped        (from any status before a result)

``refused`` and ``guided`` are intake outcomes: nothing is received, no action follows.
``extended`` is a status only old data has (``dossier.status_changed``): it counts as in
processing.
"""

from __future__ import annotations

from dataclasses import dataclass

# Statuses in which the dossier is being handled and has no result yet.
PROCESSING: frozenset[str] = frozenset({"received", "in_progress", "extended"})
BEFORE_RESULT: frozenset[str] = PROCESSING | {"waiting_supplement"}


@dataclass(frozen=True)
class Action:
    """One action of the state machine: the statuses it may start from and the status
    it leads to (``None``: the status stays as it is)."""

    name: str
    label: str
    sources: frozenset[str]
    target: str | None

    def target_from(self, status: str) -> str:
        if self.name == "handover":
            return handover_target(status)
        return self.target if self.target is not None else status


def handover_target(status: str) -> str:
    """A hand-over puts a dossier in processing, except one waiting or with its result."""
    return "in_progress" if status in PROCESSING else status


_action = Action


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        # Handing the file on keeps a waiting dossier waiting and a result a result.
        _action("handover", "bàn giao hồ sơ", BEFORE_RESULT | {"result_ready"}, None),
        _action("request_supplement", "yêu cầu bổ sung hồ sơ", PROCESSING, "waiting_supplement"),
        _action(
            "supplement_received",
            "nhận hồ sơ bổ sung",
            frozenset({"waiting_supplement"}),
            "in_progress",
        ),
        _action("extend", "gia hạn (xin lỗi, hẹn lại)", PROCESSING, None),
        _action("withdraw", "rút hồ sơ", BEFORE_RESULT, "withdrawn"),
        _action("stop", "dừng giải quyết", BEFORE_RESULT, "stopped"),
        _action("result_ready", "có kết quả", PROCESSING, "result_ready"),
        _action("return", "trả kết quả", frozenset({"result_ready"}), "returned"),
        _action(
            "correct",
            "sửa thông tin người nộp",
            frozenset({*BEFORE_RESULT, "result_ready", "returned", "stopped", "withdrawn"}),
            None,
        ),
    )
}


def action_allowed(status: str, action: str) -> bool:
    found = ACTIONS.get(action)
    return found is not None and status in found.sources


def actions_from(status: str) -> list[str]:
    """The actions the state machine allows from ``status``, in the table's order."""
    return [name for name, a in ACTIONS.items() if status in a.sources]


# The status-to-status rule of ``dossier.status_changed`` (v1), kept for the events old
# desks recorded before each action had its own kind.
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
