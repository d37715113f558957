"""How long one argon2id password hash takes here, and how many a second one and two cores make.

Run: .venv/bin/python bench/bench_argon2.py [--seconds 3] [--only-configured]

For each candidate parameter set (the configured one first, then OWASP's and RFC 9106's and
Django's defaults) it prints the median time of one hash, the hashes per second of one process, and
the hashes per second of as many processes as there are cores (each process hashing for the same
wall-clock time). A login costs one hash, so the last figure is the login rate the machine can
sustain, and 20 clients logging in at once wait about 20 / that rate seconds for the last of them.
"""

import argparse
import multiprocessing
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

from argon2.low_level import Type, hash_secret

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selfcare.accounts.hashers import Argon2idPasswordHasher  # noqa: E402

PASSWORD = b"correct-horse-battery-staple"

# (label, time_cost, memory_cost KiB, parallelism)
CANDIDATES = [
    (
        "configured",
        Argon2idPasswordHasher.time_cost,
        Argon2idPasswordHasher.memory_cost,
        Argon2idPasswordHasher.parallelism,
    ),
    ("OWASP m=19MiB t=2 p=1", 2, 19 * 1024, 1),
    ("OWASP m=46MiB t=1 p=1", 1, 46 * 1024, 1),
    ("OWASP m=12MiB t=3 p=1", 3, 12 * 1024, 1),
    ("m=19MiB t=2 p=2", 2, 19 * 1024, 2),
    ("m=32MiB t=3 p=1", 3, 32 * 1024, 1),
    ("RFC 9106 m=64MiB t=3 p=4", 3, 64 * 1024, 4),
    ("Django default m=100MiB t=2 p=8", 2, 100 * 1024, 8),
]


def one_hash(time_cost: int, memory_cost: int, parallelism: int) -> float:
    started = time.perf_counter()
    hash_secret(
        PASSWORD,
        secrets.token_bytes(16),
        time_cost=time_cost,
        memory_cost=memory_cost,
        parallelism=parallelism,
        hash_len=32,
        type=Type.ID,
    )
    return time.perf_counter() - started


def hash_for(args: tuple[int, int, int, float]) -> int:
    """Hash until the deadline; return how many hashes were made."""
    time_cost, memory_cost, parallelism, seconds = args
    deadline = time.perf_counter() + seconds
    done = 0
    while time.perf_counter() < deadline:
        one_hash(time_cost, memory_cost, parallelism)
        done += 1
    return done


def rate(params: tuple[int, int, int], processes: int, seconds: float) -> float:
    started = time.perf_counter()
    if processes == 1:
        total = hash_for((*params, seconds))
    else:
        with multiprocessing.Pool(processes) as pool:
            total = sum(pool.map(hash_for, [(*params, seconds)] * processes))
    return total / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="hashing time per measurement")
    parser.add_argument("--only-configured", action="store_true", help="measure the configured parameters only")
    options = parser.parse_args()
    cores = os.cpu_count() or 1
    candidates = CANDIDATES[:1] if options.only_configured else CANDIDATES
    print(f"argon2id on {cores} cores, {options.seconds:g} s per measurement")
    print(f"{'parameters':34} {'t':>2} {'MiB':>4} {'p':>2} {'ms/hash':>8} ", end="")
    print(f"{'1 proc/s':>9} {f'{cores} proc/s':>9} {'20 at once':>10}")
    for label, time_cost, memory_cost, parallelism in candidates:
        params = (time_cost, memory_cost, parallelism)
        one_hash(*params)  # warm up: the first allocation of the memory block costs more
        median_ms = statistics.median(one_hash(*params) for _ in range(15)) * 1000
        single = rate(params, 1, options.seconds)
        parallel = rate(params, cores, options.seconds)
        burst = 20 / parallel
        print(
            f"{label:34} {time_cost:>2} {memory_cost // 1024:>4} {parallelism:>2} {median_ms:>8.1f} "
            f"{single:>9.1f} {parallel:>9.1f} {burst:>9.2f}s"
        )


if __name__ == "__main__":
    main()
