"""``python -m connect_participant_emulator [--host H] [--port P]``."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
