"""Running a command and measuring its wall time and peak memory, bounded in time and memory.

``os.wait4`` gives the child's own ``ru_maxrss``, exact even when several runs happen in one bench process
(``RUSAGE_CHILDREN`` would report the largest child so far). A watchdog stops runaway runs on a shared machine.
"""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

MEMORY_CAP_MIB = 12 * 1024


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mib: float
    returncode: int
    stopped: str  # "" when the command ended by itself, else why the watchdog stopped it
    output_tail: str


def run_measured(command: list[str], env: dict[str, str] | None = None, timeout: float = 600.0,
                 memory_cap_mib: float = MEMORY_CAP_MIB, cwd: Path | None = None) -> Measured:
    """Run ``command`` to completion (or until the watchdog stops it) and report time and peak RSS."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, env={**os.environ, **(env or {})}, cwd=cwd, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        stopped: list[str] = []
        done = threading.Event()
        watchdog = threading.Thread(target=_watch, args=(process.pid, start + timeout, memory_cap_mib, done, stopped),
                                    daemon=True)
        watchdog.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        watchdog.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        tail = output.read()[-2000:].decode("utf-8", "replace")
    return Measured(seconds, usage.ru_maxrss / 1024, process.returncode, stopped[0] if stopped else "", tail)


def _watch(pid: int, deadline: float, cap_mib: float, done: threading.Event, stopped: list[str]) -> None:
    while not done.wait(0.5):
        reason = ""
        if time.perf_counter() > deadline:
            reason = "timeout"
        elif _rss_mib(pid) > cap_mib:
            reason = f"memory above {cap_mib:.0f} MiB"
        if reason:
            stopped.append(reason)
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
