#!/usr/bin/env bash
# Usage: tools/dist_train.sh CONFIG NUM_PROCS [train.py args...]
# CPU runs need the gloo backend: --cfg-options env_cfg.dist_cfg.backend=gloo
# NNODES, NODE_RANK, PORT, MASTER_ADDR, PYTHON: see tools/dist_launch.sh
bash "$(dirname "$0")/dist_launch.sh" "$2" "$(dirname "$0")/train.py" "$1" \
    --launcher pytorch "${@:3}"
