"""`python -m ojlang.fake_agent` = `oj-fake-agent`."""

from ojlang.fake_agent.cli import main

raise SystemExit(main())
