#!/bin/bash
# SPDX-License-Identifier: MIT
#
# HLS segment requests per second: Strand on one pinned core serves one live segment
# to wrk's keep-alive clients, with http_server hls_memory_cache_mb on (from memory)
# and 0 (pread from the page cache per request). ffmpeg publishes a few seconds first
# and keeps publishing (a small 640x360 encode on the clients' core) so the segment is
# a real one the HLS sink wrote and still holds. Numbers are measurements, never
# pass/fail.
#
# Knobs (environment):
#   BENCH_HLS_SECONDS=10   seconds of wrk per mode
#   BENCH_HLS_CONNS=200    wrk connections
#   BENCH_HLS_MODES="256 0" hls_memory_cache_mb values to run
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/objs/bench/hls
SECS=${BENCH_HLS_SECONDS:-10}
CONNS=${BENCH_HLS_CONNS:-200}
MODES=${BENCH_HLS_MODES:-256 0}
SRV_PID=""
PUB_PID=""

cleanup() {
    for p in $PUB_PID $SRV_PID; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    PUB_PID="" SRV_PID=""
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for() { # $1 = test command, $2 = seconds
    local i
    for i in $(seq 1 $(($2 * 10))); do
        eval "$1" && return 0
        sleep 0.1
    done
    return 1
}

run_mode() { # $1 = hls_memory_cache_mb
    local rtmp http www=$OUT/html-$1
    rtmp=$(free_port) http=$(free_port)
    rm -rf "$www" && mkdir -p "$www"
    cat >"$OUT/strand-$1.conf" <<EOF
listen              $rtmp;
daemon              off;
srs_log_tank        file;
srs_log_file        $OUT/strand-$1.log;
srs_log_level       warn;
pid                 $OUT/strand-$1.pid;
http_server {
    enabled         on;
    listen          $http;
    dir             $www;
    hls_memory_cache_mb $1;
}
vhost __defaultVhost__ {
    hls {
        enabled     on;
        hls_path    $www;
        hls_fragment 2;
        hls_window  60;
    }
}
EOF
    taskset -c 0 objs/strand -c "$OUT/strand-$1.conf" >>"$OUT/strand-$1.stdout" 2>&1 &
    SRV_PID=$!
    wait_for "(echo >/dev/tcp/127.0.0.1/$http) 2>/dev/null" 10 || { echo "bench_hls: strand did not start" >&2; return 1; }
    # publish through the run (an unpublish drops the memory copies); b-0.ts stays in the window
    taskset -c 1 ffmpeg -hide_banner -nostdin -loglevel error -re -f lavfi -i testsrc=size=640x360:rate=25 \
        -f lavfi -i sine=frequency=440 -c:v libx264 -preset ultrafast -b:v 2000k -g 50 -pix_fmt yuv420p \
        -c:a aac -f flv "rtmp://127.0.0.1:$rtmp/live/b" >/dev/null 2>&1 &
    PUB_PID=$!
    wait_for "grep -q 'b-1.ts' $www/live/b.m3u8 2>/dev/null" 30 || { echo "bench_hls: no segment" >&2; return 1; }
    local size
    size=$(stat -c %s "$www/live/b-0.ts")
    taskset -c 1 wrk -t1 -c"$CONNS" -d"${SECS}s" "http://127.0.0.1:$http/live/b-0.ts" >"$OUT/wrk-$1.txt" 2>&1
    printf "hls_memory_cache_mb %-4s segment %7d bytes  %s\n" "$1" "$size" \
        "$(grep -E 'Requests/sec|Transfer/sec' "$OUT/wrk-$1.txt" | tr -s ' ' | tr '\n' ' ')"
    cleanup
}

command -v wrk >/dev/null || { echo "bench_hls: wrk is missing (apt-get install wrk)" >&2; exit 1; }
mkdir -p "$OUT"
for m in $MODES; do
    run_mode "$m" || exit 1
done
