#!/bin/sh
# The Debian packages memtop needs to build and to test against its oracles.
# Usage: scripts/deps.sh  (installs them; run as root)
DEPS="build-essential binutils procps strace libc6-dbg clang libclang-rt-14-dev meson ninja-build pkg-config python3 libsqlite3-dev libncurses-dev libdwarf-dev libelf-dev zlib1g-dev libdeflate-dev libisal-dev libcurl4-openssl-dev libpcre2-dev golang-go golang-github-google-pprof-dev panicparse google-perftools libgoogle-perftools-dev libjemalloc-dev hyperfine tmux sqlite3 gzip valgrind"
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $DEPS
