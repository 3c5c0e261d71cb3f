#!/usr/bin/env python3
"""Checks that Cargo.toml's `rust-version` is honest: no package of the committed Cargo.lock
declares a newer `rust_version`, the edition is available in it, and README's Install section
promises the same minimum.

`cargo install --locked` and `cargo test` build exactly the locked versions, so the newest Rust
any of them asks for is the real minimum. `cargo metadata --locked` lists every locked package
(dev-dependencies and other platforms' dependencies too: the declared minimum must hold for
`cargo test` and on every platform). Standard library only.

Before the real check it runs the same check on a made-up lockfile whose dependency needs a
newer Rust, and fails unless that is rejected: the check cannot pass by checking nothing.

    scripts/msrv-check.py                    # cargo metadata of this repository
    scripts/msrv-check.py --metadata FILE    # a saved `cargo metadata --format-version 1` output
"""

import json
import re
import subprocess
import sys
from pathlib import Path

# The first Rust release of each edition: an edition needs at least that toolchain.
EDITION_FLOOR = {"2015": (1, 0), "2018": (1, 31), "2021": (1, 56), "2024": (1, 85)}


def parse_version(text):
    """'1.91' or '1.88.0' -> (1, 91) / (1, 88, 0), compared as tuples; trailing zeros dropped
    so that 1.88 and 1.88.0 are equal."""
    parts = [int(p) for p in text.split("-")[0].split(".")]
    while len(parts) > 2 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def show(version):
    return ".".join(str(p) for p in version)


def problems(metadata):
    """Returns (problems, summary) for a `cargo metadata` document."""
    members = set(metadata["workspace_members"])
    packages = metadata["packages"]
    roots = [p for p in packages if p["id"] in members]
    deps = [p for p in packages if p["id"] not in members]
    found = []
    floors = []
    for root in roots:
        declared = root.get("rust_version")
        if not declared:
            found.append(f"{root['name']}: Cargo.toml sets no `rust-version`")
            continue
        declared = parse_version(declared)
        floors.append(declared)
        edition = EDITION_FLOOR.get(root.get("edition", "2015"), (0,))
        if declared < edition:
            found.append(
                f"{root['name']}: rust-version {show(declared)} is older than edition "
                f"{root['edition']}, which needs Rust {show(edition)}"
            )
        for dep in deps:
            needs = dep.get("rust_version")
            if needs and parse_version(needs) > declared:
                found.append(
                    f"{root['name']}: rust-version {show(declared)}, but the locked "
                    f"{dep['name']} {dep['version']} needs Rust {needs}"
                )
    declaring = [d for d in deps if d.get("rust_version")]
    summary = f"{len(deps)} locked packages, {len(declaring)} declaring a rust-version"
    if declaring:
        top = max(declaring, key=lambda d: parse_version(d["rust_version"]))
        summary += f"; the highest is {top['name']} {top['version']} ({top['rust_version']})"
    if floors:
        summary = f"rust-version {show(min(floors))}: " + summary
    return found, summary


def canary():
    """A lockfile that the check must reject: rust-version 1.85, a dependency needing 1.86."""
    return {
        "workspace_members": ["root"],
        "packages": [
            {"id": "root", "name": "root", "version": "0.1.0", "edition": "2024",
             "rust_version": "1.85"},
            {"id": "dep", "name": "dep", "version": "1.0.0", "rust_version": "1.86.0"},
        ],
    }


def readme_problems(root, metadata):
    """README's "You need a Rust toolchain, X or newer" must name the declared rust-version."""
    text = (root / "README.md").read_text()
    promised = re.search(r"Rust toolchain, (\d+\.\d+(?:\.\d+)?) or newer", text)
    members = set(metadata["workspace_members"])
    declared = [p.get("rust_version") for p in metadata["packages"] if p["id"] in members]
    if not promised:
        return ["README.md does not say which Rust it needs (\"Rust toolchain, X or newer\")"]
    return [
        f"README.md promises Rust {promised.group(1)}, Cargo.toml's rust-version is {d}"
        for d in declared
        if d and parse_version(d) != parse_version(promised.group(1))
    ]


def main(argv):
    if not problems(canary())[0]:
        print("msrv-check: the canary (a dependency needing a newer Rust) was not rejected",
              file=sys.stderr)
        return 1
    if len(argv) == 2 and argv[0] == "--metadata":
        metadata = json.loads(Path(argv[1]).read_text())
    elif not argv:
        root = Path(__file__).resolve().parent.parent
        out = subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            cwd=root, check=True, stdout=subprocess.PIPE, text=True,
        )
        metadata = json.loads(out.stdout)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    found, summary = problems(metadata)
    if not argv:
        found += readme_problems(root, metadata)
    for problem in found:
        print(f"msrv-check: {problem}", file=sys.stderr)
    if found:
        print("msrv-check: raise `rust-version` in Cargo.toml (and the README's install section)"
              " or pin the dependency to an older version in Cargo.lock", file=sys.stderr)
        return 1
    print(f"msrv-check: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
