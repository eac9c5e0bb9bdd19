# Sourced (not run) by the one-call device scripts (open-targets.sh, gpu-busy.sh), after they
# define `steps OUTDIR`: runs those steps under a time limit inside the device tool's 600 s (the
# script calls itself with `--steps DIR`), so a call cut short still brings back what ran, then
# packs the detailed logs into $OUT/logs.tar.gz beside $OUT/NAME.log (two files, under the tool's
# limit of 8) and prints the summary's tail.
#   bounded_call NAME SECONDS TAIL_BYTES SCRIPT "$@"
bounded_call() {
  local name=$1 seconds=$2 tail_bytes=$3 script=$4
  shift 4
  if [ "${1:-}" = "--steps" ]; then
    steps "$2"
    exit $?
  fi
  mkdir -p "$OUT/logs"
  timeout --kill-after=10 "$seconds" bash "$script" --steps "$OUT/logs" >"$OUT/$name.log" 2>&1
  echo "=== stopped with status $? at $(date -u +%T) (124: the time budget)" >>"$OUT/$name.log"
  tar czf "$OUT/logs.tar.gz" -C "$OUT" logs && rm -rf "$OUT/logs"
  tail -c "$tail_bytes" "$OUT/$name.log"
}
