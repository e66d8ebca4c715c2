"""`python -m bot ...` is the same as `fixloop ...`."""

from bot.cli import main

raise SystemExit(main())
