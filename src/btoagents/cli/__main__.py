"""``python -m btoagents.cli``: the same command line as the ``btoagents`` script."""

import sys

from btoagents.cli import main

sys.exit(main())
