"""Runs tools we did not write over every policy ssm-compile emits for the corpus.

Usage: validate.py BINARY WORKDIR

Corpus: tests/golden/*.toml, access.example.toml and the configurations of gen_corpus.py, each
compiled by the real binary. Then, over all policies at once:
  - parliament: every finding must match tests/validators/allowlist.toml;
  - cfn-lint: one template per configuration wraps each policy in AWS::IAM::ManagedPolicy; no errors;
  - moto: IAM create_policy accepts every policy.
Exits 1 when any check fails, after running all of them.
"""

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

sys.path.insert(0, str(HERE))
import gen_corpus  # noqa: E402


def compile_corpus(binary, work):
    """Compiles every configuration of the corpus; returns {config name: {file name: text}}."""
    configs = work / "configs"
    configs.mkdir()
    for toml in sorted((ROOT / "tests/golden").glob("*.toml")):
        shutil.copy(toml, configs / f"golden-{toml.name}")
    shutil.copy(ROOT / "access.example.toml", configs / "access.example.toml")
    gen_corpus.main(configs / "generated")

    corpus = {}
    for toml in sorted(configs.rglob("*.toml")):
        out = work / "out" / toml.relative_to(configs).with_suffix("")
        # ssm-compile creates only the last directory of an output path (a typo in the rest is
        # an error, not a new tree).
        out.parent.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(
            # Policy files only: the deployable templates are linted by scripts/cfn-lint-outputs.sh
            # and scripts/terraform-validate.sh.
            [binary, "build", "-c", toml, "-o", out, "--color", "never", "--emit", "json"],
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            sys.exit(f"ssm-compile failed on {toml} (exit {run.returncode}):\n{run.stderr}")
        # Lints (`warning[L07xx]`) fire on purpose, on the golden files too; any other warning
        # is unexpected.
        if re.search(r"^warning(?!\[L\d{4}\])", run.stderr, re.MULTILINE):
            sys.exit(f"ssm-compile warned on {toml}; the corpus should compile cleanly:\n{run.stderr}")
        policies = {p.name: p.read_text() for p in sorted(out.glob("*.json"))}
        if not policies:
            sys.exit(f"ssm-compile wrote no policy for {toml}")
        corpus[str(toml.relative_to(configs))] = policies
    return corpus


def finding_actions(finding):
    """The actions a parliament finding is about: its detail names them in a list or a sentence."""
    detail = finding.detail
    if isinstance(detail, list):
        return sorted({d.get("action", "") for d in detail if isinstance(d, dict)}) or [""]
    if isinstance(detail, dict):
        return [detail.get("action", "")]
    text = str(detail)
    if " for action " in text:
        return [text.rsplit(" for action ", 1)[1].strip()]
    return [""]


def run_parliament(corpus):
    from parliament import analyze_policy_string

    allow = tomllib.loads((HERE / "allowlist.toml").read_text())["allow"]
    for entry in allow:
        if not entry.get("reason", "").strip():
            sys.exit(f"allowlist.toml: entry {entry} has no reason")
    used = [0] * len(allow)
    failures = []
    count = 0
    for config, policies in corpus.items():
        for name, text in policies.items():
            count += 1
            for finding in analyze_policy_string(text).findings:
                for action in finding_actions(finding):
                    hit = next(
                        (
                            i
                            for i, a in enumerate(allow)
                            if a["finding"] == finding.issue
                            and a["action"] == action
                            and a.get("detail_contains", "") in str(finding.detail)
                        ),
                        None,
                    )
                    if hit is None:
                        failures.append(f"{config}: {name}: {finding.issue} {action}: {finding.detail}")
                    else:
                        used[hit] += 1
    for entry, n in zip(allow, used):
        if n:
            print(f"parliament: allow-listed {entry['finding']} {entry['action']}: {n} findings")
    return count, failures


def run_cfn_lint(corpus, work, venv_bin):
    templates = []
    for i, (config, policies) in enumerate(corpus.items()):
        resources = {}
        for j, (name, text) in enumerate(policies.items()):
            resources[f"Policy{j}"] = {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "ManagedPolicyName": name.removesuffix(".json"),
                    "Description": f"{config}: {name}",
                    "PolicyDocument": json.loads(text),
                },
            }
        template = work / f"template-{i}.json"
        template.write_text(
            json.dumps(
                {
                    "AWSTemplateFormatVersion": "2010-09-09",
                    "Description": f"ssm-compile corpus: {config}",
                    "Resources": resources,
                },
                indent=1,
            )
        )
        templates.append(template)
    run = subprocess.run(
        [venv_bin / "cfn-lint", "--format", "parseable", *templates],
        capture_output=True,
        text=True,
    )
    # cfn-lint's exit code is a bit set: 2 errors, 4 warnings, 8 informational; 1 a crash.
    failures = []
    if run.returncode & 3:
        failures.append(f"cfn-lint exit {run.returncode}:\n{run.stdout}{run.stderr}")
    elif run.stdout.strip():
        print(f"cfn-lint (warnings only):\n{run.stdout}")
    return len(templates), failures


def run_moto(corpus):
    import boto3
    from moto import mock_aws

    failures = []
    count = 0
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        for config, policies in corpus.items():
            for name, text in policies.items():
                count += 1
                try:
                    # Names repeat across configurations; the policy document is what is checked.
                    iam.create_policy(PolicyName=f"p{count}", PolicyDocument=text)
                except Exception as e:  # noqa: BLE001 - any rejection is a failure to report
                    failures.append(f"{config}: {name}: {e}")
    return count, failures


# A known-bad policy each tool must reject, so a harness that silently checks nothing fails.
CANARY = {
    "Version": "2012-10-18",
    "Statement": [
        {"Effect": "Allow", "Action": ["ssm:StartSesion"], "Resource": "arn:aws:ec2:*:*:instance/i-1"},
        {"Effect": "Permit", "Action": "ssm:TerminateSession", "Resource": "*"},
    ],
}


def canary_checks(work, venv_bin):
    canary = {"canary": {"canary.json": json.dumps(CANARY, indent=4)}}
    problems = []
    if not run_parliament(canary)[1]:
        problems.append("parliament accepted the canary")
    if not run_cfn_lint(canary, work / "canary", venv_bin)[1]:
        problems.append("cfn-lint accepted the canary")
    if not run_moto(canary)[1]:
        problems.append("moto accepted the canary")
    return problems


def main():
    binary, work = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    venv_bin = Path(sys.executable).parent
    corpus = compile_corpus(binary, work)
    total = sum(len(p) for p in corpus.values())
    print(f"corpus: {total} policies from {len(corpus)} configurations")

    failed = False
    (work / "canary").mkdir()
    problems = canary_checks(work, venv_bin)
    for problem in problems:
        failed = True
        print(f"FAIL canary: {problem}")
    if not problems:
        print("ok   canary: every tool rejects a known-bad policy")
    for tool, (count, failures) in [
        ("parliament", run_parliament(corpus)),
        ("cfn-lint", run_cfn_lint(corpus, work, venv_bin)),
        ("moto create_policy", run_moto(corpus)),
    ]:
        if failures:
            failed = True
            print(f"FAIL {tool}: {len(failures)} problems")
            for f in failures[:50]:
                print(f"  {f}")
        else:
            print(f"ok   {tool}: {count} checked, no problems")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
