#!/usr/bin/env bash
# GPU recipe for `weft check`: starts a real VLM server (vLLM by default, or TGI), makes an input
# dataset, runs `weft check --scorer vqascore` against the server while sampling GPU utilisation,
# and prints samples/s and GPU utilisation. Run from the repository root on a GPU machine that
# already has the server software and the model weights (it downloads nothing itself).
#
#   bench/gpu/run-check.sh                       # vLLM + Idefics3-8B, 4000 samples
#   SERVER=tgi MODEL=HuggingFaceM4/idefics2-8b TOP_LOGPROBS=5 bench/gpu/run-check.sh
#   ENDPOINT=http://gpu-host:8000 bench/gpu/run-check.sh   # use a server that is already running
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVER="${SERVER:-vllm}"                                   # vllm | tgi
MODEL="${MODEL:-HuggingFaceM4/Idefics3-8B-Llama3}"         # vLLM has no Idefics2 architecture; TGI does
PORT="${PORT:-8000}"
ENDPOINT="${ENDPOINT:-}"
SAMPLES="${SAMPLES:-4000}"
CONCURRENCY="${CONCURRENCY:-128}"                          # per weft worker process
WORKERS="${WORKERS:-2}"
TOP_LOGPROBS="${TOP_LOGPROBS:-20}"                          # vLLM --max-logprobs default 20; TGI caps at 5
MAX_SIDE="${MAX_SIDE:-980}"
WORK="${WORK:-out/gpu-bench}"
LOG="$WORK/server.log"
mkdir -p "$WORK"

server_pid=""
smi_pid=""
cleanup() {
  [ -n "$smi_pid" ] && kill "$smi_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT

if [ -z "$ENDPOINT" ]; then
  ENDPOINT="http://127.0.0.1:$PORT"
  echo "[gpu] starting $SERVER serving $MODEL on port $PORT (log: $LOG)"
  case "$SERVER" in
    vllm)
      vllm serve "$MODEL" --port "$PORT" --max-model-len 8192 --limit-mm-per-prompt '{"image": 1}' \
        --max-logprobs 20 --gpu-memory-utilization 0.90 --max-num-seqs 256 >"$LOG" 2>&1 &
      ;;
    tgi)
      text-generation-launcher --model-id "$MODEL" --port "$PORT" --max-top-n-tokens 5 \
        --max-input-tokens 4000 --max-total-tokens 4096 --max-batch-prefill-tokens 16384 >"$LOG" 2>&1 &
      ;;
    *) echo "SERVER must be vllm or tgi" >&2; exit 2 ;;
  esac
  server_pid=$!
  # Loading an 8B model takes minutes; /v1/models answers once the server accepts requests.
  for _ in $(seq 1 180); do
    if curl -sf "$ENDPOINT/v1/models" >/dev/null 2>&1 || curl -sf "$ENDPOINT/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then echo "[gpu] server exited; see $LOG" >&2; exit 1; fi
    sleep 5
  done
fi
curl -sf "$ENDPOINT/v1/models" >/dev/null || curl -sf "$ENDPOINT/health" >/dev/null || {
  echo "[gpu] $ENDPOINT does not answer" >&2
  exit 1
}

[ -f dist/cli/main.js ] || npm run build
INPUT="$WORK/pairs-$SAMPLES"
if [ ! -f "$INPUT/state.json" ]; then
  echo "[gpu] generating $SAMPLES captioned images into $INPUT"
  node dist/cli/main.js run demo-images --options "{\"count\": $((SAMPLES * 100 / 77 + 1)), \"imagesPerTask\": 500}" \
    --out "$INPUT" --overwrite --quiet
fi

echo "[gpu] warm-up (64 samples, not measured)"
node dist/cli/main.js check "$INPUT" --out "$WORK/warmup" --overwrite --no-cache --quiet --workers 1 \
  --scorer vqascore --endpoint "$ENDPOINT" --model "$MODEL" --top-logprobs "$TOP_LOGPROBS" \
  --concurrency 64 --max-side "$MAX_SIDE" >/dev/null || true

nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,noheader,nounits -lms 500 \
  >"$WORK/gpu.csv" &
smi_pid=$!
echo "[gpu] weft check: $WORKERS workers x $CONCURRENCY requests in flight"
node dist/cli/main.js check "$INPUT" --out "$WORK/checked" --overwrite --no-cache --json \
  --workers "$WORKERS" --scorer vqascore --endpoint "$ENDPOINT" --model "$MODEL" \
  --top-logprobs "$TOP_LOGPROBS" --concurrency "$CONCURRENCY" --max-side "$MAX_SIDE" >"$WORK/summary.json"
kill "$smi_pid" 2>/dev/null || true
smi_pid=""

node --input-type=module -e '
import { readFileSync } from "node:fs";
const [summaryFile, gpuFile, model, server] = process.argv.slice(1);
const s = JSON.parse(readFileSync(summaryFile, "utf8").trim().split("\n").pop());
const stats = JSON.parse(readFileSync(s.out + "/stats.json", "utf8"));
const score = stats.stages.find((x) => x.name.startsWith("score-"));
const util = readFileSync(gpuFile, "utf8").trim().split("\n").map((l) => Number(l.split(",")[1])).filter(Number.isFinite);
const busy = util.filter((u) => u > 0);
const mean = (a) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
const req = score.summaries.request_ms;
console.log(JSON.stringify({
  server, model, samples: score.in, scored: score.counters.scored ?? 0, wallS: s.wallMs / 1000,
  samplesPerS: (score.in / (s.wallMs / 1000)).toFixed(1),
  meanRequestMs: req ? (req.sum / req.count).toFixed(0) : null,
  gpuUtilMeanPct: mean(util).toFixed(1), gpuUtilMeanWhileBusyPct: mean(busy).toFixed(1),
  unscored: Object.fromEntries(Object.entries(score.counters).filter(([k]) => k.startsWith("unscored."))),
  histogram: score.histograms.score,
}, null, 2));
' "$WORK/summary.json" "$WORK/gpu.csv" "$MODEL" "$SERVER" | tee "$WORK/result.json"
