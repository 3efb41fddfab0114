"""What lives as long as the window is set aside from the cyclic garbage collector.

Python's full (oldest-generation) collection walks every tracked object of the process: the
imports (SQLAlchemy, PySide6, the app's own modules) and the window's widgets make some
hundreds of thousands, and one such walk held the UI thread 117 ms while the window was
built and 850 ms (on a loaded machine) during a 100,000-lead sync: the one stall over 100 ms
of the run. Frozen objects are never walked again; what is made afterwards is collected as
before, in walks as short as it is.
"""

from __future__ import annotations

import gc


def set_aside() -> None:
    """Call once the window is built: every object alive now stays out of later collections.

    What was set aside before is looked at once more first: after a switch of rep, the
    earlier window's garbage is collected here (the one that was open at the switch is
    collected at the next)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
