#!/usr/bin/env bash
# Synthesizes the example offline (it must pass BlackHoleChecks and AwsSolutionsChecks), then audits it.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf cdk.out
npx cdk synth --no-notices --quiet
npx black-hole audit cdk.out
