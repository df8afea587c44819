#!/bin/sh
# make report and make check in a fresh Debian 13 (trixie) root: built with mmdebstrap from
# Debian's archive, the checkout's committed HEAD cloned into it (with the
# shared folder beside it, when there is one), then `make report` and
# `make check` inside, as the README says.
# Needs root. Usage: scripts/check-debian13.sh [ROOT_DIR], by default a new
# folder in /var/tmp, removed at the end.
set -eu
ROOT=${1:-$(mktemp -d /var/tmp/parkreport-debian13.XXXXXX)}
TOP=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" != 0 ]; then
    echo "check-debian13: needs root (mmdebstrap and chroot)" >&2
    exit 1
fi
if ! command -v mmdebstrap > /dev/null; then
    echo "check-debian13: installing mmdebstrap" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap
fi
cleanup() {
    umount "$ROOT/dev/pts" 2> /dev/null || true
    umount "$ROOT/proc" 2> /dev/null || true
    rm -rf "$ROOT"
}
trap cleanup EXIT
rm -rf "$ROOT"
mmdebstrap --quiet --variant=apt --include=git,ca-certificates,make trixie "$ROOT"
git clone -q "$TOP" "$ROOT/work/main"
[ -d "$TOP/../shared" ] && cp -a "$TOP/../shared" "$ROOT/work/shared"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2> /dev/null || true
mount -t proc proc "$ROOT/proc"
# Terminals for the tests that need one (a batch's progress line).
mkdir -p "$ROOT/dev/pts"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts"
[ -e "$ROOT/dev/ptmx" ] || ln -s pts/ptmx "$ROOT/dev/ptmx"
echo "check-debian13: $(cat "$ROOT/etc/debian_version"), make report and make check in $ROOT/work/main" >&2
chroot "$ROOT" sh -c 'cd /work/main && make report && make check'
