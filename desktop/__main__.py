"""``python -m desktop``, and the packaged app's entry point."""

import multiprocessing
import os
import sys

# First of all: the packaged app starts its sync process and multiprocessing's resource tracker
# by running this same executable with their own arguments. This recognises them and runs their
# code instead of the command line (which would refuse them as "invalid choice"). A no-op when
# not packaged.
multiprocessing.freeze_support()

# The packaged app's loader points LD_LIBRARY_PATH at the app's own libraries. This process has
# read it already; the programs the app starts (the softphone a tel: link opens, the mail app)
# must not load the app's copies of system libraries instead of their own.
if getattr(sys, "frozen", False) and sys.platform.startswith("linux"):
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original

from desktop.cli import main  # noqa: E402 (after the call above, on purpose)

sys.exit(main())
