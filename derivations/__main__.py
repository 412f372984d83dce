"""`python -m derivations`: see `derivations.cli`."""

import os
import sys

from derivations.cli import main

if __name__ == "__main__":
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`python -m derivations show SUM-5 | head`): not an error
        # of the verifier. Point stdout at devnull so that the exit flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)
