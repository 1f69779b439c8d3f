#!/usr/bin/env bash
# Checks that every shared library an executable needs directly (its ELF NEEDED entries) comes
# from a package in deploy/runtime-packages.txt or from the base system every Debian image has,
# so the runtime image holds what the executable loads. Libraries those need in turn come with
# the packages' own dependencies. Maps each library to its package with this machine's dpkg, so
# run it on Debian 12, where the image's build stage runs.
#   bash deploy/check-runtime-packages.sh build-release/contexten
set -euo pipefail
cd "$(dirname "$0")/.."
exe="${1:?usage: deploy/check-runtime-packages.sh EXECUTABLE}"
list=deploy/runtime-packages.txt
# In every Debian image (debootstrap --variant=minbase): the C and C++ runtimes apt itself needs.
base=(libc6 libgcc-s1 libstdc++6)

mapfile -t listed < <(sed 's/#.*//' "$list" | awk 'NF {print $1}')
# The host architecture's library folder, so libm.so.6 maps to libc6 and not to libc6-i386.
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
missing=()
while read -r soname; do
  # The whole file name, so that libssl.so.3 matches libssl3's file, not libssl-dev's libssl.so.
  pkg=$(dpkg -S "*/$multiarch/$soname" 2>/dev/null | head -1 | cut -d: -f1) || true
  if [ -z "$pkg" ]; then
    missing+=("$soname (no Debian package holds it)")
  elif ! printf '%s\n' "${listed[@]}" "${base[@]}" | grep -qx "$pkg"; then
    missing+=("$soname (package $pkg)")
  fi
done < <(readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')

if [ "${#missing[@]}" -gt 0 ]; then
  echo "check-runtime-packages: $exe needs libraries the runtime image would not have;" \
    "add their packages to $list:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "check-runtime-packages: every library $exe needs is in $list or the base system"
