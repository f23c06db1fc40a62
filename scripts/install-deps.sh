#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian 12 machine
# (as root); does nothing for what is already there.
#   APT_PACKAGES      Debian packages
#   CBINDGEN_VERSION  the pinned cbindgen
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"

missing=()
for package in ${APT_PACKAGES:-}; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ -n "${CBINDGEN_VERSION:-}" ]] && ! cbindgen --version 2>/dev/null | grep -qx "cbindgen $CBINDGEN_VERSION"; then
    echo "deps: installing cbindgen $CBINDGEN_VERSION"
    cargo install cbindgen --version "$CBINDGEN_VERSION" --locked --quiet
fi

if ! cargo +nightly miri --version >/dev/null 2>&1; then
    echo "deps: adding miri to the nightly toolchain"
    rustup component add --toolchain nightly miri rust-src
fi
echo "deps: ready"
