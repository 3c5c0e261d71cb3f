#!/usr/bin/env python3
"""Benchmarks ssm-compile the way its largest users run it, against the file-system floor.

    python3 benches/bench.py                 # 100, 1,000, 10,000 and 100,000 grants
    python3 benches/bench.py --sizes 100,1000 --runs 3

Builds the release binary, generates configurations of mixed roles, consoles, instances and tags,
and measures, for each size: a cold build into an empty directory, a build where nothing changed,
a build after one grant changed, `check` and `diff` with one grant changed, the `--watch` latency
from a save to the file on disk, and the peak memory of each. In the same run it measures the
floors: `cp -r` of the produced directory and reading every produced file (`cat`). Times are
printed as medians and as ratios to those floors, so the numbers survive a noisy machine.
Only the standard library is used.
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "ssm-compile"
KEY = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CONSOLES = ['["session-manager", "cli"]', '["ec2"]', '["session-manager", "cli", "ec2"]', '["cli"]']


def grant(i: int, edited: bool = False) -> str:
    """One grant of a deterministic mix; `edited` changes its instance (or tag value)."""
    role = "admin" if i % 5 == 0 else "end-user"
    # Each principal stays within IAM's default of 10 managed policies.
    who = ['"user:u%d"' % i, '"group:g%d"' % (i // 10)]
    if i % 3 == 0:
        who.append('"role:R%d"' % (i // 30))
    lines = [
        "[grant.g%06d]" % i,
        'role = "%s"' % role,
        "who = [%s]" % ", ".join(who),
        "consoles = %s" % CONSOLES[i % len(CONSOLES)],
    ]
    if i % 2 == 0:
        n = 1 + i % 3
        ids = ['"i-%017x"' % (i * 10 + k + (7 if edited else 0)) for k in range(n)]
        lines.append("instances = [%s]" % ", ".join(ids))
    else:
        value = "web-%d%s" % (i % 7, "-edited" if edited else "")
        lines.append('tags = { Team = "%s", Env = ["prod", "staging"] }' % value)
    if i % 4 == 1:
        lines.append('kms_key = "%s"' % KEY)
    if i % 6 == 1 and role == "end-user" and i % len(CONSOLES) != 1:
        lines.append('resume_session = true')
    return "\n".join(lines) + "\n"


def config(n: int, edited: int = -1) -> str:
    head = 'account = "111122223333"\nregion = "us-east-2"\n\n'
    return head + "\n".join(grant(i, i == edited) for i in range(n))


def run(args, cwd, quiet=True):
    """Runs a command; returns (seconds, peak RSS in MiB, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def shell(cmd, cwd):
    return run(["bash", "-c", cmd], cwd)


def median_of(runs, fn):
    results = [fn() for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def save_atomically(path: Path, text: str):
    tmp = path.with_name(path.name + ".tmp-save")
    tmp.write_text(text)
    os.replace(tmp, path)


def watch_latency(work: Path, n: int, runs: int):
    """Seconds from an atomic save of the config to the edited policy's new bytes on disk."""
    out = work / "policies"
    target = out / ("g%06d.json" % (n // 2))
    proc = subprocess.Popen(
        [str(BIN), "--watch", "--color", "never"],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    latencies = []
    try:
        deadline = time.time() + 120
        while not (out / ".ssm-compile-manifest").exists():
            if time.time() > deadline or proc.poll() is not None:
                return None
            time.sleep(0.01)
        time.sleep(0.5)
        for r in range(runs):
            edited = r % 2 == 0
            text = config(n, edited=n // 2 if edited else -1)
            before = target.read_bytes()
            t0 = time.perf_counter()
            save_atomically(work / "access.toml", text)
            deadline = time.time() + 60
            while target.read_bytes() == before:
                if time.time() > deadline:
                    return None
                time.sleep(0.002)
            latencies.append(time.perf_counter() - t0)
            time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(10)
    return statistics.median(latencies)


def bench(n: int, runs: int):
    work = Path(tempfile.mkdtemp(prefix="ssm-bench-"))
    try:
        cfg = work / "access.toml"
        cfg.write_text(config(n))
        out = work / "policies"
        build = [str(BIN), "build", "--color", "never"]

        def cold():
            shutil.rmtree(out, ignore_errors=True)
            return run(build, work)

        rows = {}
        rows["cold build"] = median_of(runs, cold)
        rows["no-change build"] = median_of(runs, lambda: run(build, work))

        def cp_floor():
            shutil.rmtree(work / "copy", ignore_errors=True)
            return shell("cp -r policies copy", work)

        floor_cp = median_of(runs, cp_floor)[0]
        floor_read = median_of(runs, lambda: shell("find policies -type f -exec cat {} + >/dev/null", work))[0]

        # One grant edited, then back: each run rewrites exactly one file.
        original, edited = config(n), config(n, edited=n // 2)
        written = []

        def one_edit():
            cfg.write_text(edited if len(written) % 2 == 0 else original)
            before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
            result = run(build, work)
            after = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
            written.append(sum(1 for k in after if before.get(k) != after[k]))
            return result

        rows["one-grant build"] = median_of(runs, one_edit)
        cfg.write_text(original)
        run(build, work)
        cfg.write_text(edited)
        rows["check (1 changed)"] = median_of(runs, lambda: run([str(BIN), "check", "--color", "never"], work))
        rows["diff (1 changed)"] = median_of(runs, lambda: run([str(BIN), "diff", "--color", "never"], work))
        cfg.write_text(original)
        run(build, work)
        latency = watch_latency(work, n, max(3, runs))
        return rows, floor_cp, floor_read, written, latency
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,1000,10000,100000")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"machine: {os.cpu_count()} cores, {mem:.0f} GiB, {platform.machine()}, {platform.system()}")
    print(f"command: python3 benches/bench.py --sizes {args.sizes} --runs {args.runs}\n")
    print("| grants | measurement | median ms | ratio to floor | peak MiB |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for n in sizes:
        rows, floor_cp, floor_read, written, latency = bench(n, args.runs)
        print(f"| {n:,} | floor: `cp -r` | {floor_cp * 1000:.1f} | 1.00 | |")
        print(f"| {n:,} | floor: read all (`cat`) | {floor_read * 1000:.1f} | 1.00 | |")
        for name, (secs, peak) in rows.items():
            floor = floor_cp if name == "cold build" else floor_read
            label = "cp" if floor is floor_cp else "read"
            print(f"| {n:,} | {name} | {secs * 1000:.1f} | {secs / floor:.2f}x {label} | {peak:.1f} |")
        lat = "n/a" if latency is None else f"{latency * 1000:.0f}"
        print(f"| {n:,} | watch: save to disk | {lat} | | |")
        print(f"| {n:,} | files written per one-grant build | {sorted(set(written))} | | |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
