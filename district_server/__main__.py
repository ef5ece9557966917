"""``python -m district_server``: the same as the ``district-server`` command."""

from district_server.cli import main

raise SystemExit(main())
