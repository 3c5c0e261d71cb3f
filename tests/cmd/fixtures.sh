#!/usr/bin/env bash
# Rebuilds the input directories (*.in/) of the transcript tests in this folder from a built
# ssm-compile: each starts as a clean `build` of BASE and is then changed the way its name says.
# Usage: cargo build && tests/cmd/fixtures.sh; then TRYCMD=overwrite cargo test --test it cli
set -euo pipefail
cd "$(dirname "$0")"
bin=${SSM_COMPILE:-../../target/debug/ssm-compile}

BASE='account = "111122223333"
region = "us-east-2"

[grant.web-oncall]
role = "end-user"
who = ["user:alice"]
consoles = ["session-manager", "cli"]
instances = ["i-0123456789abcdef0"]

[grant.db-admin]
role = "admin"
who = ["group:dba"]
consoles = ["ec2"]
tags = { Team = "db" }
'

# fresh DIR [CONFIG-SUBDIR]: DIR holds BASE and its built policies.
fresh() {
    rm -rf "$1"
    mkdir -p "$1/${2:-.}"
    printf '%s' "$BASE" >"$1/${2:-.}/access.toml"
    "$bin" build -c "$1/${2:-.}/access.toml" 2>/dev/null
}

fresh nothing-changed.in

# One grant changes (an instance, resume_session, no document access check), config in a subdirectory.
fresh one-grant-changed.in infra
sed -i 's/instances = \["i-0123456789abcdef0"\]/instances = ["i-0123456789abcdef0", "i-0123456789abcdef1"]\nresume_session = true\ndocument_access_check = false/' \
    one-grant-changed.in/infra/access.toml

fresh grant-added.in
cat >>grant-added.in/access.toml <<'TOML'

[grant.ops-break-glass]
role = "admin"
who = ["role:BreakGlass"]
consoles = ["session-manager", "cli", "ec2"]
instances = ["*"]
kms_key = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOML

fresh grant-removed.in
python3 - grant-removed.in/access.toml <<'PY'
import sys
p = sys.argv[1]
text = open(p).read()
open(p, "w").write(text[: text.index("[grant.db-admin]")].rstrip() + "\n")
PY

rm -rf output-missing.in && mkdir output-missing.in && printf '%s' "$BASE" >output-missing.in/access.toml

# Hand edits: one widens a policy that stays valid, one breaks another's JSON.
fresh hand-edited.in
sed -i 's/"ssm:StartSession"$/"ssm:StartSession",\n                "ssm:SendCommand"/' hand-edited.in/policies/web-oncall.json
sed -i '0,/"Version"/s/"Version"/Version/' hand-edited.in/policies/db-admin.json

# Files ssm-compile did not write: one beside the policies, one where a new grant's policy goes.
fresh foreign-file.in
printf 'Policies are generated: see ../access.toml\n' >foreign-file.in/policies/README.txt
fresh foreign-in-the-way.in
cat >>foreign-in-the-way.in/access.toml <<'TOML'

[grant.audit]
role = "end-user"
who = ["group:audit"]
consoles = ["cli"]
tags = { Env = "prod" }
TOML
printf '{"Version": "2012-10-17", "Statement": []}\n' >foreign-in-the-way.in/policies/audit.json

fresh invalid-config.in
cat >>invalid-config.in/access.toml <<'TOML'

[grant.broken]
role = "superuser"
who = ["user:bob"]
consoles = ["cli"]
instances = ["i-0123456789abcdef0"]
TOML

# The exact review (issue 10). A tag pattern narrowed: `web*` to `web-prod`.
TAGS='account = "111122223333"
region = "us-east-2"

[grant.web]
role = "end-user"
who = ["group:web"]
consoles = ["session-manager", "cli"]
tags = { Team = "web*" }
'
rm -rf tag-narrowed.in && mkdir tag-narrowed.in
printf '%s' "$TAGS" >tag-narrowed.in/access.toml
"$bin" build -c tag-narrowed.in/access.toml 2>/dev/null
sed -i 's/"web\*"/"web-prod"/' tag-narrowed.in/access.toml

# A person added to `who`, with only the policy files generated: no file changes but the
# manifest's record of principals.
fresh who-added.in
sed -i 's/^region = "us-east-2"$/region = "us-east-2"\nformats = ["json"]/' who-added.in/access.toml
"$bin" build -c who-added.in/access.toml 2>/dev/null
sed -i 's/who = \["user:alice"\]/who = ["user:alice", "user:mallory"]/' who-added.in/access.toml

# Two grants of one group merged into one with the same total access.
MERGE='account = "111122223333"
region = "us-east-2"

[grant.ops-web]
role = "end-user"
who = ["group:ops"]
consoles = ["session-manager", "cli"]
instances = ["i-0123456789abcdef0"]

[grant.ops-db]
role = "end-user"
who = ["group:ops"]
consoles = ["session-manager", "cli"]
instances = ["i-0123456789abcdef1"]
'
rm -rf grants-merged.in && mkdir grants-merged.in
printf '%s' "$MERGE" >grants-merged.in/access.toml
"$bin" build -c grants-merged.in/access.toml 2>/dev/null
cat >grants-merged.in/access.toml <<'TOML'
account = "111122223333"
region = "us-east-2"

[grant.ops]
role = "end-user"
who = ["group:ops"]
consoles = ["session-manager", "cli"]
instances = ["i-0123456789abcdef0", "i-0123456789abcdef1"]
TOML

# A grant renamed.
fresh grant-renamed.in
sed -i 's/^\[grant.web-oncall\]$/[grant.web-primary]/' grant-renamed.in/access.toml

# Two grants each gain a principal through the one CloudFormation template.
TEMPLATE='account = "111122223333"
region = "us-east-2"
formats = ["cloudformation"]

[grant.web]
role = "end-user"
who = ["group:web"]
consoles = ["cli"]
instances = ["i-0123456789abcdef0"]

[grant.db]
role = "end-user"
who = ["group:db"]
consoles = ["cli"]
instances = ["i-0123456789abcdef1"]
'
rm -rf template-two-grants.in && mkdir template-two-grants.in
printf '%s' "$TEMPLATE" >template-two-grants.in/access.toml
"$bin" build -c template-two-grants.in/access.toml 2>/dev/null
sed -i 's/who = \["group:web"\]/who = ["group:web", "user:carol"]/; s/who = \["group:db"\]/who = ["group:db", "user:dave"]/' \
    template-two-grants.in/access.toml

# A hand edit outside the modelled subset: a Deny with NotAction.
fresh hand-edited-deny.in
python3 - hand-edited-deny.in/policies/db-admin.json <<'PY'
import json, sys
p = sys.argv[1]
doc = json.load(open(p))
doc["Statement"].append({"Effect": "Deny", "NotAction": ["ssm:TerminateSession"], "Resource": "*"})
open(p, "w").write(json.dumps(doc, indent=4) + "\n")
PY

# A manifest written before ssm-compile recorded `who`.
fresh manifest-before-who.in
sed -i '/^# Who each grant/d; /^#who /d' manifest-before-who.in/policies/.ssm-compile-manifest
sed -i 's/who = \["group:dba"\]/who = ["group:dba", "user:erin"]/' manifest-before-who.in/access.toml
