#!/bin/sh
# Installs the Debian packages gap-patchkit needs to build, test and build
# GAP itself. Used by `make setup` and by .ci/run; needs root.
set -eu
packages="
  build-essential pkg-config git
  libssl-dev libgit2-dev libarchive-dev libcurl4-openssl-dev libcmocka-dev
  patch quilt dpkg-dev valgrind clang jq libxml2-utils python3 file rsync
  gap-core gcc-mingw-w64-x86-64-win32
  autoconf automake libtool libgmp-dev libreadline-dev zlib1g-dev
"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: run as root (it calls apt-get install)" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $packages
