"""End this process from a watchdog thread, saying why and where it hung."""
import faulthandler
import os
import sys


def stop_this_process(message: str, exit_code: int) -> None:
    """Write ``message`` and the stack of every thread (``faulthandler``) to
    stderr, then end the process at once with ``exit_code`` (``os._exit``:
    no cleanup that could hang too)."""
    sys.stderr.write(message.rstrip('\n') + '\n')
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    sys.stderr.flush()
    os._exit(exit_code)
