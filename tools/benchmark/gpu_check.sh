#!/usr/bin/env bash
# One-shot check on the lent GPU machine (docs/benchmarks.md, "GPU check"): no
# network there, python3 with a CUDA torch, none of mmengine, mmcv, mmaction2 or
# decord. It installs the wheels carried in .gpu_wheels and uses the videos
# carried in .gpu_data (both made here by prepare_gpu_wheels.sh), then writes
# one markdown report, DIR/gpu_check.md (DIR: the argument, else $OUT, else
# work_dirs/gpu_check), in under 8 minutes:
#   - SSL step vs bare backbone, fp32 and bf16, each method, R3D-18 and S3D-G at
#     the configs' sizes, peak memory per clip (train_throughput.py)
#   - the data path at 8 workers: decode_only, ours and ours_device (colour on
#     the device) on long-GOP and prepared videos (data_throughput.py)
#   - about 200 iterations of --amp pretraining (ASCNet, synthetic set), loss
# Every step runs under `timeout`; a failure is recorded and the next step runs.
# The exit status is the number of failed steps.
#
#   bash tools/benchmark/gpu_check.sh [DIR]             # on the GPU machine
#   bash tools/benchmark/gpu_check.sh --dry-run [DIR]   # here, no GPU needed
#
# --dry-run checks, without network: that pip would install the wheels'
# names from .gpu_wheels alone for CPython 3.12 manylinux x86-64 (pip install
# --dry-run --no-index --python-version 3.12 --platform ... --target; this
# machine has no Python 3.12, so nothing is imported from them), that they
# need nothing beyond themselves and the GPU image (gpu_wheels.py check), and
# that every step resolves: its files and data exist, its tool's --help runs,
# the configs load and the pretraining overrides name keys the config has.
# GPU_CHECK_DEVICE=cpu runs the real steps on the CPU at tiny sizes (a smoke
# test of this script; no --amp, one worker, one epoch); GPU_CHECK_SLOW=N
# multiplies every step's time limit by N.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
DRY=0
if [ "${1:-}" = --dry-run ]; then DRY=1; shift; fi
DIR=${1:-${OUT:-work_dirs/gpu_check}}
mkdir -p "$DIR" && DIR=$(cd "$DIR" && pwd)
REPORT=$DIR/gpu_check.md
PY=${PYTHON:-python3}
DEVICE=${GPU_CHECK_DEVICE:-cuda}
WHEELS=.gpu_wheels
DATA=.gpu_data
SYN=$DATA/synthetic
CONFIG=configs/ascnet/ascnet_r18-w16_synthetic.py
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1
FAILED=0
T0=$SECONDS

# step KIND TITLE LIMIT_S CMD...: run CMD under `timeout LIMIT_S`; KIND table:
# its stdout (markdown) goes into the report, log: its last 25 lines, fenced.
step() {
  local kind=$1 title=$2 limit=$(($3 * ${GPU_CHECK_SLOW:-1})) start=$SECONDS rc
  shift 3
  echo "[gpu_check] $title" >&2
  timeout -k 10 "$limit" "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  local cmd="$*"
  [ "${cmd%%$'\n'*}" = "$cmd" ] || cmd="${cmd%%$'\n'*} ..."
  {
    printf '## %s\n\n```\n$ %s\n```\n\n' "$title" "$cmd"
    if [ $rc -eq 0 ]; then
      echo "ok in $((SECONDS - start)) s (limit $limit s)"
    else
      echo "**FAILED**: exit $rc$([ $rc -eq 124 ] && echo ", timed out") after \
$((SECONDS - start)) s (limit $limit s)"
    fi
    echo
    if [ "$kind" = table ]; then cat "$TMP/out"; else
      printf '```\n'; tail -n 25 "$TMP/out"; printf '```\n'
    fi
    if [ $rc -ne 0 ]; then
      printf '\nstderr (last 25 lines):\n```\n'; tail -n 25 "$TMP/err"
      printf '```\n'
    fi
    echo
  } >>"$REPORT"
  [ $rc -eq 0 ] || FAILED=$((FAILED + 1))
  return 0
}

skip() {  # skip TITLE REASON
  printf '## %s\n\nskipped: %s\n\n' "$1" "$2" >>"$REPORT"
}

# The pretraining overrides: the carried synthetic set, about 200 iterations
# (batch 16, drop_last), online evaluation every 5 epochs as configured.
train_options() {
  local videos iters epochs
  videos=$(wc -l 2>/dev/null <"$SYN/pretrain.txt" || echo 16)
  iters=$((videos / 16 > 0 ? videos / 16 : 1))
  epochs=$(((200 + iters - 1) / iters))
  [ "$DEVICE" = cpu ] && epochs=1
  echo "train_dataloader.dataset.ann_file=$SYN/pretrain.txt" \
    "train_dataloader.dataset.data_prefix.video=$SYN/videos" \
    "val_dataloader.dataset.ann_file=$SYN/val.txt" \
    "val_dataloader.dataset.data_prefix.video=$SYN/videos" \
    "val_cfg.memory_dataloader.dataset.ann_file=$SYN/train.txt" \
    "val_cfg.memory_dataloader.dataset.data_prefix.video=$SYN/videos" \
    "train_dataloader.num_workers=$WORKERS" "train_cfg.max_epochs=$epochs" \
    "param_scheduler.0.T_max=$epochs" "param_scheduler.0.end=$epochs"
}

# Checks a dotted key of the config exists before it is overridden.
OPTION_CHECK='import sys
from mmengine.config import Config
cfg = Config.fromfile(sys.argv[1]).to_dict()
for option in sys.argv[2:]:
    node = cfg
    for part in option.split("=")[0].split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
print(f"{len(sys.argv) - 2} overrides of {sys.argv[1]} name existing keys")'

# Reads the loss (and the online kNN accuracy) from the run's scalars.json.
LOSS_SUMMARY='import glob, json, sys
rows = [json.loads(line) for path in sorted(glob.glob(
    sys.argv[1] + "/*/vis_data/scalars.json")) for line in open(path)]
loss = [r for r in rows if "loss" in r]
keys = sorted({k for r in rows for k in r if "knn" in k or "top1" in k})
print("| iteration | loss |\n| --- | --- |")
for r in [loss[0], loss[len(loss) // 2], loss[-1]]:
    print("| %s | %.4f |" % (r.get("iter", r.get("step")), r["loss"]))
for k in keys:
    print("\n%s: %s" % (k, ", ".join(str(r[k]) for r in rows if k in r)))'

# The bound and every device path of data_throughput.py (the device-side crop
# too, once there is one).
DATA_PATHS_PY='from ascnet_mm.benchmark import PATHS
print(*[p for p in PATHS if p == "decode_only" or "device" in p])'

if [ $DRY -eq 1 ]; then WORKERS=8; else
  WORKERS=$([ "$DEVICE" = cpu ] && echo 1 || echo 8)
fi
{
  echo "# GPU check ($([ $DRY -eq 1 ] && echo "dry run, ")$(date -u \
'+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "\`git describe\`: $(git describe --always --dirty 2>/dev/null ||
    echo 'no git'); $(nproc) cores"
  echo
} >"$REPORT"

if [ $DRY -eq 1 ]; then
  export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
  if [ -d "$WHEELS" ]; then
    # shellcheck disable=SC2046  # the specs are words
    step log "Wheels install offline for CPython 3.12 (pip --dry-run)" 120 \
      "$PY" -m pip --isolated install --dry-run --no-index --no-deps \
      --find-links "$WHEELS" --only-binary=:all: --python-version 3.12 \
      --implementation cp --platform manylinux2014_x86_64 \
      --platform manylinux_2_17_x86_64 --platform manylinux2010_x86_64 \
      --target "$TMP/site" $("$PY" tools/benchmark/gpu_wheels.py names)
    step log "Wheels need only themselves and the GPU image" 60 \
      "$PY" tools/benchmark/gpu_wheels.py check "$WHEELS" --data "$DATA"
  else
    skip "Wheels" "$WHEELS is absent (tools/benchmark/prepare_gpu_wheels.sh)"
  fi
  if [ -d "$DATA" ]; then
    step log "Carried data" 10 ls -d "$SYN/pretrain.txt" "$SYN/val.txt" \
      "$SYN/train.txt" "$SYN/videos" "$DATA/bench" "$DATA/bench_prep"
  else
    skip "Carried data" "$DATA is absent (prepare_gpu_wheels.sh makes it)"
  fi
  for tool in tools/benchmark/train_throughput.py \
    tools/benchmark/data_throughput.py tools/train.py; do
    step log "$tool --help" 120 "$PY" "$tool" --help
  done
  # shellcheck disable=SC2046  # the options are words
  step log "Pretraining config and overrides" 120 "$PY" -c "$OPTION_CHECK" \
    "$CONFIG" $(train_options)
  step log "Data paths of the data step" 120 "$PY" -c "$DATA_PATHS_PY"
  step log "Kinetics configs of the throughput tools load" 120 "$PY" -c \
    'from mmengine.config import Config
from ascnet_mm.utils import PRETRAIN_CONFIGS, pretrain_config
for key in PRETRAIN_CONFIGS: Config.fromfile(pretrain_config(*key))
print(len(PRETRAIN_CONFIGS), "configs load")'
  echo "dry run: $FAILED failed step(s) in $((SECONDS - T0)) s; $REPORT" >&2
  exit $FAILED
fi

SITE=$TMP/site
step log "Install the carried wheels" 35 "$PY" -m pip --isolated install -q \
  --no-index --no-deps --no-compile --target "$SITE" "$WHEELS"/*.whl
export PYTHONPATH=$SITE:$PWD
# Python 3.12 has no distutils (mmengine's collect_env, run by every Runner,
# imports it): the carried setuptools' distutils-precedence.pth serves it once
# $SITE is a site directory.
echo 'import os, site; site.addsitedir(os.path.dirname(__file__))' \
  >"$SITE/sitecustomize.py"
step log "Environment" 20 "$PY" -c 'import os, torch, cv2, scipy, decord
import distutils, mmaction, mmcv, mmengine
from mmengine.utils.dl_utils import collect_env
collect_env()
gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "none"
print(f"GPU {gpu}; torch {torch.__version__}; CUDA {torch.version.cuda}; "
      f"{os.cpu_count()} CPUs; mmengine {mmengine.__version__}, mmcv "
      f"{mmcv.__version__}, mmaction2 {mmaction.__version__}, decord "
      f"{decord.__version__}, cv2 {cv2.__version__}; mmengine from "
      f"{os.path.dirname(os.path.dirname(mmengine.__file__))}; distutils "
      f"from {os.path.dirname(distutils.__file__)}")'

if [ "$DEVICE" = cpu ]; then
  TRAIN_SIZE=(--device cpu --method ascnet --iters 1 --warmup 0 --threads 1)
  DATA_SIZE=(--method ascnet --num-samples 4 --batch-size 2)
  AMP=()
else
  TRAIN_SIZE=(--device cuda --iters 5 --warmup 2)
  DATA_SIZE=(--num-samples 128 --batch-size 8)
  AMP=(--amp)
fi
for backbone in r3d18 s3dg; do
  step table "SSL step vs bare backbone: $backbone" 105 "$PY" \
    tools/benchmark/train_throughput.py --backbone $backbone \
    --amp none bf16 "${TRAIN_SIZE[@]}"
done
DATA_PATHS=$("$PY" -c "$DATA_PATHS_PY" 2>/dev/null ||
  echo decode_only ours_device)
for videos in bench_prep bench; do
  # shellcheck disable=SC2086  # the paths are words
  step table "Data path, $WORKERS workers: $videos" 50 "$PY" \
    tools/benchmark/data_throughput.py "$DATA/$videos" --workers "$WORKERS" \
    --paths $DATA_PATHS --decoder decord "${DATA_SIZE[@]}"
done
# shellcheck disable=SC2046  # the options are words
step log "Pretraining: ASCNet on the synthetic set ${AMP[*]}" 100 "$PY" \
  tools/train.py "$CONFIG" "${AMP[@]}" --work-dir "$TMP/train" \
  --cfg-options $(train_options)
step table "Pretraining loss" 15 "$PY" -c "$LOSS_SUMMARY" "$TMP/train"
echo "$FAILED failed step(s) in $((SECONDS - T0)) s" >>"$REPORT"
echo "gpu_check: $FAILED failed step(s) in $((SECONDS - T0)) s; $REPORT" >&2
exit $FAILED
