#!/usr/bin/env bash
# Usage: tools/dist_extract_features.sh CONFIG CHECKPOINT NUM_PROCS [extract_features.py args...]
# CPU runs need the gloo backend: --cfg-options env_cfg.dist_cfg.backend=gloo
# NNODES, NODE_RANK, PORT, MASTER_ADDR, PYTHON: see tools/dist_launch.sh
bash "$(dirname "$0")/dist_launch.sh" "$3" \
    "$(dirname "$0")/analysis/extract_features.py" "$1" "$2" \
    --launcher pytorch "${@:4}"
