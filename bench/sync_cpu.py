"""CPU seconds spent by each part of a benchmark run on this one machine: the server
processes, PostgreSQL (its postmaster, live backends, and backends that have exited),
and the simulated laptops (this process). Read from /proc (Linux), so a figure can say
where a phase's time went, and how much of the machine's two cores it took."""

from __future__ import annotations

import os
import resource
from collections.abc import Callable, Sequence
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields from the state on (field 3 is index 0): the command
    name before them may itself hold spaces and parentheses."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()


def process_seconds(pid: int, *, exited_children: bool = False) -> float:
    """User + system time of ``pid`` (all its threads); with ``exited_children`` also of
    the children it has waited for."""
    fields = _stat(pid)
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    if exited_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime (16 and 17)
    return ticks / _TICK


def postgres_seconds(data_dir: Path) -> float:
    """The whole cluster's CPU time so far: the postmaster with the backends it has
    reaped, plus the processes it runs now."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    total = process_seconds(postmaster, exited_children=True)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue  # a process that ended while the folder was read
        if int(fields[1]) == postmaster:  # ppid (field 4)
            total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def probe(server_pids: Sequence[int], data_dir: Path) -> Callable[[], dict[str, float]]:
    """A function giving the CPU seconds so far of the server processes, PostgreSQL and
    this process (the simulated laptops): a phase's are two readings' difference."""
    def read() -> dict[str, float]:
        own = resource.getrusage(resource.RUSAGE_SELF)
        return {"server": sum(process_seconds(pid) for pid in server_pids),
                "postgres": postgres_seconds(data_dir),
                "laptops": own.ru_utime + own.ru_stime}
    return read

