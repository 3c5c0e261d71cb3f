"""Deploys the generated CloudFormation templates into moto's CloudFormation and compares what
IAM then holds with what the grants say (issue 12). Run by tests/deploy/moto-deploy.sh, which
starts and stops the moto server.

    python3 moto_deploy.py ENDPOINT CONFIG.toml OUT_DIR

For each template of OUT_DIR (one per account): create the users, groups and roles the grants
name, create the stack, then per principal list its attached managed policies, read each
one's default version, and compare the union of their statements with the union of the
statements of the principal's grants' policy files (NAME.json, NAME.partN.json). moto does not
model IAM Identity Center: permission sets are left out of the deployed template here and
checked by cfn-lint and tests/it/pack.rs instead.
"""

import json
import sys
import tomllib
import urllib.request
from pathlib import Path

import boto3


def client(service, endpoint):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def grant_parts(out: Path, name: str):
    statements, k = [], 1
    while True:
        f = out / (f"{name}.json" if k == 1 else f"{name}.part{k}.json")
        if not f.exists():
            return statements
        statements += json.loads(f.read_text())["Statement"]
        k += 1


def key(statement):
    return json.dumps(statement, sort_keys=True)


def main(endpoint, config_path, out):
    out = Path(out)
    config = tomllib.loads(Path(config_path).read_text())
    top_account = config.get("account")
    templates = sorted(out.glob("ssm-compile*.cfn.json"))
    accounts = {g.get("account", top_account) for g in config["grant"].values()}
    problems, checked = [], 0
    for template_file in templates:
        parts = template_file.name.split(".")
        account = parts[1] if len(parts) == 4 else next(iter(accounts))
        # A fresh moto backend per account: one stack, one account.
        urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST"))
        iam, cfn = client("iam", endpoint), client("cloudformation", endpoint)
        want = {}
        for name, g in config["grant"].items():
            if g.get("account", top_account) != account:
                continue
            for who in g["who"]:
                kind, pname = who.split(":", 1)
                if kind == "permission-set":
                    continue
                want.setdefault((kind, pname.lower(), pname), set()).update(
                    key(s) for s in grant_parts(out, name)
                )
        for kind, _, pname in want:
            {"user": iam.create_user, "group": iam.create_group, "role": iam.create_role}[kind](
                **(
                    {"UserName": pname}
                    if kind == "user"
                    else {"GroupName": pname}
                    if kind == "group"
                    else {
                        "RoleName": pname,
                        "AssumeRolePolicyDocument": json.dumps(
                            {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Principal": {"Service": "ec2.amazonaws.com"},
                                        "Action": "sts:AssumeRole",
                                    }
                                ],
                            }
                        ),
                    }
                )
            )
        template = json.loads(template_file.read_text())
        template["Resources"] = {
            k: v for k, v in template["Resources"].items() if not v["Type"].startswith("AWS::SSO::")
        }
        template.pop("Parameters", None)
        cfn.create_stack(StackName=f"ssm-compile-{account}", TemplateBody=json.dumps(template))
        status = cfn.describe_stacks(StackName=f"ssm-compile-{account}")["Stacks"][0]["StackStatus"]
        if status != "CREATE_COMPLETE":
            problems.append(f"{template_file.name}: stack {status}")
            continue
        for (kind, _, pname), statements in want.items():
            lister = {
                "user": (iam.list_attached_user_policies, "UserName"),
                "group": (iam.list_attached_group_policies, "GroupName"),
                "role": (iam.list_attached_role_policies, "RoleName"),
            }[kind]
            attached = lister[0](**{lister[1]: pname})["AttachedPolicies"]
            got = set()
            for p in attached:
                version = iam.get_policy(PolicyArn=p["PolicyArn"])["Policy"]["DefaultVersionId"]
                doc = iam.get_policy_version(PolicyArn=p["PolicyArn"], VersionId=version)
                document = doc["PolicyVersion"]["Document"]
                if isinstance(document, str):
                    document = json.loads(document)
                got.update(key(s) for s in document["Statement"])
            limit = 10 if kind == "group" else config.get("max_managed_policies", 10)
            if len(attached) > limit:
                problems.append(f"{kind}:{pname} holds {len(attached)} policies, over {limit}")
            if got != statements:
                problems.append(
                    f"{kind}:{pname} in {account}: {len(got - statements)} statements more, "
                    f"{len(statements - got)} fewer than its grants"
                )
            checked += 1
    for p in problems:
        print("moto-deploy:", p, file=sys.stderr)
    print(f"moto-deploy: {config_path}: {len(templates)} stacks, {checked} principals compared")
    return 1 if problems or not checked else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
