#!/bin/sh
# The public headers of netlink/ stand on their own and never pull in libmnl
# (or attr.h, its one door): plugin/ sees plain structs and Decoded<T> only.
# Usage: public-headers-test.sh CXX SOURCE_DIR
set -eu
cxx=$1
src=$2
# Included from stdin, "..." searches the current directory first.
cd "$src"
status=0
for h in "$src"/netlink/*.h; do
  name=netlink/$(basename "$h")
  [ "$name" = netlink/attr.h ] && continue
  if ! out=$(printf '#include "%s"\n' "$name" | "$cxx" -std=c++20 -I"$src" -fsyntax-only -x c++ - 2>&1); then
    echo "FAIL $name does not compile on its own:"
    echo "$out"
    status=1
    continue
  fi
  # -M lists every header the file includes, directly or not.
  deps=$(printf '#include "%s"\n' "$name" | "$cxx" -std=c++20 -I"$src" -M -x c++ -)
  for banned in libmnl/libmnl.h netlink/attr.h; do
    if printf '%s\n' "$deps" | tr ' ' '\n' | grep -q "$banned\$"; then
      echo "FAIL $name includes $banned (keep it to netlink/*.cc)"
      status=1
    fi
  done
done
[ $status -eq 0 ] && echo "ok: no public netlink header includes libmnl"
exit $status
