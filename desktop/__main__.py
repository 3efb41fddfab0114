"""``python -m desktop``, and the packaged app's entry point."""

import multiprocessing
import sys

# First of all: the packaged app starts its sync process and multiprocessing's resource tracker
# by running this same executable with their own arguments. This recognises them and runs their
# code instead of the command line (which would refuse them as "invalid choice"). A no-op when
# not packaged.
multiprocessing.freeze_support()

from desktop.cli import main  # noqa: E402 (after the call above, on purpose)

sys.exit(main())
