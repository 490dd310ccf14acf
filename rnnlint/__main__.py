"""`python -m rnnlint`."""
import sys

from rnnlint.cli import main

if __name__ == "__main__":
    sys.exit(main())
