#!/usr/bin/env bash
# Plan stage: synthesizes one environment and saves one Terraform plan per stack, in dependency
# order, against the environment's real backend; writes the approver's summary. The plan directory
# is the Plan artifact: apply.sh applies exactly these plans.
# Usage: infra/pipeline/plan.sh <env> <plan-dir>
# Environment (all optional):
#   INGEST_PLAN_SUMMARY_URI       s3://bucket/prefix/ to upload summary.md and summary.json to (the approval links it)
#   INGEST_PIPELINE_CONCURRENCY   stacks planned at once (default 2)
#   INGEST_PIPELINE_PREBUILT=1    the checkout is installed and built: skip npm install and the build
#   INGEST_TF_OVERRIDE_DIR        folder of <stack>/*_override.tf.json copied beside each stack before init
#   INGEST_TF_TARGETS_DIR         folder of <stack>.targets (one address a line) restricting a stack's plan
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# == 2 ]] || die "usage: plan.sh <env> <plan-dir>"
environment=$1
mkdir -p "$2"
plandir=$(cd "$2" && pwd)
if [[ -n $(ls -A "$plandir") && ! -f $plandir/plan.json && ! -d $plandir/cdktf.out ]]; then
  die "$plandir is neither empty nor a plan directory: refusing to write into it"
fi
rm -rf "${plandir:?}/cdktf.out" "$plandir/plans" "$plandir/outputs" "$plandir/collector-release" "$plandir"/plan.json "$plandir"/summary.*

ensure_node
ensure_terraform
use_plugin_cache
install_and_build
cd "$REPO_ROOT"
log "synthesizing $environment into $plandir/cdktf.out"
"${PIPELINE_CLI[@]}" synth --env "$environment" --outdir "$plandir/cdktf.out"
"${PIPELINE_CLI[@]}" plan --env "$environment" --plandir "$plandir" --concurrency "${INGEST_PIPELINE_CONCURRENCY:-2}"
if [[ -n ${INGEST_PLAN_SUMMARY_URI:-} ]]; then
  log "uploading the summary to ${INGEST_PLAN_SUMMARY_URI}"
  aws s3 cp --only-show-errors "$plandir/summary.md" "${INGEST_PLAN_SUMMARY_URI%/}/summary.md"
  aws s3 cp --only-show-errors "$plandir/summary.json" "${INGEST_PLAN_SUMMARY_URI%/}/summary.json"
fi
