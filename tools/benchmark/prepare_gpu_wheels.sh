#!/usr/bin/env bash
# Prepare, on this machine, what tools/benchmark/gpu_check.sh needs on the lent
# GPU machine (no network there; both folders are git-ignored, never committed):
#   .gpu_wheels/  the wheels of tools/benchmark/gpu_wheels.py (mmengine,
#                 mmcv-lite, mmaction2, decord and the pure-Python packages the
#                 GPU image lacks), for CPython 3.12 manylinux x86-64, no torch
#   .gpu_data/    synthetic/: a synthetic set (make_synthetic.py, 160 videos)
#                 bench/, bench_prep/: 8 long-GOP 340x256 videos and their
#                 prepare_videos.py copies (docs/benchmarks.md)
# then checks them (gpu_wheels.py check: one wheel per name, tags, requirements,
# size). Usage: tools/benchmark/prepare_gpu_wheels.sh   (PYTHON: the python)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
WHEELS=.gpu_wheels
DATA=.gpu_data
export OMP_NUM_THREADS=1

rm -rf "$WHEELS" && mkdir -p "$WHEELS"
# shellcheck disable=SC2046  # the specs are words
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux2014_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2010_x86_64 \
    -d "$WHEELS" $("$PY" tools/benchmark/gpu_wheels.py names)

mkdir -p "$DATA"
[ -f "$DATA/synthetic/pretrain.txt" ] ||
    "$PY" tools/data/make_synthetic.py --out "$DATA/synthetic" --videos 160
[ -d "$DATA/bench" ] ||
    "$PY" tools/benchmark/make_bench_videos.py --out "$DATA/bench" --num 8 \
        --size 340x256 --seconds 10 --gop 250
[ -d "$DATA/bench_prep" ] ||
    "$PY" tools/data/prepare_videos.py "$DATA/bench" "$DATA/bench_prep"

"$PY" tools/benchmark/gpu_wheels.py check "$WHEELS" --data "$DATA"
