#!/usr/bin/env bash
# FFmpeg's shared libraries (libavcodec & co., FFmpeg 4-7) for torchcodec,
# installed with apt-get only where they are missing. Run by `make install`
# (and so by .ci/run). Tested: Debian 12's FFmpeg 5.1 with torchcodec 0.12.0.
set -euo pipefail
if ldconfig -p | grep -q 'libavcodec\.so'; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo"
fi
if ! command -v apt-get >/dev/null; then
    echo "FFmpeg libraries (libavcodec) missing and no apt-get: install" \
        "FFmpeg 4-7 with your package manager (torchcodec needs it)" >&2
    exit 1
fi
echo "installing FFmpeg's libraries for torchcodec (apt-get install ffmpeg)"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
    --no-install-recommends ffmpeg
