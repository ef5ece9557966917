"""Hand-made dossier histories for the chair's tests: every event recorded through the
real ``dossiers.record`` with the time it states, so the numbers are known in advance."""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib

from sqlalchemy import select

from desk_app.context import DeskContext
from desk_app.db.models import Dossier, Procedure
from desk_app.dossiers import record
from desk_app.text import fold
from event_schema import DossierReceivedV1, DossierStatusChangedV1

AGENCY = "000.20.33.H12"
# Hộ tịch, Chứng thực, Đất đai
BIRTH = "1.001193"
COPY_FIX = "2.000927"
LAND = "1.013978"


def receive(
    ctx: DeskContext,
    code: str,
    received_at: dt.datetime,
    due_at: dt.datetime | None,
    *,
    procedure: str = BIRTH,
    channel: str = "in_person",
    desk: int = 1,
    status: str = "received",
    holder: str = "canbo1",
) -> str:
    """A dossier received at ``received_at`` (its ``dossier.received`` event)."""
    with ctx.db.write() as s:
        proc = s.scalars(select(Procedure).where(Procedure.code == procedure)).first()
        assert proc is not None, procedure
        d = Dossier(
            uuid=str(uuidlib.uuid4()),
            code=f"{AGENCY}-{code}",
            lookup_pin="ABC123",
            procedure_id=proc.id,
            procedure_code=proc.code,
            procedure_name=proc.name,
            status="received",
            channel=channel,
            applicant_name="Nguyễn Văn An",
            applicant_name_folded=fold("Nguyễn Văn An"),
            applicant_cccd="079203001234",
            documents=[],
            duration_kind="working_days",
            duration_value=3,
            received_at=received_at,
            due_at=due_at,
            received_by=holder,
            received_by_name="Cán bộ",
            origin_agency_code=AGENCY,
            origin_desk=desk,
            updated_at=received_at,
            holder=holder,
            original_due_at=due_at,
            pauses=[],
        )
        s.add(d)
        record(
            s,
            DossierReceivedV1(
                code=d.code,
                received_at=received_at,
                procedure_code=proc.code,
                procedure_name=proc.name,
                status=status,
                channel=channel if channel != "online" else "in_person",
                due_at=due_at,
                received_by=holder,
                applicant_name=d.applicant_name,
                applicant_cccd=d.applicant_cccd,
            ),
            actor=holder,
            agency_code=AGENCY,
            desk=desk,
            occurred_at_utc=received_at - dt.timedelta(hours=7),
            dossier=d,
        )
        return d.uuid


def step(ctx: DeskContext, code: str, to: str, at: dt.datetime, *, actor: str = "canbo1") -> None:
    """A status change stated at ``at`` (recorded a minute later)."""
    with ctx.db.write() as s:
        d = s.scalars(select(Dossier).where(Dossier.code == f"{AGENCY}-{code}")).one()
        record(
            s,
            DossierStatusChangedV1(from_status=d.status, to_status=to, at=at),
            actor=actor,
            agency_code=AGENCY,
            desk=1,
            occurred_at_utc=at - dt.timedelta(hours=7) + dt.timedelta(minutes=1),
            dossier=d,
        )


def december_dossiers(ctx: DeskContext) -> None:
    """Dossiers C to G of the report tests, around December 2025 (G is left open: each
    test withdraws it its own way)."""
    at = dt.datetime.fromisoformat
    # C: carried into December already late, resolved late.
    receive(ctx, "C", at("2025-11-25 09:00"), at("2025-11-28 17:00"))
    step(ctx, "C", "result_ready", at("2025-12-05 09:00"))
    # D: received in December, waiting for a supplement from 12/12 on (within deadline).
    receive(ctx, "D", at("2025-12-10 09:00"), at("2025-12-15 17:00"))
    step(ctx, "D", "waiting_supplement", at("2025-12-12 09:00"))
    # E: online, land, still open and past its due day (overdue).
    receive(ctx, "E", at("2025-12-20 09:00"), at("2025-12-24 17:00"), procedure=LAND,
            channel="online")  # fmt: skip
    # F: open, due on 20/01.
    receive(ctx, "F", at("2025-12-22 09:00"), at("2026-01-20 17:00"))
    # G: due on 19/12.
    receive(ctx, "G", at("2025-12-15 09:00"), at("2025-12-19 17:00"))
