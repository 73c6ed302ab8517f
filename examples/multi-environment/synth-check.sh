#!/usr/bin/env bash
# Synthesizes the example offline (it must pass BlackHoleChecks, AwsSolutionsChecks and the Control Tower
# Guard rules), then audits it with black-hole audit.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf cdk.out
npx cdk synth --no-notices --quiet
npx --no-install black-hole audit cdk.out
