#!/usr/bin/env bash
# The one-time first deploy of an environment, run by an administrator (it creates the boundary and
# the deploy role, which the deploy role itself may not do). A first deploy cannot be planned ahead:
# a downstream stack reads its upstream's state, which does not exist yet. So each stack is planned
# right before it is applied, in dependency order (lake, pipeline — the permissions boundary —, then
# the rest), with the same plan.sh/apply.sh machinery. Safe to re-run: stacks without changes are skipped.
# Usage: infra/pipeline/bootstrap.sh <env> <work-dir> [--yes]   (--yes: do not ask before each apply)
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# == 2 || ($# == 3 && $3 == --yes) ]] || die "usage: bootstrap.sh <env> <work-dir> [--yes]"
environment=$1
mkdir -p "$2"
workdir=$(cd "$2" && pwd)
assume_yes=${3:-}

ensure_node
ensure_terraform
use_plugin_cache
install_and_build
cd "$REPO_ROOT"
rm -rf "${workdir:?}/cdktf.out"
"${PIPELINE_CLI[@]}" synth --env "$environment" --outdir "$workdir/cdktf.out"
# Waves: each holds stacks that read only stacks of earlier waves (lake; then pipeline, which creates
# the permissions boundary, and streaming; …), so every plan reads state that exists.
mapfile -t waves < <("${PIPELINE_CLI[@]}" waves --env "$environment" --synth-dir "$workdir/cdktf.out")
for wave in "${waves[@]}"; do
  read -r -a wave_stacks <<<"$wave"
  "${PIPELINE_CLI[@]}" plan --env "$environment" --plandir "$workdir" --concurrency "${INGEST_PIPELINE_CONCURRENCY:-2}" --stack "${wave_stacks[@]}"
  if [[ $assume_yes != --yes ]]; then
    read -r -p "Apply these plans (${wave})? [y/N] " answer
    [[ $answer == y || $answer == Y ]] || die "stopped before ${wave}"
  fi
  bash "$REPO_ROOT/infra/pipeline/apply.sh" "$environment" "$workdir"
done
log "bootstrap of $environment done: every later commit goes test → plan → (approve) → apply"
