"""This process's peak memory (resident set), in MB.

``ru_maxrss`` is kept across fork and exec: a probe started by the process that had just
built a 100,000-lead profile reported that process's 575 MB as its own. Linux's VmHWM belongs
to the program now running, so it is read first.
"""

from __future__ import annotations

import resource
from pathlib import Path


def peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
