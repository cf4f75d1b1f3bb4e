#!/usr/bin/env bash
# Usage: tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [test.py args...]
# NNODES, NODE_RANK, PORT, MASTER_ADDR, PYTHON: see tools/dist_launch.sh
bash "$(dirname "$0")/dist_launch.sh" "$3" "$(dirname "$0")/test.py" "$1" \
    "$2" --launcher pytorch "${@:4}"
