"""Start programme-assistant: Settings -> Assistant (the corpus synced: only what changed) -> UI -> launch.

Prints the address (http://127.0.0.1:7860 unless PA_HOST / PA_PORT say otherwise) and serves the chat app
and the HTTP API until Ctrl-C. The steps are ``programme-assistant serve`` (cli.cmd_serve), which also turns
errors into messages.
"""

import sys

from programme_assistant.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve", *sys.argv[1:]]))
