#!/usr/bin/env bash
# Test stage: what the CodeBuild image can run on its own — install, build, typecheck, lint and the
# unit suites of every workspace. Suites that need Chromium, moto, kinesalite/s3rver, the Terraform
# provider mirror or a JVM (integration, e2e, faults, tests/terraform) run in the repository's own CI
# (.ci/run): docs/deploy.md, "What runs where".
# Usage: infra/pipeline/test.sh
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_node
cd "$REPO_ROOT"
export CI=true TURBO_TELEMETRY_DISABLED=1
npm install --no-audit --no-fund
npx --no-install turbo run build typecheck lint --concurrency=2 --output-logs=errors-only
for workspace in shared functions/* collector-ec2 local/* infra; do
  [[ -d $workspace/tests/unit ]] || continue
  log "unit suites of $workspace"
  (cd "$workspace" && npx --no-install jest tests/unit)
done
