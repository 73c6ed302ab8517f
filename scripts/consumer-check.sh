#!/usr/bin/env bash
# Consumer check (issue 13, acceptance): the package as a user installs it.
#   npm pack this repository (prepare builds dist/), then in a new folder outside the repository
#   install the tarball with aws-cdk-lib, constructs and cdk-nag at the repository's versions, and
#   check that a CommonJS app and an ESM app synthesize a BlackHoleEnvironment with BlackHoleChecks
#   using plain `node` (no esbuild, no tsx, no Docker), and that `npx black-hole audit` works.
# Every step prints PASS or FAIL; the script exits 1 when any step failed. Needs the npm registry
# (or a warm npm cache) for the install; nothing else leaves the machine.
#
#   bash scripts/consumer-check.sh        (npm run consumer-check)
set -uo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd -P)"

export CDK_DISABLE_CLI_TELEMETRY=true
export AWS_EC2_METADATA_DISABLED=true
# Should anything fall back to Docker bundling, it fails at once instead of pulling images.
export CDK_DOCKER=/nonexistent/docker
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

work="$(mktemp -d "${TMPDIR:-/tmp}/bh-consumer-XXXXXX")"
work="$(cd "$work" && pwd -P)"
trap 'rm -rf "$work"' EXIT

failures=0
pass() { echo "PASS $1"; }
fail() {
  echo "FAIL $1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | tail -n 15 | cut -c1-240 | sed 's/^/     | /'; fi
  failures=$((failures + 1))
}
# step NAME COMMAND...: runs the command, PASS on exit 0, FAIL with the tail of its output otherwise.
step() {
  local name="$1" out
  shift
  if out="$("$@" 2>&1)"; then pass "$name"; else fail "$name" "$out"; fi
}
finish() {
  if [ "$failures" -eq 0 ]; then echo "consumer check: all steps passed"; exit 0; fi
  echo "consumer check: $failures step(s) failed"
  exit 1
}

version_of() { node -p "require('./node_modules/$1/package.json').version"; }
cdk_lib_version="$(version_of aws-cdk-lib)"
constructs_version="$(version_of constructs)"
cdk_nag_version="$(version_of cdk-nag)"

# 1. Pack (npm pack runs `prepare`, which builds dist/ and the Lambda handlers).
mkdir -p "$work/pack"
if pack_out="$(npm pack --pack-destination "$work/pack" 2>&1)"; then
  tarball="$(ls "$work"/pack/*.tgz 2>/dev/null | head -n 1)"
fi
if [ -n "${tarball:-}" ] && [ -f "$tarball" ]; then
  pass "npm pack ($(basename "$tarball"))"
else
  fail "npm pack" "$pack_out"
  finish
fi

# 2. What the tarball holds.
listing="$(tar -tzf "$tarball")"
leaked="$(printf '%s\n' "$listing" | grep -E '^package/(test|examples|bench|scripts|\.ci|cdk\.out|node_modules)/' || true)"
if [ -z "$leaked" ]; then pass "tarball has no test/, examples/, bench/, scripts/, .ci/ files"; else fail "tarball has no test/, examples/, bench/, scripts/, .ci/ files" "$leaked"; fi
missing=""
for f in dist/lib/index.js dist/lib/index.d.ts dist/bin/black-hole-cli.js dist/handlers/correlator/index.js \
  dist/handlers/responder/index.js dist/handlers/stop-compute/index.js README.md LICENSE RULES.md package.json; do
  printf '%s\n' "$listing" | grep -qxF "package/$f" || missing="$missing package/$f"
done
if [ -z "$missing" ]; then pass "tarball has the compiled library, CLI, handlers and docs"; else fail "tarball has the compiled library, CLI, handlers and docs" "missing:$missing"; fi

# 3. A new app outside the repository.
app="$work/app"
mkdir -p "$app"
case "$app/" in
  "$repo"/*) fail "app folder is outside the repository ($app)"; finish ;;
esac
cd "$app" || exit 1
step "npm init -y" npm init -y
step "npm install tarball aws-cdk-lib@$cdk_lib_version constructs@$constructs_version cdk-nag@$cdk_nag_version" \
  npm install --prefer-offline --no-audit --no-fund "$tarball" "aws-cdk-lib@$cdk_lib_version" "constructs@$constructs_version" "cdk-nag@$cdk_nag_version"
no_bundler() {
  local found=""
  for m in esbuild tsx typescript ts-node; do
    node -e "require.resolve('$m/package.json')" >/dev/null 2>&1 && found="$found $m"
  done
  [ -z "$found" ] || { echo "resolvable from the app:$found"; return 1; }
}
step "the app has no esbuild, tsx, typescript or ts-node" no_bundler

cat > app.cjs <<'EOF'
const { App, Stack, Validations } = require('aws-cdk-lib');
const { BlackHoleChecks, BlackHoleEnvironment } = require('cdk-black-hole');
const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'ConsumerCjs');
new BlackHoleEnvironment(stack, 'Environment', {
  environmentName: 'consumer-cjs',
  gpuFleet: { instanceTypes: ['g5.xlarge'], maxInstances: 2 },
  billing: { monthlyLimitUsd: 1000 },
});
Validations.of(app).addPlugins(new BlackHoleChecks(app));
app.synth();
EOF
cat > app.mjs <<'EOF'
import { App, Stack, Validations } from 'aws-cdk-lib';
import { BlackHoleChecks, BlackHoleEnvironment } from 'cdk-black-hole';
const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'ConsumerEsm');
new BlackHoleEnvironment(stack, 'Environment', {
  environmentName: 'consumer-esm',
  gpuFleet: { instanceTypes: ['g5.xlarge'], maxInstances: 2 },
  billing: { monthlyLimitUsd: 1000 },
});
Validations.of(app).addPlugins(new BlackHoleChecks(app));
app.synth();
EOF
synth() { node "$1" "$2" && [ -f "$2/manifest.json" ]; }
step "CommonJS app (require) synthesizes a BlackHoleEnvironment with BlackHoleChecks" synth app.cjs cdk.out
step "ESM app (import) synthesizes a BlackHoleEnvironment with BlackHoleChecks" synth app.mjs cdk.out.esm

audit_passes() { [ -f "$1/manifest.json" ] || { echo "$1 was not synthesized"; return 1; }; npx --no-install black-hole audit "$1"; }
step "npx black-hole audit cdk.out exits 0" audit_passes cdk.out
step "npx black-hole audit cdk.out.esm exits 0" audit_passes cdk.out.esm

audit_unusable() {
  local err code
  err="$(npx --no-install black-hole audit /nonexistent 2>&1 >/dev/null)"
  code=$?
  [ "$code" -eq 2 ] || { echo "exit $code: $err"; return 1; }
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || { echo "not one line: $err"; return 1; }
  echo "$err"
}
step "npx black-hole audit /nonexistent exits 2 with one line" audit_unusable

cost_prints() {
  local out
  out="$(npx --no-install black-hole cost cdk.out)" || { echo "$out"; return 1; }
  printf '%s\n' "$out" | grep -q '^Environment consumer-cjs: USD ' || { echo "no cost of environment consumer-cjs in: $out"; return 1; }
}
step "npx black-hole cost cdk.out exits 0 with the environment's cost" cost_prints

diff_unchanged() {
  local out
  out="$(npx --no-install black-hole diff cdk.out cdk.out)" || { echo "$out"; return 1; }
  printf '%s\n' "$out" | grep -q '^PASS: the change adds no escape capability' || { echo "unexpected: $out"; return 1; }
}
step "npx black-hole diff cdk.out cdk.out exits 0 (no change)" diff_unchanged

finish
