# shellcheck shell=bash
# Shared by scripts/*: find or provide a Python >= 3.14.2 and run commands with it.
#
# Home Assistant 2026.x needs Python >= 3.14.2. When the host has such a
# `python3.14` (or SIPGATE_PYTHON names one), commands run directly. Otherwise,
# on a Debian host, `pyenv_ensure` builds once a small Debian testing root file
# system that contains Debian's python3.14 (mmdebstrap, the host's own apt
# mirror) and `pyenv_run` runs commands inside it with unshare + chroot, with
# the repository mapped at the same absolute path. The root lives outside the
# repository (default /opt/sipgate-ha/py314-root, SIPGATE_PY314_ROOT overrides)
# so that every clone on the machine reuses it.

PYENV_MIN_VERSION="3.14.2"
PYENV_ROOT_DIR="${SIPGATE_PY314_ROOT:-/opt/sipgate-ha/py314-root}"
PYENV_SUITE="${SIPGATE_PY314_SUITE:-forky}"
PYENV_PACKAGES="python3.14 python3.14-venv python3.14-dev ca-certificates tzdata gcc g++ make libc6-dev pkg-config git"
PYENV_MARKER=".sipgate-py314-ready"
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"

pyenv_log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
pyenv_die() { pyenv_log "ERROR: $*"; exit 1; }

pyenv_version_ok() { # $1: interpreter
  "$1" -c "import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)" 2>/dev/null
}

# Sets PYENV_MODE to "host" (PYENV_PYTHON is a usable interpreter), "root"
# (the Debian root is ready) or "none".
pyenv_detect() {
  PYENV_MODE=none
  PYENV_PYTHON=""
  local candidate
  for candidate in "${SIPGATE_PYTHON:-}" python3.14; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && pyenv_version_ok "$candidate"; then
      PYENV_MODE=host
      PYENV_PYTHON="$(command -v "$candidate")"
      return
    fi
  done
  if [ -f "$PYENV_ROOT_DIR/$PYENV_MARKER" ] && [ -x "$PYENV_ROOT_DIR/usr/bin/python3.14" ]; then
    PYENV_MODE=root
    PYENV_PYTHON=/usr/bin/python3.14
  fi
}

pyenv_mirror() {
  local mirror
  mirror="$(apt-get indextargets --format '$(REPO_URI)' 'Identifier: Packages' 2>/dev/null | grep -E '/debian/?$' | head -n1 || true)"
  if [ -z "$mirror" ]; then
    apt-get update >/dev/null 2>&1 || true
    mirror="$(apt-get indextargets --format '$(REPO_URI)' 'Identifier: Packages' 2>/dev/null | grep -E '/debian/?$' | head -n1 || true)"
  fi
  printf '%s' "${SIPGATE_PY314_MIRROR:-$mirror}"
}

pyenv_build_root() {
  [ "$(id -u)" = 0 ] || pyenv_die "no Python >= $PYENV_MIN_VERSION found. Install python3.14, point SIPGATE_PYTHON at one, or run this as root on Debian so it can build one."
  command -v apt-get >/dev/null || pyenv_die "no Python >= $PYENV_MIN_VERSION found and this is not a Debian-like host; install python3.14 or set SIPGATE_PYTHON."
  if ! command -v mmdebstrap >/dev/null; then
    pyenv_log "installing mmdebstrap (apt-get)"
    { apt-get install -y --no-install-recommends mmdebstrap || { apt-get update && apt-get install -y --no-install-recommends mmdebstrap; }; } >/tmp/sipgate-py314-apt.log 2>&1 \
      || { tail -n 20 /tmp/sipgate-py314-apt.log >&2; pyenv_die "could not install mmdebstrap"; }
  fi
  local mirror partial="$PYENV_ROOT_DIR.partial" log="$PYENV_ROOT_DIR.build.log" suite
  mirror="$(pyenv_mirror)"
  [ -n "$mirror" ] || pyenv_die "could not read the Debian mirror from apt; set SIPGATE_PY314_MIRROR"
  mkdir -p "$(dirname "$PYENV_ROOT_DIR")"
  for suite in "$PYENV_SUITE" sid; do
    pyenv_log "building a Debian $suite root with python3.14 in $PYENV_ROOT_DIR (once per machine; log $log)"
    rm -rf --one-file-system "$partial"
    if unshare --mount --propagation private -- mmdebstrap --mode=root --variant=apt \
        --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Retries "3"' \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --include="$(echo $PYENV_PACKAGES | tr ' ' ',')" "$suite" "$partial" "deb $mirror $suite main" >"$log" 2>&1 \
      && chroot "$partial" /usr/bin/python3.14 -c "import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)"; then
      break
    fi
    tail -n 20 "$log" >&2
    [ "$suite" != sid ] || pyenv_die "could not build the Debian root (see $log)"
  done
  mkdir -p "$partial/root/.cache/pip"
  rm -rf --one-file-system "$PYENV_ROOT_DIR"
  mv "$partial" "$PYENV_ROOT_DIR"
  printf 'suite=%s\nbuilt=%s\n' "$suite" "$(date -u +%FT%TZ)" >"$PYENV_ROOT_DIR/$PYENV_MARKER"
}

# The host reaches package registries through a TLS proxy whose CA lives in
# /usr/local/share/ca-certificates; the root's bundle needs it too.
pyenv_sync_ca() {
  local src=/usr/local/share/ca-certificates dst="$PYENV_ROOT_DIR/usr/local/share/ca-certificates"
  [ -d "$src" ] || return 0
  diff -rq "$src" "$dst" >/dev/null 2>&1 && return 0
  rm -rf "$dst" && mkdir -p "$dst" && cp -rL "$src/." "$dst/"
  chroot "$PYENV_ROOT_DIR" /usr/sbin/update-ca-certificates --fresh >/dev/null 2>&1 || pyenv_die "update-ca-certificates failed in $PYENV_ROOT_DIR"
}

# Extra Debian packages inside the root (e.g. a browser for end-to-end tests).
pyenv_root_packages() {
  [ "$PYENV_MODE" = root ] || return 0
  local missing=() pkg
  for pkg in "$@"; do
    chroot "$PYENV_ROOT_DIR" dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  pyenv_log "installing into the Debian root: ${missing[*]}"
  pyenv_run_in_root / sh -c 'apt-get update -q >/tmp/sipgate-root-apt.log 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>/tmp/sipgate-root-apt.log 2>&1 || { tail -n 30 /tmp/sipgate-root-apt.log; exit 1; }' sh "${missing[@]}"
}

# Make sure a Python >= 3.14.2 exists (building the root if needed).
pyenv_ensure() {
  pyenv_detect
  if [ "$PYENV_MODE" = none ]; then
    mkdir -p "$(dirname "$PYENV_ROOT_DIR")"
    exec 9>"$PYENV_ROOT_DIR.lock"
    flock -w 1800 9 || pyenv_die "timed out waiting for another build of $PYENV_ROOT_DIR"
    pyenv_detect
    [ "$PYENV_MODE" != none ] || pyenv_build_root
    flock -u 9
    pyenv_detect
  fi
  [ "$PYENV_MODE" != none ] || pyenv_die "no usable Python >= $PYENV_MIN_VERSION"
  if [ "$PYENV_MODE" = root ]; then pyenv_sync_ca; fi
}

pyenv_run_in_root() { # $1: working directory inside; rest: command
  local cwd=$1; shift
  cp -L /etc/resolv.conf "$PYENV_ROOT_DIR/etc/resolv.conf" 2>/dev/null || true
  cp -L /etc/hosts "$PYENV_ROOT_DIR/etc/hosts" 2>/dev/null || true
  unshare --mount --propagation private -- /bin/bash -c '
    set -e
    R=$1 REPO=$2 CWD=$3; shift 3
    mount --rbind /dev "$R/dev"; mount -t proc proc "$R/proc"; mount --rbind /sys "$R/sys"
    mount --rbind /tmp "$R/tmp"
    mkdir -p "$R$REPO"; mount --rbind "$REPO" "$R$REPO"
    exec chroot "$R" /usr/bin/env -u PYENV_ROOT -u PYENV_VERSION -u VIRTUAL_ENV -u PYTHONHOME \
      -u PYTHONPATH -u PIP_FIND_LINKS -u PIP_CONSTRAINT -u PIP_CONFIG_FILE -u LD_LIBRARY_PATH \
      -u LD_PRELOAD HOME=/root LANG=C.UTF-8 PWD="$CWD" \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$CWD" "$@"
  ' sipgate-py314 "$PYENV_ROOT_DIR" "$REPO_DIR" "$cwd" "$@"
}

# Run a command with the Python environment: directly on a host that has
# python3.14, else inside the Debian root (same paths, same working directory).
pyenv_run() {
  pyenv_detect
  case "$PYENV_MODE" in
    host) "$@" ;;
    root) pyenv_run_in_root "$(pwd -P)" "$@" ;;
    *) pyenv_die "no Python >= $PYENV_MIN_VERSION yet: run scripts/setup first" ;;
  esac
}
