#!/bin/sh
# Regenerates ../<package>/*.graphql from the published npm packages (see ../README.md).
# Needs node 20+ and npm; downloads the packages, esbuild and lodash into a temporary folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)
work=${SPA_CONTRACT_WORK:-$(mktemp -d)}
versions='{"fe-core":"1.11.0","fe-claim":"1.10.0","fe-claim_batch":"1.7.0","fe-insuree":"1.11.0","fe-location":"1.8.0","fe-medical":"1.9.0"}'
mkdir -p "$work/packs" "$work/src" "$work/node"
cd "$work/packs"
for spec in fe-core@1.11.0 fe-claim@1.10.0 fe-claim_batch@1.7.0 fe-insuree@1.11.0 fe-location@1.8.0 fe-medical@1.9.0; do
  npm pack --silent "@openimis/$spec" >/dev/null
done
(cd "$work/node" && npm init -y >/dev/null && npm install --silent esbuild@0.24.0 lodash@4.17.21 >/dev/null)
node "$here/unpack.mjs" "$work/packs" "$work/src"
node "$here/bundle.mjs" "$work/src" "$work/bundle.mjs" "$work/node/node_modules"
# The generated fixtures replace the previous ones; the observed ones (../observed) are kept.
for pkg in fe-core fe-claim fe-claim_batch fe-insuree fe-location fe-medical; do rm -rf "${out:?}/$pkg"; done
SPA_SOURCES="$work/src" SPA_NODE_MODULES="$work/node/node_modules" \
  node "$here/extract.mjs" "$work/bundle.mjs" "$work/extracted" "$versions"
cp -r "$work/extracted/"* "$out/"
