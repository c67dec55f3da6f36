"""The ``connect-participant`` command line: an application of the ``connect_participant`` library.

The library never imports this package (a test checks it). Its terminal libraries come with
an extra, ``pip install "connect-participant[cli]"`` (prompt_toolkit for the interactive chat,
rich for progress bars and transcripts); starting a chat through Amazon Connect needs boto3,
from ``pip install "connect-participant[aws]"``. Without them a command says which extra to
install, in one line.
"""

from __future__ import annotations

from ._app import main

__all__ = ["main"]
