#!/usr/bin/env bash
# Usage: tools/dist_launch.sh NUM_PROCS SCRIPT [SCRIPT args...]
# Runs SCRIPT in NUM_PROCS processes with `python -m torch.distributed.run`
# (the dist_*.sh tools call it). Environment: NNODES, NODE_RANK, PORT,
# MASTER_ADDR, PYTHON (default: python from PATH).
set -x
GPUS=$1
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}

PYTHONPATH="$(dirname $0)/..":$PYTHONPATH \
$PYTHON -m torch.distributed.run --nnodes=$NNODES --node_rank=$NODE_RANK \
    --master_addr=$MASTER_ADDR --nproc_per_node=$GPUS --master_port=$PORT \
    "${@:2}"
