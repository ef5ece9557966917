"""The pull read in one pass (``events.pull_page``), on both backends, in process."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from district_server.auth import identify
from district_server.db import make_engine, make_session_factory, migrate, read_only_engine
from district_server.enrollment import issue_code, redeem_code
from district_server.errors import NotAuthenticatedError
from district_server.events import pull_page, store_batch
from district_server.schemas import EventEnvelope
from tests.district_server.conftest import make_event


def test_pull_page_checks_the_token_and_hands_the_connection_back_as_it_came(
    fresh_db_url: str,
) -> None:
    engine = make_engine(fresh_db_url, pool_size=1)
    try:
        migrate(engine)
        sessions = make_session_factory(engine)
        read = read_only_engine(engine)
        commune = "000.01.33.H12"
        now = datetime.now(UTC)
        with sessions.begin() as session:
            codes = [issue_code(session, commune, desk, now).code for desk in (1, 2)]
        with sessions.begin() as session:
            tokens = [redeem_code(session, code, now).token for code in codes]
        with read.connect() as connection:
            desk1 = identify(connection, tokens[0])
        assert desk1 is not None
        events = [make_event(commune, 1, seq) for seq in (1, 2, 3)]
        with sessions.begin() as session:
            store_batch(session, desk1, [EventEnvelope.model_validate(e) for e in events], now)

        body, count = pull_page(read, tokens[1], 0, 2, exclude_own_upto=0)
        page = json.loads(body)
        assert count == 2
        assert [e["uuid"] for e in page["events"]] == [e["uuid"] for e in events[:2]]
        assert page["has_more"] is True and page["next_cursor"] == 2
        # A page exactly as long as the limit: nothing more, the cursor at its last event.
        body, count = pull_page(read, tokens[1], 0, 3)
        page = json.loads(body)
        assert count == 3 and [e["server_seq"] for e in page["events"]] == [1, 2, 3]
        assert page["has_more"] is False and page["next_cursor"] == 3
        assert pull_page(read, tokens[1], 3, 3)[1] == 0
        body, count = pull_page(read, tokens[0], 0, 500, exclude_own_upto=3)
        assert count == 0
        assert json.loads(body) == {
            "events": [], "next_cursor": 3, "has_more": False, "last_server_seq": 3,
        }  # fmt: skip
        with pytest.raises(NotAuthenticatedError):
            pull_page(read, "not-a-token", 0, 500)
        # The one pooled connection is back in its usual mode: a transaction that writes
        # still commits or rolls back as a whole.
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                driver = connection.connection.driver_connection
                assert driver.autocommit is False
        with sessions.begin() as session:
            store_batch(
                session, desk1, [EventEnvelope.model_validate(make_event(commune, 1, 4))], now
            )
        assert pull_page(read, tokens[1], 3, 500)[1] == 1
    finally:
        engine.dispose()
