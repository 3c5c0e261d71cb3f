"""Generates access.toml files that together use every option of SPEC.md section 2.

Each combination of role, console set and target kind appears in every partition; the other
options (principals, KMS key, documents, access check, own-session scoping, resume, per-grant
account and region) rotate through all their values with different strides, so each value meets
many different neighbours without the full product. Deterministic: no randomness.
"""

import itertools
import json
import sys
from pathlib import Path

PARTITIONS = [
    # (partition, top-level region, another region of the partition, write `partition` explicitly)
    ("aws", "us-east-2", "eu-west-1", False),
    ("aws-cn", "cn-north-1", "cn-northwest-1", True),
    ("aws-us-gov", "us-gov-west-1", "us-gov-east-1", False),
]

# Every lint (src/diagnostic/kind.rs, L07xx).
LINT_CODES = [f"L{n:04d}" for n in range(700, 707)]

CONSOLE_SETS = [
    list(c)
    for n in (1, 2, 3)
    for c in itertools.combinations(["session-manager", "cli", "ec2"], n)
]

TARGETS = [
    ("instances", ["i-0123456789abcdef0"]),
    ("instances", ["i-12345678", "i-0fedcba9876543210"]),
    ("instances", ["mi-0123456789abcdef0"]),
    ("instances", ["i-0123456789abcdef0", "mi-0fedcba9876543210"]),
    ("instances", ["*"]),
    ("tags", {"Finance": "WebServers"}),
    ("tags", {"Team": ["web", "api"], "Env": "dev-*", "Cost-Center": "a?c$1"}),
    ("tags", {"Owner": ""}),
]

WHO = [
    ["user:alice"],
    ["group:oncall", "user:bob"],
    ["role:OncallRole"],
    ["user:carol", "role:Deployer", "group:ops"],
]

DOCUMENTS = [
    None,
    ["SSM-SessionManagerRunShell"],
    ["AWS-StartSSHSession"],
    ["SSM-SessionManagerRunShell", "AWS-StartPortForwardingSession", "Team.Custom_Shell-1"],
]

TRI = [None, True, False]
OWN = [None, "auto", "username", "session-tag"]
KMS = [None, "uuid", "mrk"]
ACCOUNTS = ["111122223333", "012345678901"]


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)  # TOML basic strings accept JSON's escapes for our characters
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def kms_arn(kind, partition, region, account):
    key = "1234abcd-12ab-34cd-56ef-1234567890ab" if kind == "uuid" else "mrk-" + "0123456789abcdef" * 2
    return f"arn:{partition}:kms:{region}:{account}:key/{key}"


def grants(partition, region, other_region, per_grant_location):
    """Yields (name, [(key, value)]) for one partition."""
    n = 0
    for role in ("end-user", "admin"):
        for consoles in CONSOLE_SETS:
            for kind, target in TARGETS:
                own = OWN[n // 4 % len(OWN)]
                who = WHO[n % len(WHO)]
                if own == "username" and any(w.startswith("role:") for w in who):
                    who = ["user:dave", "group:admins"]  # `username` works only for users
                # IAM attaches at most 10 managed policies to a group (20 to a user or role), and
                # ssm-compile refuses more: each block of 10 grants gets principals of its own.
                who = [f"{w}{n // 10}" for w in who]
                keys = [("role", role), ("who", who), ("consoles", consoles), (kind, target)]
                # Per-grant account and region: always when the file has no top level.
                override = per_grant_location or n % 5 == 0
                account, grant_region = ACCOUNTS[0], region
                if override:
                    account, grant_region = ACCOUNTS[n % 2], (region, other_region)[n // 5 % 2]
                    keys += [("account", account), ("region", grant_region)]
                kms = KMS[n % len(KMS)]
                if kms:
                    keys.append(("kms_key", kms_arn(kms, partition, grant_region, account)))
                # Documents and the access check exist only for end users with a document.
                if role == "end-user" and consoles != ["ec2"]:
                    docs = DOCUMENTS[n // 2 % len(DOCUMENTS)]
                    if docs is not None:
                        keys.append(("documents", docs))
                    check = TRI[n // 3 % len(TRI)]
                    if check is not None:
                        keys.append(("document_access_check", check))
                if own is not None:
                    keys.append(("own_sessions", own))
                resume = TRI[n // 7 % len(TRI)]
                if resume is not None:
                    keys.append(("resume_session", resume))
                # Every character IAM allows in a policy name appears in some name.
                extra = ["", ".v2", "@ops", "=x", ",y", "_z"][n % 6]
                name = f"{role}-{'+'.join(c[0:3] for c in consoles)}-{kind}{n % len(TARGETS)}-{partition}{extra}"
                yield name, keys
                n += 1


def write_config(path, partition, region, other_region, top_level):
    lines = ["# Generated by tests/validators/gen_corpus.py", f'output = "{path.stem}"']
    if top_level:
        lines += [f'account = "{ACCOUNTS[0]}"', f'region = "{region}"']
        if partition != "aws" or path.stem.endswith("explicit"):
            lines.append(f'partition = "{partition}"')
    # The corpus is about the policies' validity; the lints fire on purpose on options it
    # rotates through (tags, managed nodes, the EC2 console), and have their own cases in
    # tests/lints/. Only unexpected warnings should stop the run.
    lines += ["", "[lints]"] + [f'{code} = "allow"' for code in LINT_CODES]
    count = 0
    for name, keys in grants(partition, region, other_region, not top_level):
        lines.append("")
        lines.append(f"[grant.{json.dumps(name)}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in keys]
        count += 1
    path.write_text("\n".join(lines) + "\n")
    return count


def main(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for partition, region, other, explicit in PARTITIONS:
        total += write_config(out / f"{partition}.toml", partition, region, other, True)
        if explicit or partition == "aws":
            # Every grant with its own account and region, no top level.
            total += write_config(out / f"{partition}-per-grant.toml", partition, region, other, False)
    total += write_config(out / "aws-explicit.toml", "aws", "us-east-2", "eu-west-1", True)
    print(f"gen_corpus: {total} grants in {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
