#!/usr/bin/env bash
# Runs `terraform validate` on the Terraform files ssm-compile generates, when it can: that needs
# a terraform (or OpenTofu `tofu`) binary and the hashicorp/aws provider available offline: in
# a plugin directory (TF_PLUGIN_DIR, else /opt/tf-plugins when it exists, laid out as
# registry.terraform.io/hashicorp/aws/VERSION/OS_ARCH/) or through the CLI configuration.
# Otherwise it says why it skipped and succeeds: the structure of the files is still checked by
# `cargo test --test it deploy`.
set -euo pipefail
cd "$(dirname "$0")/.."

tf=${TERRAFORM:-}
if [ -z "$tf" ]; then
    for candidate in terraform tofu; do
        if command -v "$candidate" >/dev/null; then tf=$candidate; break; fi
    done
fi
if [ -z "$tf" ]; then
    echo "terraform-validate: SKIPPED: no terraform or tofu binary on PATH (set TERRAFORM=/path/to/terraform)"
    exit 0
fi

export CHECKPOINT_DISABLE=1 # no update check: the network is closed
plugin_dir=${TF_PLUGIN_DIR:-}
if [ -z "$plugin_dir" ] && [ -d /opt/tf-plugins ]; then plugin_dir=/opt/tf-plugins; fi
init_args=(-backend=false -input=false -no-color)
if [ -n "$plugin_dir" ]; then init_args+=("-plugin-dir=$plugin_dir"); fi

cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/ssm-compile"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A CLI configuration named but missing only makes terraform warn on every command.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then
    : >"$work/terraformrc"
    export TF_CLI_CONFIG_FILE="$work/terraformrc"
fi

first=1
for config in access.example.toml tests/deploy/*.toml; do
    out="$work/$(basename "$config" .toml)"
    "$bin" build -c "$config" -o "$out" --emit json,terraform --color never 2>/dev/null
    # One file per account (ssm-compile.ACCOUNT.tf.json when there are several): each is its
    # own root module, deployed with that account's credentials, so each is validated alone.
    for file in "$out"/ssm-compile*.tf.json; do
        module="$out/module-$(basename "$file" .tf.json)"
        mkdir "$module"
        cp "$file" "$module/"
        if ! (cd "$module" && "$tf" init "${init_args[@]}" >"$work/init.log" 2>&1); then
            if (( first )); then
                echo "terraform-validate: SKIPPED: '$tf init' could not install the AWS provider offline:"
                tail -n 5 "$work/init.log" | sed 's/^/    /'
                exit 0
            fi
            cat "$work/init.log" >&2
            exit 1
        fi
        first=0
        (cd "$module" && "$tf" validate -no-color)

        # Terraform reads `${` in strings as templates: check that each escaped policy
        # evaluates to the exact text meant (the template text unescaped), through outputs of
        # a resource-free module.
        mkdir "$module/eval"
        python3 - "$file" >"$module/eval/main.tf.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["resource"]
texts = {res: p["policy"] for res, p in r.get("aws_iam_policy", {}).items()}
texts.update({"ps_" + res: p["inline_policy"] for res, p in r.get("aws_ssoadmin_permission_set_inline_policy", {}).items()})
print(json.dumps({"output": {res: {"value": t} for res, t in texts.items()}}))
PY
        (cd "$module/eval" && "$tf" init -backend=false -input=false -no-color >/dev/null &&
            "$tf" apply -auto-approve -input=false -no-color >/dev/null &&
            "$tf" output -json) >"$module/eval.json"
        python3 - "$file" "$module/eval.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["resource"]
texts = {res: p["policy"] for res, p in r.get("aws_iam_policy", {}).items()}
texts.update({"ps_" + res: p["inline_policy"] for res, p in r.get("aws_ssoadmin_permission_set_inline_policy", {}).items()})
values = json.load(open(sys.argv[2]))
for res, text in texts.items():
    meant = text.replace("$${", "${").replace("%%{", "%{")
    if values[res]["value"] != meant:
        sys.exit(f"terraform-validate: policy {res} of {sys.argv[1]} does not evaluate to its text")
    json.loads(meant)
PY
    done
done
echo "terraform-validate: every generated file passed '$tf validate' ($("$tf" version | head -n 1))"
