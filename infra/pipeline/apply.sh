#!/usr/bin/env bash
# Apply stage: applies exactly the saved plans plan.sh wrote, each after the stacks it depends on
# (INGEST_PIPELINE_CONCURRENCY at once, default 2), and nothing else. Needs bash >= 5.1, jq,
# Terraform (installed pinned when missing) and the AWS CLI: no npm install, no third-party
# JavaScript runs with the deploy role's credentials.
# Refuses, loudly and with a non-zero exit:
#   - a saved plan whose stack's state moved since the plan ("Saved plan is stale"; Terraform checks);
#   - a downstream plan that read outputs an upstream plan of this run has just changed (this script
#     checks: the plan was computed from values that no longer hold); re-run the pipeline to re-plan.
# After a refusal or a failure no further stack starts; stacks already applied stay applied.
# Before the collector stack, publishes the collector release its plan points at (by content hash).
# After the catalog stack (tables, the SQL files), starts the Glue job that creates the Athena views,
# so they follow the deployed SQL now rather than at the job's next daily run.
# Usage: infra/pipeline/apply.sh <env> <plan-dir>
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# == 2 ]] || die "usage: apply.sh <env> <plan-dir>"
((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))) || die "apply.sh needs bash >= 5.1 (wait -n -p); this is $BASH_VERSION"
environment=$1
plandir=$(cd "$2" && pwd)
manifest=$plandir/plan.json
[[ -f $manifest ]] || die "$plandir holds no plan.json: run plan.sh first"
ensure_terraform
use_plugin_cache
planned_for=$(jq -r .environment "$manifest")
[[ $planned_for == "$environment" ]] || die "$plandir holds plans of '$planned_for', not '$environment'"
concurrency=${INGEST_PIPELINE_CONCURRENCY:-2}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/outputs" "$work/data" "$work/logs" "$work/refusals"

stack_field() { jq -r --arg stack "$1" ".stacks[] | select(.name == \$stack) | $2" "$manifest"; }

# Outputs of <upstream> the stack read at plan time that differ now that <upstream> was applied.
changed_reads() {
  local stack=$1 upstream=$2
  jq -rn --slurpfile before "$plandir/outputs/$upstream.json" --slurpfile after "$work/outputs/$upstream.json" \
    --argjson names "$(jq -c --arg stack "$stack" --arg upstream "$upstream" '.stacks[] | select(.name == $stack) | .reads[$upstream]' "$manifest")" \
    '$names[] | select($before[0][.].value != $after[0][.].value)'
}

publish_collector_release() {
  local id bucket prefix dir
  id=$(jq -r .collectorRelease.id "$manifest")
  bucket=$(jq -r .collectorRelease.bucket "$manifest")
  prefix=$(jq -r .collectorRelease.prefix "$manifest")
  dir=$plandir/$(jq -r .collectorRelease.dir "$manifest")
  (cd "$dir" && sha256sum --check --strict --quiet SHA256SUMS) || refuse "the staged collector release $id does not match its SHA256SUMS"
  [[ $(sha256sum <"$dir/SHA256SUMS" | cut -d' ' -f1) == "$id" ]] || refuse "the staged SHA256SUMS does not hash to release $id"
  log "publishing collector release $id to s3://$bucket/$prefix$id/"
  aws s3 cp --recursive --only-show-errors "$dir/" "s3://$bucket/$prefix$id/"
  aws s3api head-object --bucket "$bucket" --key "$prefix${id}/SHA256SUMS" >/dev/null || refuse "release $id is not readable in s3://$bucket/$prefix$id/ after upload"
}

# Inside apply_stack: records why the stack was not applied, and fails it.
refuse() {
  echo "$1" >"$work/refusals/$stack"
  exit 1
}

# One stack, in a background subshell: the staleness check, the release, init, apply, outputs.
apply_stack() {
  stack=$1
  for upstream in $(stack_field "$stack" '.reads | keys[]'); do
    [[ -f $work/outputs/$upstream.json ]] || continue # not applied by this run: unchanged since the plan
    changed=$(changed_reads "$stack" "$upstream")
    [[ -z $changed ]] || refuse "the saved plan of $stack is stale: it read outputs of $upstream that this run's apply of $upstream changed ($(echo "$changed" | paste -sd ' ')). Re-run the pipeline: the next plan of $stack reads the new values."
  done
  if [[ $stack == "$(jq -r '.collectorRelease.stack // empty' "$manifest")" ]]; then publish_collector_release; fi
  if [[ $(stack_field "$stack" .hasChanges) != true ]]; then
    log "$stack: no changes planned, nothing to apply"
    return
  fi
  local dir
  dir=$plandir/$(stack_field "$stack" .dir)
  export TF_DATA_DIR=$work/data/$stack
  log "applying the saved plan of $stack"
  terraform -chdir="$dir" init -input=false -no-color >"$work/logs/$stack.init" 2>&1 || {
    cat "$work/logs/$stack.init"
    refuse "terraform init of $stack failed"
  }
  if ! terraform -chdir="$dir" apply -input=false -no-color -lock-timeout=5m "$plandir/$(stack_field "$stack" .plan)" 2>&1 | tee "$work/logs/$stack.apply"; then
    grep -q 'Saved plan is stale' "$work/logs/$stack.apply" &&
      refuse "the saved plan of $stack is stale: its state changed after the plan was made (another apply ran). Nothing of $stack was applied. Re-run the pipeline to plan again."
    refuse "terraform apply of $stack failed"
  fi
  terraform -chdir="$dir" output -json >"$work/outputs/$stack.json"
  touch "$work/logs/$stack.applied"
}

mapfile -t stacks < <(jq -r '.stacks[].name' "$manifest")
# One init before any runs in parallel: it fills the shared plugin cache, which is not safe for
# concurrent first installs.
first_changed=$(jq -r '[.stacks[] | select(.hasChanges)][0].name // empty' "$manifest")
if [[ -n $first_changed ]]; then
  TF_DATA_DIR=$work/data/$first_changed terraform -chdir="$plandir/$(stack_field "$first_changed" .dir)" init -input=false -no-color >"$work/logs/first.init" 2>&1 || {
    cat "$work/logs/first.init" >&2
    die "terraform init of $first_changed failed"
  }
fi
declare -A status pid_stack
for stack in "${stacks[@]}"; do status[$stack]=pending; done
running=0
failed=
applied=()
while :; do
  if [[ -z $failed ]]; then
    for stack in "${stacks[@]}"; do
      ((running < concurrency)) || break
      [[ ${status[$stack]} == pending ]] || continue
      ready=true
      for upstream in $(stack_field "$stack" '.dependencies[]'); do
        [[ -z ${status[$upstream]:-} || ${status[$upstream]} == finished ]] || ready=false
      done
      $ready || continue
      apply_stack "$stack" >"$work/logs/$stack.log" 2>&1 &
      pid_stack[$!]=$stack
      status[$stack]=running
      running=$((running + 1))
    done
  fi
  ((running > 0)) || break
  finished_pid=
  if wait -n -p finished_pid; then code=0; else code=$?; fi
  stack=${pid_stack[$finished_pid]}
  running=$((running - 1))
  cat "$work/logs/$stack.log" >&2
  if ((code == 0)); then
    status[$stack]=finished
    if [[ -f $work/logs/$stack.applied ]]; then
      applied+=("$stack")
      log "applied $stack"
    fi
  else
    status[$stack]=failed
    failed=${failed:-$stack}
  fi
done
if [[ -n $failed ]]; then
  reason=$(cat "$work/refusals/$failed" 2>/dev/null || echo "applying $failed failed")
  die "$reason Applied by this run: ${applied[*]:-nothing}."
fi
for stack in "${stacks[@]}"; do
  [[ ${status[$stack]} == finished ]] || die "$stack was not applied: a stack it depends on did not finish"
done
log "applied: ${applied[*]:-nothing (no stack had changes)}"

views_stack=$(jq -r '.viewsJob.stack // empty' "$manifest")
if [[ -n $views_stack && " ${applied[*]} " == *" $views_stack "* ]]; then
  job=$(jq -r .viewsJob.name "$manifest")
  run_id=$(aws glue start-job-run --job-name "$job" --query JobRunId --output text) ||
    die "$views_stack is applied, but starting $job (the Athena views) failed: start it by hand, aws glue start-job-run --job-name $job"
  log "started $job (the Athena views from shared/sql): aws glue get-job-run --job-name $job --run-id $run_id"
fi
