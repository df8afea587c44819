#!/bin/sh
# Installs the Debian packages parkreport needs to build, run and test.
# Installs only what is missing, so a second run costs nothing.
set -eu

PACKAGES="build-essential pkg-config zlib1g-dev libhpdf-dev libdeflate-dev libxlsxwriter-dev libxml2-dev libcurl4-openssl-dev
libcmocka-dev libjson-c-dev libharfbuzz-dev fonts-arphic-uming fonts-arphic-ukai fonts-wqy-zenhei fonts-liberation2 poppler-utils qpdf mupdf-tools python3-openpyxl
gnumeric valgrind parallel python3-aiosmtpd openssl fonts-hanazono unzip procps time"
# `setup.sh fuzz`: also what the fuzz targets need.
[ "${1:-}" = fuzz ] && PACKAGES="$PACKAGES clang libclang-rt-dev"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "parkreport: these Debian packages are missing:$missing" >&2
    echo "parkreport: install them as root with:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

echo "parkreport: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
