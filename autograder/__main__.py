"""``python -m autograder <verb>``: the command line (autograder/cli.py parses it and calls one module per verb)."""
import sys

from .cli import main

sys.exit(main())
