#!/usr/bin/env python3
"""Benchmarks ssm-compile the way its largest users run it, against the file-system floor.

    python3 benches/bench.py                   # 100, 1,000, 10,000 and 100,000 grants
    python3 benches/bench.py --sizes 100,1000 --runs 3
    python3 benches/bench.py --readme          # also replace the table in README.md
    python3 benches/bench.py --memory-shapes   # peak memory on the largest inputs of several shapes

Builds the release binary, generates configurations of mixed roles, consoles, instances and tags,
and measures, for each size: a cold build into an empty directory, a build where nothing changed,
a build after one grant changed, `check` and `diff` with one grant changed, `check` and the exact
`diff --format json` (the per-principal verdict) with 100 grants changed, `who-can` and `can`
(issue 11; compared with the no-change build, which reads and compiles as much), the `--watch` latency
from a save to the file on disk, and the peak memory of each. In the same run it measures the
floors: `cp -r` of the produced directory into a new one, and reading every produced file
(`cat`). Times are medians, also printed as ratios to those floors, so the numbers survive a
noisy machine. Every command's exit code and reported counts are checked, so an error path is
never timed by mistake. Only the standard library is used.

Everything that creates files (cold builds, `cp -r`) goes into a directory name not used
before, runs of the two alternate, `sync` comes before each, and nothing is deleted until every
size is measured: ext4 skips inodes freed within the last minutes when it allocates new ones
(`recently_deleted` in a kernel profile), so creating 10,000 files right after deleting as many
took 3 to 5 times longer, for `cp -r` as for us. That measures the file system's bookkeeping,
not ssm-compile.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "ssm-compile"
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
KEY = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CONSOLES = ['["session-manager", "cli"]', '["ec2"]', '["session-manager", "cli", "ec2"]', '["cli"]']
SUMMARY = re.compile(r"(\d+) written, (\d+) removed, (\d+) unchanged")


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
        lines.append("resume_session = true")
    return "\n".join(lines) + "\n"


def config(n: int, edited=-1) -> str:
    """The configuration of `n` grants; `edited` is one grant's index or a set of them."""
    # The per-grant warning lints are allowed, as a large file's owners would after review:
    # otherwise ~1.5 warnings a grant are printed and the run measures the renderer. The lints
    # still run on every grant, and username-prefix-collision (across grants) stays on.
    head = (
        'account = "111122223333"\nregion = "us-east-2"\n\n[lints]\n'
        'tag-selected-grant = "allow"\nmanaged-nodes-unreachable = "allow"\n'
        'ec2-console-agent-update-denied = "allow"\nadmin-can-change-preferences = "allow"\n\n'
    )
    edits = edited if isinstance(edited, (set, frozenset)) else {edited}
    return head + "\n".join(grant(i, i in edits) for i in range(n))


def hundred(n: int):
    """100 grants spread over the file (all of them below 100)."""
    return set(range(0, n, max(1, n // 100))[:100])


def broken_config(n: int) -> str:
    """`config(n)` with a bad instance id (5 hex digits) in place of the target of 3 grants in
    5: the speed-of-failure case of issue 13 (20,000 grants, 12,000 errors)."""
    out = []
    for i in range(n):
        text = grant(i)
        if i % 5 < 3:
            lines = [l for l in text.splitlines() if not l.startswith(("instances", "tags"))]
            text = "\n".join(lines + ['instances = ["i-%05x"]' % (i % 0xFFFFF)]) + "\n"
        out.append(text)
    return config(0) + "\n".join(out)  # config(0) is the head alone, `[lints]` included


ERRORS = re.compile(r"error: (\d+) errors? in ")


def failure(n: int, runs: int, work: Path):
    """Median seconds of `check` on a file with an error in 3 grants of 5, and of `check` on
    the same file made valid (with no policies built, so it lists every file as added); the count of
    errors, checked against the file."""
    bad, good = work / "broken.toml", work / "valid.toml"
    bad.write_text(broken_config(n))
    good.write_text(config(n))
    check = [str(BIN), "check", "--color", "never", "-o", "none-built", "-c"]
    broken = [run(check + [bad.name], work, expect=2) for _ in range(runs)]
    found = ERRORS.findall(broken[0][2])
    expected = sum(1 for i in range(n) if i % 5 < 3)
    if found != [str(expected)]:
        raise Failed(f"check reported {found} errors, expected {expected}")
    valid = [run(check + [good.name], work, expect=1) for _ in range(runs)]
    return median(broken)[0], median(valid)[0], expected


class Failed(Exception):
    pass


# Runs argv[2:] and writes its peak RSS (KiB) and wall time (s) to the file argv[1], exiting
# with its code. Linux carries a process's peak RSS across exec, so a child forked from this
# script (which holds the generated configurations, 30 MB shapes and more) would report at
# least this script's size: a small interpreter in between gives its child a small start, and
# times it from its own fork, so the interpreter's start-up is not counted either.
MEASURE = (
    "import os, sys, time\n"
    "start = time.perf_counter()\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.argv[2], sys.argv[2:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "elapsed = time.perf_counter() - start\n"
    "open(sys.argv[1], 'w').write(f'{usage.ru_maxrss} {elapsed}')\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def run(args, cwd, expect=0):
    """Runs a command with stdout discarded and stderr kept, through a small interpreter (see
    MEASURE); returns (seconds, peak RSS in MiB, stderr text). Raises `Failed` on an unexpected
    exit code."""
    args = [shutil.which(args[0]) or args[0], *args[1:]]
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as measured:
        argv = [sys.executable, "-c", MEASURE, measured.name, *map(str, args)]
        proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        err.seek(0)
        text = err.read().decode(errors="replace")
        peak, elapsed = measured.read().split()
    code = proc.returncode
    if expect is not None and code != expect:
        raise Failed(f"{' '.join(map(str, args))}: exit {code}, expected {expect}\n{text[-2000:]}")
    return float(elapsed), int(peak) / 1024, text


def counts(stderr: str):
    """(written, removed, unchanged) from a build's closing line."""
    found = SUMMARY.findall(stderr)
    if not found:
        raise Failed("no build summary in:\n" + stderr[-2000:])
    return tuple(map(int, found[-1]))


def settle():
    """Writes back dirty pages so one run's write-back does not land in the next run's time."""
    os.sync()


def median(samples):
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def snapshot(out: Path):
    """File name to (inode, mtime): an atomic rewrite changes both."""
    return {e.name: (e.inode(), e.stat().st_mtime_ns) for e in os.scandir(out)}


def save_atomically(path: Path, text: str):
    tmp = path.with_name(path.name + ".tmp-save")
    tmp.write_text(text)
    os.replace(tmp, path)


def watch_latency(work: Path, n: int, runs: int):
    """Median seconds from an atomic save of the config to the edited policy's new bytes on
    disk, and the watcher's peak RSS; None when watching does not work."""
    target = work / "policies" / ("g%06d.json" % (n // 2))
    log = work / "watch.log"
    done = re.compile(r"\] (no changes|rebuilt from)")
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [str(BIN), "build", "--watch", "--color", "never"],
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    latencies = []
    try:

        def wait_builds(k):
            deadline = time.time() + 120
            while len(done.findall(log.read_text(errors="replace"))) < k:
                if time.time() > deadline or proc.poll() is not None:
                    raise Failed("watch did not build:\n" + log.read_text(errors="replace")[-2000:])
                time.sleep(0.01)

        wait_builds(1)  # the first build, at start
        for r in range(runs):
            text = config(n, edited=n // 2 if r % 2 == 0 else -1)
            before = target.read_bytes()
            t0 = time.perf_counter()
            save_atomically(work / "access.toml", text)
            deadline = time.time() + 60
            while target.read_bytes() == before:
                if time.time() > deadline:
                    raise Failed("watch did not rewrite the file:\n" + log.read_text()[-2000:])
                time.sleep(0.001)
            latencies.append(time.perf_counter() - t0)
            wait_builds(r + 2)  # the rebuild is reported: the watcher is idle again
    except Failed as e:
        print(f"watch: {e}", file=sys.stderr)
        return None
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, _, usage = os.wait4(proc.pid, 0)
        except ChildProcessError:
            usage = None
    if not latencies or usage is None:
        return None
    return statistics.median(latencies), usage.ru_maxrss / 1024


def bench(n: int, runs: int, log, work: Path):
    cfg = work / "access.toml"
    original, edited = config(n), config(n, edited=n // 2)
    cfg.write_text(original)
    build = [str(BIN), "build", "--color", "never"]
    run(build, work)
    out = work / "policies"
    rows, fresh = {}, iter(range(10**6))

    def into_new(cmd):
        """Times `cmd(name)` into a directory name not used before (deleted at the end)."""
        settle()
        return cmd("new-%d" % next(fresh))

    def cold(name):
        result = run(build + ["-o", name], work)
        if counts(result[2]) != (n, 0, 0):
            raise Failed(f"cold build wrote {counts(result[2])}, not {n} files")
        return result

    copies, colds = [], []
    for _ in range(runs):
        copies.append(into_new(lambda name: run(["cp", "-r", "policies", name], work)))
        colds.append(into_new(cold))
    floor_cp, rows["cold build"] = median(copies), median(colds)
    log(f"{n}: cold build done")

    # Issue 12: the same cold build with the Terraform output too, whose policies are packed
    # per principal set and proven equal to the grants (the access model): what packing adds.
    def cold_packed(name):
        result = run(build + ["-o", name, "--emit", "json,terraform"], work)
        if counts(result[2]) != (n + 1, 0, 0):
            raise Failed(f"packed cold build wrote {counts(result[2])}, not {n + 1} files")
        return result

    rows["cold build, packed Terraform too"] = median([into_new(cold_packed) for _ in range(runs)])
    floor_read = median(
        [run(["bash", "-c", "find policies -type f -exec cat {} + >/dev/null"], work) for _ in range(runs)]
    )

    def no_change():
        result = run(build, work)
        if counts(result[2]) != (0, 0, n):
            raise Failed(f"no-change build did {counts(result[2])}")
        return result

    rows["no-change build"] = median([no_change() for _ in range(runs)])

    # One grant edited, then back: each run must rewrite exactly one file.
    written = set()

    def one_edit(r):
        cfg.write_text(edited if r % 2 == 0 else original)
        before = snapshot(out)
        result = run(build, work)
        after = snapshot(out)
        # Counted on disk (inode and mtime), manifest included; the build's own count must agree.
        changed = [k for k in after if before.get(k) != after[k]]
        if counts(result[2])[0] != len(changed):
            raise Failed(f"build says {counts(result[2])}, disk shows {changed[:5]}")
        written.add(len(changed))
        return result

    rows["one-grant build"] = median([one_edit(r) for r in range(runs)])
    cfg.write_text(original)
    run(build, work)
    cfg.write_text(edited)
    check = [str(BIN), "check", "--color", "never"]
    rows["`check`, 1 changed"] = median([run(check, work, expect=1) for _ in range(runs)])
    diff = [str(BIN), "diff", "--color", "never"]
    rows["`diff`, 1 changed"] = median([run(diff, work) for _ in range(runs)])
    # The exact review (issue 10): 100 grants changed, the per-principal verdict in JSON.
    cfg.write_text(config(n, edited=hundred(n)))
    rows["`check`, 100 changed"] = median([run(check, work, expect=1) for _ in range(runs)])
    review = diff + ["--format", "json", "--fail-on", "widening"]
    rows["`diff --format json`, 100 changed"] = median([run(review, work, expect=1) for _ in range(runs)])
    cfg.write_text(original)
    run(build, work)
    # Issue 11: the questions, against the no-change build (which reads and compiles as much).
    who = [str(BIN), "who-can", "start-session", "--instance", "i-%017x" % (n // 2 * 10), "--color", "never"]
    rows["`who-can` start-session"] = median([run(who, work) for _ in range(runs)])
    can = [str(BIN), "can", "group:g%d" % (n // 20), "start-session", "--instance", "i-0aaaaaaaaaaaaaaaa",
           "--tag", "Team=web-3", "--color", "never"]
    rows["`can` start-session"] = median([run(can, work) for _ in range(runs)])
    log(f"{n}: watch")
    watch = watch_latency(work, n, max(4, runs))
    return {
        "floor_cp": floor_cp[0],
        "floor_read": floor_read[0],
        "rows": rows,
        "written": sorted(written),
        "watch": watch,
    }


FLOOR_OF = {
    "cold build": ("floor_cp", "cp"),
    "cold build, packed Terraform too": ("floor_cp", "cp"),
    "no-change build": ("floor_read", "read"),
    "one-grant build": ("floor_read", "read"),
    "`check`, 1 changed": ("floor_read", "read"),
    "`diff`, 1 changed": ("floor_read", "read"),
    "`who-can` start-session": ("floor_read", "read"),
    "`can` start-session": ("floor_read", "read"),
    "`check`, 100 changed": ("floor_read", "read"),
    "`diff --format json`, 100 changed": ("floor_read", "read"),
}


def ms(secs):
    return f"{secs * 1000:,.0f}" if secs >= 0.1 else f"{secs * 1000:.1f}"


def table(results):
    sizes = list(results)
    head = "| | " + " | ".join(f"{n:,} grants" for n in sizes) + " |"
    sep = "| --- | " + " | ".join("---:" for _ in sizes) + " |"
    lines = ["Time (median ms, and the ratio to its floor):", "", head, sep]
    lines.append("| floor: `cp -r` into a new directory | " + " | ".join(ms(results[n]["floor_cp"]) for n in sizes) + " |")
    lines.append("| floor: read every file (`cat`) | " + " | ".join(ms(results[n]["floor_read"]) for n in sizes) + " |")
    for name, (key, label) in FLOOR_OF.items():
        cells = []
        for n in sizes:
            secs = results[n]["rows"][name][0]
            cells.append(f"{ms(secs)} ({secs / results[n][key]:.1f}x {label})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = ["n/a" if results[n]["watch"] is None else ms(results[n]["watch"][0]) for n in sizes]
    lines.append("| `--watch`: save to new file on disk | " + " | ".join(cells) + " |")
    cells = [", ".join(map(str, results[n]["written"])) for n in sizes]
    lines.append("| files rewritten by a one-grant build | " + " | ".join(cells) + " |")
    lines += ["", "Peak memory (MiB, maximum resident set):", "", head, sep]
    for name in FLOOR_OF:
        cells = [f"{results[n]['rows'][name][1]:.0f}" for n in sizes]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = ["n/a" if results[n]["watch"] is None else f"{results[n]['watch'][1]:.0f}" for n in sizes]
    lines.append("| `--watch` (start and rebuilds) | " + " | ".join(cells) + " |")
    if 1000 in results and 100000 in results:
        lines += ["", "Growth from 1,000 to 100,000 grants (100x the grants; linear is 100x):", ""]
        lines += ["| | time | peak memory |", "| --- | ---: | ---: |"]
        for name in FLOOR_OF:
            (t1, m1), (t2, m2) = results[1000]["rows"][name], results[100000]["rows"][name]
            lines.append(f"| {name} | {t2 / t1:.0f}x | {m2 / m1:.0f}x |")
    return "\n".join(lines)


# The speed-of-failure measurement of this run: (broken s, valid s, errors), at most one.
FAILURE = []


def failure_row(n):
    broken, valid, errors = FAILURE[0]
    return "\n".join([
        f"Speed of failure, {n:,} grants (median ms): `check` of the file with {errors:,} errors, and of the same file made valid:",
        "",
        "| `check`, valid | `check`, errors (all printed) | ratio |",
        "| ---: | ---: | ---: |",
        f"| {ms(valid)} | {ms(broken)} | {broken / valid:.1f}x |",
    ])


def targets(results):
    """The issue's targets, each with whether it is met."""
    out = []
    if 100000 in results:
        r = results[100000]["rows"]
        extra = r["cold build, packed Terraform too"][0] / r["cold build"][0] - 1
        out.append((f"packing 100,000 grants adds under 20% to the cold build ({extra:.0%})", extra < 0.2))
    if FAILURE:
        broken, valid, errors = FAILURE[0]
        out.append((f"{errors:,} errors within 3x a valid `check` ({broken / valid:.1f}x)", broken <= 3 * valid))
    if 10000 in results:
        r = results[10000]
        out.append(("cold build within 2x `cp -r` at 10,000", r["rows"]["cold build"][0] / r["floor_cp"] <= 2))
        for name in ("no-change build", "`check`, 1 changed"):
            out.append((f"{name} within 2x the read floor at 10,000", r["rows"][name][0] / r["floor_read"] <= 2))
        exact = r["rows"]["`diff --format json`, 100 changed"][0] / r["rows"]["`check`, 100 changed"][0]
        out.append((f"exact `diff --format json` within 3x `check` at 10,000, 100 changed ({exact:.1f}x)", exact <= 3))
    if 100000 in results:
        r = results[100000]["rows"]
        for name in ("`who-can` start-session", "`can` start-session"):
            ratio = r[name][0] / r["no-change build"][0]
            out.append((f"{name} within 1.5x the no-change build at 100,000 ({ratio:.2f}x)", ratio <= 1.5))
    out.append(("a one-grant build rewrites exactly one file", all(r["written"] == [1] for r in results.values())))
    if 100000 in results:
        watch = results[100000]["watch"]
        peak = max([m for _, m in results[100000]["rows"].values()] + ([watch[1]] if watch else []))
        out.append((f"peak memory under 200 MB at 100,000 (peak {peak * 2**20 / 1e6:.0f} MB)", peak * 2**20 < 200e6))
    if 1000 in results and 100000 in results:
        # Linear: 100x the grants costs at most ~100x (with slack for fixed costs and noise).
        worst = max(results[100000]["rows"][k][0] / results[1000]["rows"][k][0] for k in FLOOR_OF)
        out.append((f"time grows linearly 1,000 -> 100,000 (worst {worst:.0f}x for 100x)", worst <= 150))
    return out


def deploy_config(n: int) -> str:
    """`n` grants of the mix above that CloudFormation accepts, with the templates asked for in
    the file (`formats`): 40 grants per group, 400 per account (each account's stack stays
    under its 500 resources)."""
    head = (
        'account = "111122223333"\nregion = "us-east-2"\n'
        'formats = ["json", "cloudformation", "terraform"]\n\n'
        '[lints]\ntag-selected-grant = "allow"\nmanaged-nodes-unreachable = "allow"\n'
        'ec2-console-agent-update-denied = "allow"\nadmin-can-change-preferences = "allow"\n\n'
    )
    out = []
    for i in range(n):
        lines = grant(i).splitlines()
        lines[2] = 'who = ["group:t%d"]' % (i // 40)
        lines.insert(1, 'account = "%012d"' % (100000000000 + i // 400))
        out.append("\n".join(lines) + "\n")
    return head + "\n".join(out)


# What `build` writes in the templates column: Terraform for the shapes of one policy per
# grant (CloudFormation refuses over 500 policies an account), the file's own `formats`
# (JSON, CloudFormation and Terraform) for the deploy shape.
TERRAFORM = ["--emit", "json,terraform"]


def shapes():
    """The largest accepted inputs of several shapes, each near the 32 MiB cap: (name, text,
    the arguments of the build with templates)."""
    head = 'account = "111122223333"\nregion = "us-east-2"\n\n'
    # Bench grants (about 186 bytes each): 31.7 MiB, just under the 32 MiB cap.
    n = 178_000
    yield f"{n:,} grants of the mix above, as [grant.NAME] tables", config(n), TERRAFORM
    inline = 'g%d={role="end-user",who=["user:u%d"],consoles=["cli"],instances=["*"]}'
    lines = [head + "[grant]"] + [inline % (i, i) for i in range(400_000)]
    yield "400,000 inline-table grants under one [grant]", "\n".join(lines) + "\n", TERRAFORM
    # Distinct policies (an instance each): nothing to share between grants.
    distinct = 'g%d={role="end-user",who=["user:u%d"],consoles=["cli"],instances=["i-%017x"]}'
    lines = [head + "[grant]"] + [distinct % (i, i, i) for i in range(320_000)]
    yield "320,000 inline-table grants, each with its own instance", "\n".join(lines) + "\n", TERRAFORM
    dotted = 'grant.d%d.role="end-user"\ngrant.d%d.who=["user:u%d"]\ngrant.d%d.consoles=["cli"]\ngrant.d%d.instances=["*"]\n'
    lines = [head] + [dotted % (i, i, i, i, i) for i in range(250_000)]
    yield "250,000 grants as dotted keys at the top level", "".join(lines), TERRAFORM
    n = 150_000
    yield f"{n:,} grants in {n // 400} accounts, `formats` of all three in the file", deploy_config(n), []
    yield "the 100,000-grant configuration of the table above", config(100_000), TERRAFORM


def memory_shapes(log):
    """Peak RSS of `check`, `build` (the file's formats: JSON) and `build` with templates on
    each shape, against the 20x-the-input and 1 GB limits."""
    rows = [
        "| input | size | `check` peak | `build` peak | `build` with templates | limit (20x, at most 1 GB) |",
        "| --- | ---: | ---: | ---: | ---: | :---: |",
    ]
    verdicts = []
    for name, text, templates in shapes():
        work = Path(tempfile.mkdtemp(prefix="ssm-bench-shape-"))
        try:
            (work / "access.toml").write_text(text)
            size = len(text.encode())
            log(f"{name}: {size / 2**20:.1f} MiB")
            del text
            _, check_rss, _ = run([BIN, "check", "-o", "out"], work, expect=1)
            peaks = [check_rss]
            if templates:
                cmd = [BIN, "build", "-o", "out", "--emit", "json"]
                peaks.append(run(cmd, work, expect=0)[1])
            cmd = [BIN, "build", "-o", "out-templates", *templates]
            _, templates_rss, _ = run(cmd, work, expect=0)
            peaks.append(templates_rss)
            limit = min(20 * size, 1e9)
            ok = max(peaks) * 2**20 <= limit
            cell = lambda rss: f"{rss:.0f} MiB ({rss * 2**20 / size:.1f}x)"
            what = " ".join(templates[1:]) or "the file's `formats`"
            rows.append(
                f"| {name} | {size / 2**20:.1f} MiB | {cell(check_rss)} "
                f"| {cell(peaks[1]) if templates else ''} | {cell(templates_rss)}, {what} | {'PASS' if ok else 'FAIL'} |"
            )
            verdicts.append((f"{name}: peak {max(peaks):.0f} MiB within 20x the file and 1 GB", ok))
        finally:
            subprocess.run(["rm", "-rf", "--", str(work)])
    for section in (after_one_edit, every_account_changed, at_the_proof_limit, access_matrix, small_configurations):
        section_rows, section_verdicts = section(log)
        rows += ["", *section_rows]
        verdicts += section_verdicts
    rows += ["", "Targets:", ""]
    rows += [f"- [{'x' if ok else ' '}] {'PASS' if ok else 'FAIL'}: {text}" for text, ok in verdicts]
    return "\n".join(rows)


def command_table(title):
    """The head of a table of commands measured against the memory limit."""
    return [title, "", "| command | peak | time | limit (20x, at most 1 GB) |", "| --- | ---: | ---: | :---: |"]


def measured(label, cmd, work, size, expect=0):
    """Runs `cmd` in `work`: its table row and its verdict against 20x `size` and 1 GB."""
    seconds, rss, _ = run(cmd, work, expect=expect)
    ok = rss * 2**20 <= min(20 * size, 1e9)
    row = f"| {label} | {rss:.0f} MiB ({rss * 2**20 / size:.1f}x) | {seconds:.1f} s | {'PASS' if ok else 'FAIL'} |"
    return row, ok, rss


def after_one_edit(log):
    """Peak RSS of `check`, `diff` and `build` after one grant gains a principal, on the
    100,000-grant configuration built with Terraform: the old files are on disk, and the
    Terraform file (250 MB) is one of the changed files."""
    text = config(100_000)
    size = len(text.encode())
    rows = command_table(
        f"After a one-grant edit of the 100,000-grant configuration ({size / 2**20:.1f} MiB), "
        "built with `--emit json,terraform` (the Terraform file changes too):"
    )
    verdicts = []
    work = Path(tempfile.mkdtemp(prefix="ssm-bench-edit-"))
    try:
        (work / "access.toml").write_text(text)
        emit = ["-o", "out", "--emit", "json,terraform"]
        run([BIN, "build", *emit], work, expect=0)
        # Templates only: no `.json` beside the template, so the verdict reads every grant's
        # document from the template, on both sides.
        templates_only = ["-o", "out-tf", "--emit", "terraform"]
        run([BIN, "build", *templates_only], work, expect=0)
        at = text.index("who = [")
        (work / "access.toml").write_text(text[:at] + 'who = ["user:bench-edit", ' + text[at + len("who = ["):])
        log("one grant edited: check, diff, build")
        edited = (work / "access.toml").read_text()
        for name, expect in (("check", 1), ("diff", 0), ("build", 0)):
            row, ok, rss = measured(f"`{name}`", [BIN, name, *emit], work, size, expect)
            rows.append(row)
            verdicts.append((f"`{name}` after a one-grant edit with Terraform: peak {rss:.0f} MiB within 20x the file and 1 GB", ok))
        # Every grant's policy changes with the region: every file differs, every principal
        # is decided.
        log("every grant changed (the region): diff")
        (work / "access.toml").write_text(edited.replace('region = "us-east-2"', 'region = "us-west-2"', 1))
        row, ok, rss = measured("`diff` after a change to every grant (the region)", [BIN, "diff", *emit], work, size)
        rows.append(row)
        verdicts.append((f"`diff` after a change to every grant: peak {rss:.0f} MiB within 20x the file and 1 GB", ok))
        label = "`diff` after a change to every grant, `--emit terraform` (templates only)"
        row, ok, rss = measured(label, [BIN, "diff", *templates_only], work, size)
        rows.append(row)
        verdicts.append((f"{label}: peak {rss:.0f} MiB within 20x the file and 1 GB", ok))
    finally:
        subprocess.run(["rm", "-rf", "--", str(work)])
    return rows, verdicts


def at_the_proof_limit(log):
    """Peak RSS at 20,000 grants with Terraform: the most grants whose packing the build proves
    lossless exactly (`EXACT_PROOF_MAX_GRANTS`), where `check` once peaked at 67x the file."""
    n = 20_000
    text = config(n)
    size = len(text.encode())
    rows = command_table(
        f"At {n:,} grants ({size / 2**20:.1f} MiB), the most whose packing is proved exactly, "
        "with `--emit json,terraform`:"
    )
    verdicts = []
    work = Path(tempfile.mkdtemp(prefix="ssm-bench-proof-"))
    try:
        emit = ["-o", "out", "--emit", "json,terraform"]
        templates_only = ["-o", "out-tf", "--emit", "terraform"]
        region = text.replace('region = "us-east-2"', 'region = "us-west-2"', 1)
        cases = [
            ("`build` into an empty directory", "build", text, emit),
            ("`check`, nothing changed", "check", text, emit),
            ("`diff` after a change to every grant (the region)", "diff", region, emit),
            ("`build`, `--emit terraform` (templates only)", "build", text, templates_only),
            ("`diff` after a change to every grant, templates only", "diff", region, templates_only),
        ]
        for label, name, config_text, args in cases:
            log(f"{n:,} grants with Terraform: {name}")
            (work / "access.toml").write_text(config_text)
            row, ok, rss = measured(label, [BIN, name, *args], work, size)
            rows.append(row)
            verdicts.append((f"{label} at {n:,} grants with Terraform: peak {rss:.0f} MiB within 20x the file and 1 GB", ok))
    finally:
        subprocess.run(["rm", "-rf", "--", str(work)])
    return rows, verdicts


def every_account_changed(log):
    """Peak RSS of `diff` after a change to every grant of the 150,000 grants in 375 accounts
    (all three formats): 750 templates change at once, each rendered and read back."""
    text = deploy_config(150_000)
    size = len(text.encode())
    rows = command_table(f"150,000 grants in 375 accounts ({size / 2**20:.1f} MiB), `formats` of all three in the file:")
    work = Path(tempfile.mkdtemp(prefix="ssm-bench-accounts-"))
    try:
        (work / "access.toml").write_text(text)
        run([BIN, "build", "-o", "out"], work, expect=0)
        log("375 accounts, every grant changed (the region): diff")
        (work / "access.toml").write_text(text.replace('region = "us-east-2"', 'region = "us-west-2"', 1))
        label = "`diff` after a change to every grant (the region), 750 templates"
        row, ok, rss = measured(label, [BIN, "diff", "-o", "out"], work, size)
    finally:
        subprocess.run(["rm", "-rf", "--", str(work)])
    return rows + [row], [(f"{label}: peak {rss:.0f} MiB within 20x the file and 1 GB", ok)]


# The program's own resident size (5 MiB for an empty configuration) and its fixed buffers (a
# MiB per spilled list, a diff of at least 1 MiB) do not shrink with the file: below about
# 3 MiB of configuration they are most of the peak, so there the limit is 20x plus this.
FIXED = 16 * 2**20


def small_configurations(log):
    """Peak RSS on configurations of 2,000 to 10,000 grants with Terraform: `check`, `diff`
    after a change to every grant, `who-can` and `access --format json`, against 20x the file
    plus FIXED."""
    rows = [
        "Smaller configurations, with `--emit json,terraform` (limit: 20x the file plus 16 MiB, at most 1 GB):",
        "",
        "| command | peak | time | limit |",
        "| --- | ---: | ---: | :---: |",
    ]
    verdicts = []
    for n in (2_000, 5_000, 10_000):
        text = config(n)
        size = len(text.encode())
        work = Path(tempfile.mkdtemp(prefix="ssm-bench-small-"))
        try:
            (work / "access.toml").write_text(text)
            emit = ["-o", "out", "--emit", "json,terraform"]
            run([BIN, "build", *emit], work, expect=0)
            region = text.replace('region = "us-east-2"', 'region = "us-west-2"', 1)
            cases = [
                ("`check`", [BIN, "check", *emit], text),
                ("`diff` after a change to every grant", [BIN, "diff", *emit], region),
                ("`who-can start-session`", [BIN, "who-can", "start-session", "--instance", "i-0000000000000000a"], text),
                ("`access --format json`", [BIN, "access", "--format", "json"], text),
            ]
            for label, cmd, config_text in cases:
                log(f"{n:,} grants: {label}")
                (work / "access.toml").write_text(config_text)
                seconds, rss, _ = run(cmd, work)
                ok = rss * 2**20 <= min(20 * size + FIXED, 1e9)
                rows.append(f"| {label}, {n:,} grants ({size / 2**20:.2f} MiB) | {rss:.0f} MiB ({rss * 2**20 / size:.1f}x) | {seconds:.1f} s | {'PASS' if ok else 'FAIL'} |")
                verdicts.append((f"{label} at {n:,} grants: peak {rss:.0f} MiB within 20x the file plus 16 MiB", ok))
        finally:
            subprocess.run(["rm", "-rf", "--", str(work)])
    return rows, verdicts


def bench_instances(n=50):
    """`aws ec2 describe-instances` output for `access --instances`: `n` instances of the bench
    configurations' account and region (the ids their grants name, tags they select), and one
    in another account."""
    made = []
    for i in range(n):
        tags = [{"Key": "Team", "Value": f"web-{i % 6}"}, {"Key": "Env", "Value": ("prod", "staging", "dev")[i % 3]}]
        made.append({"InstanceId": "i-%017x" % (i * 7), "Tags": tags, "Placement": {"AvailabilityZone": "us-east-2a"}})
    reservations = [{"OwnerId": "111122223333", "Instances": made[1:]}, {"OwnerId": "444455556666", "Instances": made[:1]}]
    return json.dumps({"Reservations": reservations})


def access_matrix(log):
    """Peak RSS of `access` (the access matrix) as Markdown and JSON, without and with
    `--instances`, on the 400,000 inline grants (a row per grant) and the 100,000-grant
    configuration (a group in every grant)."""
    inline = 'g%d={role="end-user",who=["user:u%d"],consoles=["cli"],instances=["*"]}'
    head = 'account = "111122223333"\nregion = "us-east-2"\n\n'
    inputs = [
        ("400,000 inline grants", head + "\n".join(["[grant]"] + [inline % (i, i) for i in range(400_000)]) + "\n"),
        ("the 100,000-grant configuration", config(100_000)),
    ]
    rows = command_table("`access`, the access matrix (50 instances for `--instances`):")
    verdicts = []
    for name, text in inputs:
        work = Path(tempfile.mkdtemp(prefix="ssm-bench-access-"))
        try:
            (work / "access.toml").write_text(text)
            (work / "instances.json").write_text(bench_instances())
            size = len(text.encode())
            for args in ([], ["--format", "json"], ["--instances", "instances.json"], ["--format", "json", "--instances", "instances.json"]):
                label = f"`access {' '.join(args)}`".replace(" `", "`")
                log(f"{name}: {label}")
                row, ok, rss = measured(f"{label}, {name} ({size / 2**20:.1f} MiB)", [BIN, "-q", "access", *args], work, size)
                rows.append(row)
                verdicts.append((f"{label} on {name}: peak {rss:.0f} MiB within 20x the file and 1 GB", ok))
        finally:
            subprocess.run(["rm", "-rf", "--", str(work)])
    return rows, verdicts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,1000,10000,100000")
    ap.add_argument("--memory-shapes", action="store_true", help="only measure peak memory on the largest inputs of several shapes")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--readme", action="store_true", help="replace the table between the bench markers in README.md")
    ap.add_argument("--failure-grants", type=int, default=20000, help="grants of the speed-of-failure row (0: skip it)")
    ap.add_argument("--only-failure", action="store_true", help="measure the speed-of-failure row only, print it, change nothing")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    log = lambda s: print(f"[{datetime.datetime.now():%H:%M:%S}] {s}", file=sys.stderr, flush=True)
    if args.memory_shapes:
        print(memory_shapes(log), flush=True)
        return
    load_before = os.getloadavg()[0]
    results, works = {}, []
    if args.only_failure:
        sizes = []
    try:
        if args.failure_grants:
            log(f"speed of failure: {args.failure_grants} grants")
            works.append(Path(tempfile.mkdtemp(prefix="ssm-bench-")))
            FAILURE.append(failure(args.failure_grants, args.runs, works[-1]))
        if args.only_failure:
            print(failure_row(args.failure_grants), flush=True)
            return
        for n in sizes:
            log(f"{n} grants")
            works.append(Path(tempfile.mkdtemp(prefix="ssm-bench-")))
            results[n] = bench(n, args.runs, log, works[-1])
        report(args, ap, results, load_before)
    finally:
        log("deleting the generated directories")
        for work in works:
            subprocess.run(["rm", "-rf", "--", str(work)])


def report(args, ap, results, load_before):
    load_after = os.getloadavg()[0]
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    command = "python3 benches/bench.py"
    if args.sizes != ap.get_default("sizes"):
        command += f" --sizes {args.sizes}"
    if args.runs != ap.get_default("runs"):
        command += f" --runs {args.runs}"
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    text = "\n".join(
        [
            f"Machine: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB memory, {platform.system()} {platform.release()}; "
            f"load average {load_before:.2f} before and {load_after:.2f} after the run "
            f"({datetime.date.today().isoformat()}, median of {args.runs} runs).",
            f"Reproduce with `{command}`.",
            "",
            table(results),
            "",
        ]
        + ([failure_row(args.failure_grants), ""] if FAILURE else [])
        + [
            "Targets:",
            "",
        ]
        + [f"- [{'x' if ok else ' '}] {what}" for what, ok in targets(results)]
    )
    print(text, flush=True)
    if args.readme:
        readme = README.read_text()
        if START not in readme or END not in readme:
            sys.exit(f"README.md has no {START} ... {END} block to replace")
        head, rest = readme.split(START, 1)
        _, tail = rest.split(END, 1)
        README.write_text(f"{head}{START}\n{text}\n{END}{tail}")


if __name__ == "__main__":
    main()
