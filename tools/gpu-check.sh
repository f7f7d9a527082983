#!/usr/bin/env bash
# run-gpu-check.sh (copied into the gpu bundle by `npm run gpu-bundle`): on a machine with a GPU and
# a Vulkan driver, in one go: (1) the WebGPU check against tfjs' cpu backend, (2) `perf --backend
# webgpu`, (3) a short slice of the paper's parity recipe (n_embd 256, its curriculum and lengths,
# Looped-Attn only). Everything is written under the folder given as $1 (default ./gpu-check-out).
# PERF_PROFILE (default quick), SLICE_STEPS (default 200), SLICE_SAMPLES (validation and test
# samples per length, default 256) and SLICE_TEST_LENGTH (default the paper's 40) size parts 2 and 3;
# on a software device such as llvmpipe (~1 GFLOP/s) use e.g. SLICE_STEPS=2 SLICE_SAMPLES=4
# SLICE_TEST_LENGTH=21 PERF_PROFILE=smoke.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:-gpu-check-out}" && cd "${1:-gpu-check-out}" && pwd) || {
  echo "run-gpu-check.sh: cannot create the output folder '${1:-gpu-check-out}'" >&2
  exit 2
}
for v in SLICE_STEPS SLICE_SAMPLES SLICE_TEST_LENGTH; do
  case "${!v:-1}" in
    '' | *[!0-9]* | 0) echo "run-gpu-check.sh: $v must be a positive integer; got '${!v}'" >&2; exit 2 ;;
  esac
done
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
B=(node "$here/loop-bench.mjs")
steps=${SLICE_STEPS:-200}
samples=${SLICE_SAMPLES:-256}
tests=''
if [ -n "${SLICE_TEST_LENGTH:-}" ]; then tests=", \"perTask\": { \"parity\": { \"testLength\": $SLICE_TEST_LENGTH } }"; fi
cat >"$out/parity-slice.json" <<JSON
{ "tasks": ["parity"], "methods": ["looped"], "steps": $steps, "evalEvery": $steps,
  "valSize": $samples, "testSize": $samples, "checkpointEvery": 0, "costProbe": false$tests }
JSON
echo "== 1/3 check-backend --backend webgpu"
"${B[@]}" check-backend --backend webgpu | tee "$out/check-backend.txt"
check=${PIPESTATUS[0]}
if [ "$check" -eq 2 ]; then
  echo "gpu check: the webgpu backend does not start here (see above); nothing else was run"
  exit 2
fi
echo "== 2/3 perf --profile ${PERF_PROFILE:-quick} --backend webgpu"
"${B[@]}" perf --profile "${PERF_PROFILE:-quick}" --backend webgpu --out "$out/perf" --force
perf=$?
echo "== 3/3 algorithmic --profile paper --task parity, $steps steps (Looped-Attn)"
"${B[@]}" algorithmic --profile paper --backend webgpu --config "$out/parity-slice.json" --out "$out/parity-slice" --force
slice=$?
echo "gpu check: check-backend exit $check, perf exit $perf, parity slice exit $slice; outputs in $out"
[ "$check" -eq 0 ] && [ "$perf" -eq 0 ] && [ "$slice" -eq 0 ]
