#!/usr/bin/env bash
# The gate must reject this app at both doors, with exactly the expected rules.
set -uo pipefail
cd "$(dirname "$0")"
expected="BlackHole-IAM1 BlackHole-IAM10 BlackHole-IAM3 BlackHole-IAM7 BlackHole-NET1 BlackHole-NET2"
rm -rf cdk.out
if npx cdk synth --no-notices --quiet > synth.log 2>&1; then
  echo "leaky-environment: cdk synth passed but the gate must fail it"; exit 1
fi
found=$(node -e '
  const r = JSON.parse(require("fs").readFileSync("cdk.out/validation-report.json", "utf8"));
  const p = r.pluginReports.find((x) => x.pluginName === "BlackHoleChecks");
  console.log([...new Set(p.violations.map((v) => v.ruleName))].sort().join(" "));')
[ "$found" = "$expected" ] || { echo "leaky-environment: cdk synth rules '$found', expected '$expected'"; exit 1; }
echo "leaky-environment: cdk synth failed as expected with $found"
npx --no-install black-hole audit cdk.out --format json --out audit.json; code=$?
[ "$code" = "1" ] || { echo "leaky-environment: black-hole audit exited $code, expected 1"; exit 1; }
found=$(node -e 'const r=require("./audit.json"); console.log([...new Set(r.findings.map((f) => f.ruleId))].sort().join(" "))')
[ "$found" = "$expected" ] || { echo "leaky-environment: audit rules '$found', expected '$expected'"; exit 1; }
echo "leaky-environment: black-hole audit exited 1 as expected with $found"
