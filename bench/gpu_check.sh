#!/usr/bin/env bash
# The CUDA path in minutes, for a person with a GPU (issue 14). From the repository root, after
# `make env` (torch's CUDA build: `pip install torch==2.14.1` into .venv on x86_64):
#   bash bench/gpu_check.sh            # ~5 min on one recent GPU
# 1. tests/test_cuda.py: lin-RFM, complete() and the batched networks on CUDA equal the CPU;
# 2. batched networks' throughput on the GPU (bench/results/batched_nets_cuda.csv);
# 3. the smoke config end to end with every solver on the GPU (the solvers take CUDA when
#    torch sees it), into a scratch folder.
set -euo pipefail
BIN=${BIN:-$(pwd)/.venv/bin}
"$BIN/python" - <<'PY'
import torch
assert torch.cuda.is_available(), "torch sees no CUDA device: nothing to check here"
print("CUDA:", torch.cuda.get_device_name(0), "torch", torch.__version__)
PY
"$BIN/python" -m pytest -q -p no:cacheprovider tests/test_cuda.py
"$BIN/python" bench/batched_nets.py --device cuda --batches 10 50 100 --d 200 --width 200 \
    --steps 500 --csv bench/results/batched_nets_cuda.csv
scratch=$(mktemp -d)
git ls-files -z | xargs -0 cp --parents -t "$scratch"
(cd "$scratch" && "$BIN/snakemake" --cores 4 --configfile config/smoke.yaml --quiet rules)
echo "smoke config on the GPU: done in $scratch"
