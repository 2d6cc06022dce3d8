#!/usr/bin/env bash
# Builds a static, stripped `scs-cert` for the container image (Dockerfile) and for copying
# onto any x86_64 Linux host: musl when the target and musl-gcc are available (rustup target
# add x86_64-unknown-linux-musl; Debian: apt-get install musl-tools), else glibc with
# `-C target-feature=+crt-static`. Prints the path of the binary (target/release-binary/scs-cert).
set -euo pipefail
cd "$(dirname "$0")/.."

out_dir=target/release-binary
mkdir -p "$out_dir"
cargo=${CARGO:-cargo}
musl=x86_64-unknown-linux-musl
gnu=x86_64-unknown-linux-gnu

have_musl() {
  rustup target list --installed 2>/dev/null | grep -qx "$musl" || rustup target add "$musl" >&2 || return 1
  command -v musl-gcc >/dev/null 2>&1 || command -v x86_64-linux-musl-gcc >/dev/null 2>&1
}

if [[ "${SCS_STATIC_LIBC:-auto}" != glibc ]] && have_musl; then
  target=$musl
  echo "release-binary: static musl build ($target)" >&2
  "$cargo" build --release --locked --target "$target" --bin scs-cert >&2
else
  target=$gnu
  echo "release-binary: musl not available; static glibc build ($target, +crt-static)" >&2
  RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    "$cargo" build --release --locked --target "$target" --bin scs-cert >&2
fi

binary="target/$target/release/scs-cert"
cp "$binary" "$out_dir/scs-cert.tmp"
strip "$out_dir/scs-cert.tmp" 2>/dev/null || true
mv "$out_dir/scs-cert.tmp" "$out_dir/scs-cert"
echo "$target" > "$out_dir/TARGET"
if ldd "$out_dir/scs-cert" 2>&1 | grep -q '=>'; then
  echo "release-binary: $out_dir/scs-cert is dynamically linked:" >&2
  ldd "$out_dir/scs-cert" >&2
  exit 1
fi
echo "release-binary: $(du -h "$out_dir/scs-cert" | cut -f1) static binary for $target" >&2
echo "$out_dir/scs-cert"
