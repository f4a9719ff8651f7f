"""Wall time of ``aesthetic-mllm --help`` and of every subcommand's ``--help`` (fresh interpreter each).

Each command runs ``--repeats`` times in a new ``python -m aesthetic_mllm.cli`` process; the
script prints the median wall and CPU time per command, whether torch was imported to print the
help, and fails when any wall-time median reaches the 1 s budget.

    python benchmarks/cli_startup.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

BUDGET_S = 1.0
# the help text is printed by argparse and exits; then report whether torch was loaded
_PROBE = ("import sys, runpy\n"
          "sys.argv = ['aesthetic-mllm', *sys.argv[1:]]\n"
          "try:\n"
          "    runpy.run_module('aesthetic_mllm.cli', run_name='__main__')\n"
          "except SystemExit:\n"
          "    pass\n"
          "sys.stderr.write('TORCH=%d\\n' % ('torch' in sys.modules))\n")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_help(args: list[str], repeats: int) -> tuple[float, float, bool]:
    """Median wall and CPU seconds of ``aesthetic-mllm ARGS --help`` and whether torch was imported."""
    times, cpu, torch_loaded = [], [], False
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), _children_cpu()
        proc = subprocess.run([sys.executable, "-c", _PROBE, *args, "--help"], capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - start_cpu)
        if proc.returncode != 0 or "usage:" not in proc.stdout:
            raise SystemExit(f"aesthetic-mllm {' '.join(args)} --help failed: {proc.stderr.strip()[-300:]}")
        torch_loaded |= "TORCH=1" in proc.stderr
    return statistics.median(times), statistics.median(cpu), torch_loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--top-only", action="store_true", help="time only the top-level --help")
    args = parser.parse_args()
    from aesthetic_mllm.cli import subcommands

    commands = [[]] + ([] if args.top_only else subcommands())
    worst = 0.0
    for cmd in commands:
        seconds, cpu, torch_loaded = time_help(cmd, args.repeats)
        worst = max(worst, seconds)
        label = " ".join(["aesthetic-mllm", *cmd, "--help"])
        print(f"{label:48s} {seconds:6.2f} s wall  {cpu:5.2f} s CPU  torch imported: {'yes' if torch_loaded else 'no'}")
    print(f"slowest: {worst:.2f} s wall (budget {BUDGET_S:.1f} s); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs (wall time grows with load, CPU time much less)")
    return 0 if worst < BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
