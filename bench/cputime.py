"""Run a command; report wall time and the CPU time of it and every descendant (a subreaper
collects orphans, e.g. multiprocessing's fork server and its workers, Chromium), which
`/usr/bin/time` misses.

    python3 bench/cputime.py env DB=sqlite .venv/bin/pytest -q -n 2
"""
import ctypes, os, resource, subprocess, sys, time
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_CHILD_SUBREAPER = 36
assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
start = time.monotonic()
proc = subprocess.Popen(sys.argv[1:])
rc = proc.wait()
wall = time.monotonic() - start
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"CPUTIME rc={rc} wall={wall:.1f}s user={ru.ru_utime:.1f}s sys={ru.ru_stime:.1f}s cpu={ru.ru_utime+ru.ru_stime:.1f}s load={os.getloadavg()[0]:.2f}", file=sys.stderr)
sys.exit(rc)
