#!/usr/bin/env bash
# Sourced by test.sh, plan.sh, apply.sh and bootstrap.sh: logging, the repository root, and the
# tools the CodeBuild image (aws/codebuild/amazonlinux-x86_64-standard:5.0) lacks or may lack,
# installed only when missing: Terraform pinned and checksum-verified, Node.js >= 20.19, jq.

# The Terraform that plans is the Terraform that applies: a saved plan is refused by any other version.
TERRAFORM_VERSION=1.11.4
# SHA-256 of HashiCorp's release zips, as published in terraform_1.11.4_SHA256SUMS
# (https://releases.hashicorp.com/terraform/1.11.4/terraform_1.11.4_SHA256SUMS, signed by HashiCorp).
declare -A TERRAFORM_SHA256=(
  [linux_amd64]=1ce994251c00281d6845f0f268637ba50c0005657eb3cf096b92f753b42ef4dc
  [linux_arm64]=a43d1d0da9b9bab214a8305a39db0e40869572594ccf50c416a7756499143633
)
NODE_MINIMUM=20.19.0

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
PIPELINE_CLI=(npx --no-install tsx "$REPO_ROOT/infra/src/terraform/pipeline-cli.ts")
TOOLS_DIR=${INGEST_TOOLS_DIR:-${HOME:-/tmp}/.cache/ingest-lake/bin}
export PATH="$TOOLS_DIR:$PATH" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0

log() { printf '[pipeline] %s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
  printf '[pipeline] ERROR: %s\n' "$*" >&2
  exit 1
}

# version_at_least <have> <want>
version_at_least() {
  [[ $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1) == "$2" ]]
}

ensure_jq() {
  command -v jq >/dev/null && return
  if command -v dnf >/dev/null && [[ $(id -u) == 0 ]]; then
    log "installing jq (dnf)"
    dnf install -y -q jq >/dev/null
  else
    die "jq is not on PATH: install it (dnf install jq / apt-get install jq)"
  fi
}

ensure_node() {
  local have
  have=$(node --version 2>/dev/null | sed 's/^v//') || true
  if [[ -n $have ]] && version_at_least "$have" "$NODE_MINIMUM"; then return; fi
  # The CodeBuild standard images switch Node versions with n (runtime-versions does the same).
  command -v n >/dev/null || die "Node.js ${have:-(none)} found; the project needs >= $NODE_MINIMUM (buildspec: runtime-versions nodejs: 22)"
  log "Node.js ${have:-(none)} < $NODE_MINIMUM: installing Node.js 22 with n"
  n 22 >/dev/null
  hash -r
  version_at_least "$(node --version | sed 's/^v//')" "$NODE_MINIMUM" || die "n did not install Node.js >= $NODE_MINIMUM"
}

ensure_terraform() {
  ensure_jq
  if command -v terraform >/dev/null && [[ $(terraform version -json | jq -r .terraform_version) == "$TERRAFORM_VERSION" ]]; then
    return
  fi
  local arch platform zip tmp
  case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no pinned Terraform checksum for $(uname -m)" ;;
  esac
  platform=linux_$arch
  zip=terraform_${TERRAFORM_VERSION}_${platform}.zip
  tmp=$(mktemp -d)
  log "installing Terraform $TERRAFORM_VERSION ($platform) into $TOOLS_DIR"
  curl -fsSL --retry 3 -o "$tmp/$zip" "https://releases.hashicorp.com/terraform/$TERRAFORM_VERSION/$zip"
  if ! printf '%s  %s\n' "${TERRAFORM_SHA256[$platform]}" "$tmp/$zip" | sha256sum --check --strict --quiet; then
    rm -rf "$tmp"
    die "$zip does not match its pinned SHA-256: refusing to install it"
  fi
  mkdir -p "$TOOLS_DIR"
  unzip -q -o "$tmp/$zip" terraform -d "$TOOLS_DIR"
  rm -rf "$tmp"
  hash -r
  [[ $(terraform version -json | jq -r .terraform_version) == "$TERRAFORM_VERSION" ]] || die "terraform on PATH is not $TERRAFORM_VERSION after installing it"
}

# A provider cache shared by every stack folder, unless a CLI configuration (e.g. a provider
# mirror) already decides where providers come from.
use_plugin_cache() {
  if [[ -z ${TF_PLUGIN_CACHE_DIR:-} && ! -f ${TF_CLI_CONFIG_FILE:-} ]]; then
    export TF_PLUGIN_CACHE_DIR=${HOME:-/tmp}/.terraform.d/plugin-cache
    mkdir -p "$TF_PLUGIN_CACHE_DIR"
  fi
}

# npm install and build the workspace (the Lambda bundles and the collector that synth and the plan
# read), unless INGEST_PIPELINE_PREBUILT=1 says this checkout is installed and built already.
install_and_build() {
  if [[ ${INGEST_PIPELINE_PREBUILT:-} == 1 ]]; then
    log "INGEST_PIPELINE_PREBUILT=1: using the installed and built checkout"
    return
  fi
  (cd "$REPO_ROOT" && npm install --no-audit --no-fund && TURBO_TELEMETRY_DISABLED=1 npx --no-install turbo run build --output-logs=errors-only)
}
