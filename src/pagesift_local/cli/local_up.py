"""``pagesift local up``: start the embedded stack and keep it running until Ctrl-C or SIGTERM;
its first line on stdout is what a client needs to use it (one JSON object)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from pagesift_local.cli.local_stack import running_stack


def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    sys.stdout = sys.stderr  # the function's logs go to stderr; stdout carries the one JSON line
    with running_stack(args) as stack:
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        out.write(json.dumps(stack.info()) + "\n")
        out.flush()
        print("pagesift: local stack running; Ctrl-C to stop", file=sys.stderr)
        try:
            while not stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0
