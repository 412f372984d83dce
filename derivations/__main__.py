"""`python -m derivations`: see `derivations.cli`."""

import sys

from derivations.cli import main

if __name__ == "__main__":
    sys.exit(main())
