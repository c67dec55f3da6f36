"""``python -m connect_participant_cli``: the ``connect-participant`` command."""

import sys

from . import main

sys.exit(main())
