#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `make bench`: Strand side by side with nginx-rtmp and the floor (strand_bench
# floor: one shared byte stream written with epoll+writev, nothing else), on one
# pinned core each. For every server and N it starts the server on CPU 0, one bench
# publisher and N bench players on CPU 1, and reads the server's CPU time
# (/proc/PID/stat), peak RSS (VmHWM) and drops (Strand's /metrics) around the run;
# players report throughput, first keyframe and end-to-end latency. Prints a table
# and writes doc/performance.md. Numbers are measurements, never pass/fail.
#
# SRT (Strand only): SRT publishers (strand_bench srt-publish: libsrt callers through
# protocol/sr_srt, a ~2 Mbit/s TS file in 1316-byte messages paced by its PCR), with
# RTMP players on a few of the streams and the server's /api/v1/streams telling
# whether every stream arrived whole; and SRT players (srt-play: TS demuxed by our
# demuxer) of the RTMP bench publisher's stream, next to RTMP players at the same N.
#
# HLS: (1) one ~512 KB segment Strand's HLS sink wrote (ffmpeg publishing input-2m.ts
# over RTMP, stream copy, through the run) served to wrk's keep-alive clients by Strand
# (http_server hls_memory_cache_mb 256) and then by nginx (sendfile, tcp_nopush, one
# worker) from a copy of the same file, each pinned to the server CPU: requests/s,
# MB/s, CPU seconds and requests per CPU-second of each, and the ratio. (2) HLS viewers
# (strand_bench hls-play: like hls.js, keep-alive, each new segment once, the playlist
# every half target duration) of the RTMP bench publisher's stream: CPU-s/Gbit next to
# RTMP players at the same N, segment fetch time p50/p99 and errors.
#
# Knobs (environment):
#   BENCH_NS="200 1000 2000 5000"  player counts (set and empty: none, e.g. to run only WebRTC)
#   BENCH_SECONDS=30               seconds of play per run
#   BENCH_PUBLISHERS=200           publishers in the publish run (0 skips it)
#   BENCH_SERVERS="strand strand-minlat nginx floor"  (set and empty: none, e.g. to run only HLS)
#   BENCH_MW_MS=350                Strand's mw_latency, and the floor's batch interval
#   BENCH_RAMP=1000                new connections per second
#   BENCH_BIG_N=10000              RTMP players of the ~250 kbit/s stream (Strand only; 0 skips)
#   BENCH_FLV=1                    0 skips the HTTP-FLV players
#   BENCH_SRT_PUBLISHERS=50        SRT publishers of input-2m.ts (Strand only; 0 skips)
#   BENCH_SRT_CHECK=5              RTMP players on that many of their streams (frames %)
#   BENCH_SRT_PLAYERS=500          SRT players of the RTMP publisher's stream (0 skips);
#                                  RTMP players at this N too when it is not in BENCH_NS, and
#                                  with the floor server, srt-floor (libsrt alone) to as many
#   BENCH_RTSP_PLAYERS=1000        RTSP players (TCP interleaved) of the RTMP publisher's stream
#                                  (Strand only; 0 skips); RTMP players at this N too
#   BENCH_RTC_PLAYERS=200          WebRTC players (strand_bench whep-play) of a ~1 Mbit/s H.264 stream
#                                  without B-frames, next to RTMP players of it, and the SRTP
#                                  floor (strand_bench srtp-floor) (Strand only; 0 skips)
#   BENCH_RTC_PUBLISHERS=50        WebRTC publishers (strand_bench whip-publish: input-1m.flv's H.264
#                                  and an Opus silence frame over WHIP, rtc_to_rtmp on) (Strand only;
#                                  0 skips)
#   BENCH_RTC_CHECK=5              RTMP players on that many of their streams (frames %, e2e)
#   BENCH_RTC_RCVBUF=              the WebRTC modes' UDP receive buffer in bytes (strand_bench
#                                  --rcvbuf; empty: its default 2 MiB, 0: the kernel's default)
#   BENCH_HLS=1                    0 skips both HLS runs
#   BENCH_HLS_SECONDS=$BENCH_SECONDS  seconds of wrk per server, and of the HLS viewers' run
#   BENCH_HLS_CONNS=200            wrk's keep-alive connections to the one segment
#   BENCH_HLS_VIEWERS=200          HLS viewers of the RTMP publisher's stream (Strand only; 0
#                                  skips); RTMP players at this N too when no run has them
#   BENCH_OUT=doc/performance.md   where the report goes
#   BENCH_PERF=                    1: `perf record -g` the server during each run
#                                  (objs/bench/perf-SERVER-MODE-N.data)
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/objs/bench
BENCH=$ROOT/objs/strand_bench
NS=${BENCH_NS-200 1000 2000 5000}
SECS=${BENCH_SECONDS:-30}
NPUB=${BENCH_PUBLISHERS:-200}
SERVERS=${BENCH_SERVERS-strand strand-minlat nginx floor}
MW_MS=${BENCH_MW_MS:-350}
RAMP=${BENCH_RAMP:-1000}
BIG_N=${BENCH_BIG_N:-10000}
DO_FLV=${BENCH_FLV:-1}
NSRTPUB=${BENCH_SRT_PUBLISHERS:-50}
SRT_CHECK=${BENCH_SRT_CHECK:-5}
NSRTPLAY=${BENCH_SRT_PLAYERS:-500}
NRTSPPLAY=${BENCH_RTSP_PLAYERS:-1000}
NRTCPLAY=${BENCH_RTC_PLAYERS:-200}
NRTCPUB=${BENCH_RTC_PUBLISHERS:-50}
RTC_CHECK=${BENCH_RTC_CHECK:-5}
RTC_RCVBUF=${BENCH_RTC_RCVBUF:-}
DO_HLS=${BENCH_HLS:-1}
HLS_SECS=${BENCH_HLS_SECONDS:-$SECS}
HLS_CONNS=${BENCH_HLS_CONNS:-200}
NHLS=${BENCH_HLS_VIEWERS:-200}
REPORT=${BENCH_OUT:-doc/performance.md}
PERF=${BENCH_PERF:-}
INPUT=$OUT/input.flv
INPUT_BIG=$OUT/input-250k.flv
INPUT_TS=$OUT/input-2m.ts
INPUT_1M=$OUT/input-1m.flv # the WebRTC players' stream: baseline, so no B-frames
INPUT_PLAY_TS=$OUT/input.ts # input.flv remuxed: what srt-floor sends its SRT players
NGINX_MODULE=/usr/lib/nginx/modules/ngx_rtmp_module.so
CLK_TCK=$(getconf CLK_TCK)
PIDS=""
ROWS=$OUT/rows.md
NOTES=$OUT/notes.md
HLS_ROWS=$OUT/hls-rows.md

log() { echo "bench: $*" >&2; }

# ---- cleanup: every process we started, by PID ----
cleanup() {
    for p in $PIDS; do
        kill "$p" 2>/dev/null
    done
    sleep 0.5
    for p in $PIDS; do
        kill -9 "$p" 2>/dev/null
    done
    PIDS=""
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# Stop one process we started and forget it.
stop_pid() {
    kill "$1" 2>/dev/null
    for _ in $(seq 50); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}

# ---- prerequisites ----
# $1 file (.flv, or .ts for MPEG-TS), $2 size, $3 video bitrate, $4 audio bitrate: 60 s,
# H.264+AAC, GOP 50 at 25 fps. $5: the lavfi picture (testsrc), $6: a video filter. The
# 2 Mbit/s file is testsrc2 with noise: plain testsrc does not need that many bits.
make_input() {
    [ -s "$1" ] && return 0
    local fmt=flv vf=""
    case $1 in *.ts) fmt=mpegts ;; esac
    [ -n "${6:-}" ] && vf="-vf $6"
    log "generating $1 (H.264 $3 + AAC $4, GOP 50 at 25 fps, 60 s)"
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "${5:-testsrc}=size=$2:rate=25" \
        -f lavfi -i sine=frequency=440:sample_rate=44100 -t 60 $vf \
        -c:v libx264 -preset veryfast -tune zerolatency -profile:v baseline -pix_fmt yuv420p \
        -b:v "$3" -maxrate "$3" -bufsize "$3" -g 50 -keyint_min 50 -sc_threshold 0 \
        -c:a aac -b:a "$4" -ac 1 -f "$fmt" "$1" || exit 1
}

prepare() {
    mkdir -p "$OUT"
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ] && log "warning: ulimit -n is $(ulimit -n)"
    [ -x "$BENCH" ] && [ -x objs/strand ] || make objs/strand objs/strand_bench || exit 1
    local need=""
    command -v ffmpeg >/dev/null || need="$need ffmpeg"
    command -v taskset >/dev/null || need="$need util-linux"
    command -v curl >/dev/null || need="$need curl"
    case " $SERVERS " in *" nginx "*) [ -f "$NGINX_MODULE" ] || need="$need libnginx-mod-rtmp nginx-light" ;; esac
    if [ "$DO_HLS" != 0 ]; then
        command -v wrk >/dev/null || need="$need wrk"
        command -v nginx >/dev/null || need="$need nginx-light"
    fi
    if [ -n "$need" ]; then
        log "installing:$need"
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need || exit 1
    fi
    make_input "$INPUT" 640x360 430k 64k
    [ "$BIG_N" -gt 0 ] && make_input "$INPUT_BIG" 480x270 190k 48k
    [ $((NRTCPLAY + NRTCPUB)) -gt 0 ] && make_input "$INPUT_1M" 1280x720 950k 48k testsrc2
    { [ "$NSRTPUB" -gt 0 ] || [ "$DO_HLS" != 0 ]; } && make_input "$INPUT_TS" 1280x720 1800k 64k testsrc2 noise=alls=8:allf=t
    if [ "$NSRTPLAY" -gt 0 ] && [ ! -s "$INPUT_PLAY_TS" ]; then
        ffmpeg -hide_banner -loglevel error -y -i "$INPUT" -c copy -f mpegts "$INPUT_PLAY_TS" || exit 1
    fi
    RATE_KBPS=$(($(stat -c %s "$INPUT") * 8 / 60 / 1000))
    RATE_TS_KBPS=$(($(stat -c %s "$INPUT_TS" 2>/dev/null || echo 0) * 8 / 60 / 1000))
    if [ "$(nproc)" -ge 2 ]; then
        SRV_CPU=0 LOAD_CPU=1
    else
        SRV_CPU=0 LOAD_CPU=0
        log "warning: one CPU; server and load share it"
    fi
}

free_port() { # $1 = udp for a UDP port
    local kind=SOCK_STREAM
    [ "${1:-}" = udp ] && kind=SOCK_DGRAM
    python3 -c "import socket; s=socket.socket(socket.AF_INET, socket.$kind); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"
}

wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    log "port $1 did not open"
    return 1
}

srt_version() {
    pkg-config --modversion srt 2>/dev/null || echo "?"
}

wait_udp_port() { # a bound UDP port shows in /proc/net/udp as :HEX
    local hex
    hex=$(printf ':%04X ' "$1")
    for _ in $(seq 100); do
        grep -q "$hex" /proc/net/udp /proc/net/udp6 2>/dev/null && return 0
        sleep 0.1
    done
    log "udp port $1 did not open"
    return 1
}

# ---- servers: each sets SRV_PID and the URLs ----
start_strand() { # $1 = on|off (min_latency); $2 = srt: also the SRT listener and the HTTP API; rtsp: the RTSP one;
    # hls: the HLS sink writing into the HTTP server's directory, served from memory
    # rtc: the WebRTC UDP listener (candidate 127.0.0.1), rtmp_to_rtc, rtc_to_rtmp and the HTTP API (WHEP, WHIP)
    RTMP_PORT=$(free_port) HTTP_PORT=$(free_port) METRICS_PORT=$(free_port) SRT_PORT="" RTSP_PORT="" RTC_PORT=""
    local conf=$OUT/strand-$1.conf srt="" srt_vhost="" api="" hls_cache="" hls=""
    if [ "${2:-}" = hls ]; then
        rm -rf "$OUT/html/live"
        hls_cache="hls_memory_cache_mb 256;"
        hls="hls { enabled on; hls_path $OUT/html; hls_fragment 2; hls_window 60; }"
    fi
    if [ "${2:-}" = rtsp ]; then
        RTSP_PORT=$(free_port)
        srt="rtsp_server { enabled on; listen $RTSP_PORT; rtp_port $(free_port udp); rtcp_port $(free_port udp); }"
    fi
    if [ "${2:-}" = rtc ]; then
        RTC_PORT=$(free_port udp)
        srt="rtc_server { enabled on; listen $RTC_PORT; candidate 127.0.0.1; }"
        srt_vhost="rtc { enabled on; rtmp_to_rtc on; rtc_to_rtmp on; }"
        api="http_api { enabled on; listen $HTTP_PORT; }"
    fi
    if [ "${2:-}" = srt ]; then
        SRT_PORT=$(free_port udp)
        srt="srt_server { enabled on; listen $SRT_PORT; }"
        srt_vhost="srt { enabled on; srt_to_rtmp on; }"
        api="http_api { enabled on; listen $HTTP_PORT; }"
    fi
    cat >"$conf" <<EOF
listen              $RTMP_PORT;
max_connections     20000;
daemon              off;
srs_log_tank        file;
srs_log_file        $OUT/strand-$1.log;
srs_log_level       warn;
pid                 $OUT/strand-$1.pid;
http_server {
    enabled         on;
    listen          $HTTP_PORT;
    dir             $OUT/html;
    $hls_cache
}
exporter {
    enabled         on;
    listen          $METRICS_PORT;
}
$srt
$api
vhost __defaultVhost__ {
    $srt_vhost
    $hls
    min_latency     $1;
    play {
        mw_latency  $MW_MS;
    }
    http_remux {
        enabled     on;
        mount       [vhost]/[app]/[stream].flv;
    }
}
EOF
    taskset -c "$SRV_CPU" objs/strand -c "$conf" >>"$OUT/strand-$1.stdout" 2>&1 &
    SRV_PID=$!
    PIDS="$PIDS $SRV_PID"
    wait_port "$RTMP_PORT" && wait_port "$HTTP_PORT" && { [ -z "$SRT_PORT" ] || wait_udp_port "$SRT_PORT"; } &&
        { [ -z "$RTSP_PORT" ] || wait_port "$RTSP_PORT"; } && { [ -z "$RTC_PORT" ] || wait_udp_port "$RTC_PORT"; }
}

start_nginx() {
    RTMP_PORT=$(free_port) HTTP_PORT="" METRICS_PORT=""
    local prefix=$OUT/nginx
    mkdir -p "$prefix/logs"
    sed -e "s|@MODULE@|$NGINX_MODULE|" -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$RTMP_PORT|" \
        -e "s|@CONNS@|20000|" -e "s|@NOFILE@|40000|" 3rdparty/bench/nginx.conf.in >"$prefix/nginx.conf"
    taskset -c "$SRV_CPU" nginx -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf" \
        >>"$prefix/stdout" 2>&1 &
    SRV_PID=$!
    PIDS="$PIDS $SRV_PID"
    wait_port "$RTMP_PORT"
}

start_floor() { # $1 = N
    RTMP_PORT=$(free_port) HTTP_PORT="" METRICS_PORT=""
    taskset -c "$SRV_CPU" "$BENCH" floor -p "$RTMP_PORT" -n "$1" --rate "$RATE_KBPS" --batch-ms "$MW_MS" -d 0 \
        --json >"$OUT/floor.out" 2>&1 &
    SRV_PID=$!
    PIDS="$PIDS $SRV_PID"
    wait_port "$RTMP_PORT"
}

# ---- measuring ----
cpu_ticks() { # utime + stime of $1
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
json_get() { # $1 file, $2 key: the value in the last JSON line
    grep '^{' "$1" | tail -n 1 | sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}
metrics_drops() {
    [ -n "$METRICS_PORT" ] || { echo "-"; return; }
    curl -s -m 5 "http://127.0.0.1:$METRICS_PORT/metrics" |
        awk '/^strand_consumer_dropped_total/ { s += $NF } END { print s + 0 }'
}

start_publisher() { # one bench publisher for the players' stream; $1 = input (default $INPUT)
    taskset -c "$LOAD_CPU" "$BENCH" rtmp-publish -u "rtmp://127.0.0.1:$RTMP_PORT/live/bench" -n 1 -i "${1:-$INPUT}" \
        -d 0 >"$OUT/publisher.out" 2>&1 &
    PUB_PID=$!
    PIDS="$PIDS $PUB_PID"
    sleep 3 # let the GOP cache fill
}

# Run a load command on the load CPU around server CPU/RSS samples and append a row.
# $1 server label, $2 mode label, $3 N, rest: the strand_bench arguments. With SIDE set,
# that function runs in the background during the load (and is waited for); with
# FRAMES_FILE set, the row's frames % comes from that strand_bench report instead.
measure() {
    local server=$1 mode=$2 n=$3 out=$OUT/run-$1-$2-$3.out side_pid=""
    shift 3
    echo 5 >"/proc/$SRV_PID/clear_refs" 2>/dev/null # reset VmHWM to now
    local t0 c0 t1 c1
    t0=$(date +%s.%N) c0=$(cpu_ticks "$SRV_PID")
    local perf_pid=""
    if [ -n "$PERF" ] && [ "$server" != floor ]; then # the steady state, after the ramp
        (sleep $((n / RAMP + 2)) && exec perf record -q -g -p "$SRV_PID" -o "$OUT/perf-$server-$mode-$n.data" \
            -- sleep $((SECS / 2))) >/dev/null 2>&1 &
        perf_pid=$!
    fi
    if [ -n "${SIDE:-}" ]; then
        "$SIDE" &
        side_pid=$!
    fi
    taskset -c "$LOAD_CPU" "$BENCH" "$@" -d "$SECS" --ramp "$RAMP" --json >"$out" 2>&1
    [ -n "$perf_pid" ] && wait "$perf_pid"
    t1=$(date +%s.%N) c1=$(cpu_ticks "$SRV_PID")
    [ -n "$side_pid" ] && wait "$side_pid"
    local hwm drops
    hwm=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SRV_PID/status" 2>/dev/null)
    drops=$(metrics_drops)
    [ "$server" = floor ] && stop_pid "$SRV_PID" && drops=$(json_get "$OUT/floor.out" drops)
    add_row "$server" "$mode" "$n" "$out" "$t0" "$t1" "$c0" "$c1" "${hwm:--}" "${drops:--}"
}

add_row() {
    local server=$1 mode=$2 n=$3 out=$4 t0=$5 t1=$6 c0=$7 c1=$8 hwm=$9 drops=${10}
    local ok failed closed mbps bytes kmin kmed fpmin fpmed ffp50 ffp99 l50 l99
    ok=$(json_get "$out" ok) failed=$(json_get "$out" failed) closed=$(json_get "$out" closed)
    mbps=$(json_get "$out" mbps) bytes=$(json_get "$out" bytes)
    kmin=$(json_get "$out" kbps_min) kmed=$(json_get "$out" kbps_median)
    fpmin=$(json_get "${FRAMES_FILE:-$out}" frames_pct_min) fpmed=$(json_get "${FRAMES_FILE:-$out}" frames_pct_median)
    ffp50=$(json_get "$out" first_frame_p50_ms) ffp99=$(json_get "$out" first_frame_p99_ms)
    l50=$(json_get "$out" e2e_p50_ms) l99=$(json_get "$out" e2e_p99_ms)
    if [ -z "$bytes" ]; then
        log "no report from the load in $out"
        return
    fi
    awk -v s="$server" -v m="$mode" -v n="$n" -v ok="$ok/$failed/$closed" -v mbps="$mbps" -v b="$bytes" \
        -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v hz="$CLK_TCK" -v hwm="$hwm" -v d="$drops" \
        -v k="$kmin/$kmed" -v fp="$fpmin/$fpmed" -v ff="$ffp50/$ffp99" -v lat="$l50/$l99" 'BEGIN {
        cpu = (c1 - c0) / hz; wall = t1 - t0; gbit = b * 8 / 1e9;
        printf "| %s | %s | %d | %s | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %s |\n",
            s, m, n, ok, mbps, 100 * cpu / wall, hwm, (gbit > 0 ? sprintf("%.3f", cpu / gbit) : "-"), k, fp, d, ff, lat
    }' | tee -a "$ROWS"
}

# ---- SRT (Strand only) ----
row_field() { # $1 mode, $2 N, $3 column (1 = server), $4 server (strand): a value of this run's row
    awk -F'|' -v m="$1" -v n="$2" -v c="$3" -v s="${4:-strand}" '{ for (i = 2; i <= NF; i++) gsub(/^ +| +$/, "", $i) }
        $2 == s && $3 == m && $4 == n { v = $(c + 1) } END { print v }' "$ROWS"
}

api_streams() { # $1 file: the time, then the server's /api/v1/streams
    { date +%s.%N; curl -s -m 5 "http://127.0.0.1:$HTTP_PORT/api/v1/streams?count=100000"; } >"$1"
}

# In the background of a publish run ($1 stream prefix, $2 publishers, $3 players to
# check): once every publisher has sent a GOP, RTMP players on the first $3 streams
# (frames %, e2e), and the server's view of every stream at the start and the end of
# their run (API: video frames and bytes), into $OUT/$1-check.out and $OUT/$1-api-*.json.
ingest_check() {
    local prefix=$1 npub=$2 k=$3 settle span
    settle=$((npub / RAMP + 3))
    span=$(awk -v s="$SECS" -v t="$settle" 'BEGIN { printf "%d", s - t - 1 }')
    [ "$k" -gt "$npub" ] && k=$npub
    if [ "$span" -lt 2 ]; then
        log "$prefix check skipped: BENCH_SECONDS=$SECS leaves no time after the ramp"
        return
    fi
    sleep "$settle"
    api_streams "$OUT/$prefix-api-0.json"
    if [ "$k" -gt 0 ]; then
        taskset -c "$LOAD_CPU" "$BENCH" rtmp-play -u "rtmp://127.0.0.1:$RTMP_PORT/live/$prefix" -n "$k" \
            --streams "$npub" -d "$span" --json >"$OUT/$prefix-check.out" 2>&1
    else
        sleep "$span"
    fi
    api_streams "$OUT/$prefix-api-1.json"
}
srt_ingest_check() { ingest_check srtpub "$NSRTPUB" "$SRT_CHECK"; }

# One line on the streams of prefix $1 ($2 publishers) between the two API snapshots: how
# many were publishing in both, how many of them with video frames and bytes arriving,
# their video frames per second and received kbit/s (min/median).
ingest_summary() {
    python3 - "$OUT/$1-api-0.json" "$OUT/$1-api-1.json" "$2" "$1" <<'PY'
import json, sys
def load(path):
    try:
        with open(path) as f:
            t = float(f.readline())
            doc = json.loads(f.read())
    except (OSError, ValueError):
        return None, {}
    return t, {s["name"]: s for s in doc.get("streams", []) if s["name"].startswith(sys.argv[4])
               and s["publish"]["active"]}
t0, a = load(sys.argv[1])
t1, b = load(sys.argv[2])
names = [n for n in a if n in b]
if not names or t1 <= t0:
    print("the API saw no %s stream publishing" % sys.argv[4])
    sys.exit()
fps = sorted((b[n]["frames"] - a[n]["frames"]) / (t1 - t0) for n in names)
kbps = sorted((b[n]["recv_bytes"] - a[n]["recv_bytes"]) * 8 / 1000 / (t1 - t0) for n in names)
live = sum(1 for n in names if b[n]["frames"] > a[n]["frames"] and b[n]["recv_bytes"] > a[n]["recv_bytes"])
mid = len(names) // 2
print("the API saw %d of %s streams publishing, %d of them with frames and bytes arriving; over %.1f s, video "
      "%.1f/%.1f frames/s and %.0f/%.0f kbit/s received (min/median per stream)"
      % (len(names), sys.argv[3], live, t1 - t0, fps[0], fps[mid], kbps[0], kbps[mid]))
PY
}

run_srt_publish() {
    [ "$NSRTPUB" -gt 0 ] || return 0
    start_strand off srt || return
    rm -f "$OUT"/srtpub-api-*.json "$OUT/srtpub-check.out"
    SIDE=srt_ingest_check FRAMES_FILE=$OUT/srtpub-check.out measure strand srt-publish "$NSRTPUB" srt-publish \
        -u "srt://127.0.0.1:$SRT_PORT/live/srtpub" -n "$NSRTPUB" -i "$INPUT_TS"
    stop_pid "$SRV_PID"
    local cpu k=$SRT_CHECK
    cpu=$(row_field srt-publish "$NSRTPUB" 6)
    [ -n "$cpu" ] || return 0
    [ "$k" -gt "$NSRTPUB" ] && k=$NSRTPUB
    echo "- srt-publish: $NSRTPUB streams of ~$RATE_TS_KBPS kbit/s took $cpu% of the server's core," \
        "$(awk -v c="$cpu" -v n="$NSRTPUB" 'BEGIN { printf "%.2f", c / n }')% per stream;" \
        "$(ingest_summary srtpub "$NSRTPUB"); its frames % is that of RTMP players of $k of them" | tee -a "$NOTES" >&2
}

# SRT players of the RTMP publisher's stream; RTMP players at the same N for comparison
# (on their own server, so neither run's peak RSS is the other's), unless BENCH_NS has it.
# Players of another protocol ($1: srt or rtsp, the strand_bench mode $2, the URL $3
# with PORT for the listener's port) next to RTMP players at the same N ($4).
run_proto_play() {
    local proto=$1 mode=$2 url=$3 n=$4
    [ "$n" -gt 0 ] || return 0
    start_strand off "$proto" || return
    start_publisher
    local port=$SRT_PORT
    [ "$proto" = rtsp ] && port=$RTSP_PORT
    measure strand "$proto" "$n" "$mode" -u "${url/PORT/$port}" -n "$n"
    stop_pid "$PUB_PID"
    stop_pid "$SRV_PID"
    compare_rtmp "$proto" "$n"
}

# RTMP players at N (on their own server, so neither run's peak RSS is the other's)
# unless this run has them, then one note comparing the $1 row at N with them; $3 is
# more text for that note.
compare_rtmp() {
    local proto=$1 n=$2 extra=${3:-}
    if [ -z "$(row_field rtmp "$n" 8)" ]; then
        start_strand off || return
        start_publisher
        measure strand rtmp "$n" rtmp-play -u "rtmp://127.0.0.1:$RTMP_PORT/live/bench" -n "$n"
        stop_pid "$PUB_PID"
        stop_pid "$SRV_PID"
    fi
    local other rtmp
    other=$(row_field "$proto" "$n" 8) rtmp=$(row_field rtmp "$n" 8)
    [ -n "$other" ] && [ -n "$rtmp" ] || return 0
    echo "- $proto fan-out at N=$n: $other CPU-s/Gbit against RTMP's $rtmp," \
        "$(awk -v a="$other" -v b="$rtmp" 'BEGIN { printf (b > 0 ? "%.1f" : "-"), a / b }')x;" \
        "the server's CPU $(row_field "$proto" "$n" 6)% against $(row_field rtmp "$n" 6)% for as many RTMP players$extra" |
        tee -a "$NOTES" >&2
}

# The floor of the srt rows: libsrt alone (strand_bench srt-floor) sends the same stream,
# remuxed to TS, to as many SRT players, from one thread with no server logic at all.
run_srt_floor() {
    local n=$NSRTPLAY port
    [ "$n" -gt 0 ] || return 0
    port=$(free_port udp)
    taskset -c "$SRV_CPU" "$BENCH" srt-floor -p "$port" -n "$n" -i "$INPUT_PLAY_TS" -d 0 --json \
        >"$OUT/floor.out" 2>&1 &
    SRV_PID=$!
    PIDS="$PIDS $SRV_PID"
    wait_udp_port "$port" || return
    measure floor srt "$n" srt-play -u "srt://127.0.0.1:$port/live/bench" -n "$n"
    local f s
    f=$(row_field srt "$n" 8 floor) s=$(row_field srt "$n" 8)
    [ -n "$f" ] && [ -n "$s" ] || return 0
    echo "- srt fan-out at N=$n: Strand $s CPU-s/Gbit against libsrt alone (srt-floor) $f," \
        "$(awk -v a="$s" -v b="$f" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')x the floor" |
        tee -a "$NOTES" >&2
}

# ---- WebRTC (Strand only) ----
udp_rcvbuf_errors() { # Udp RcvbufErrors of /proc/net/snmp: datagrams dropped on a full receive buffer, host-wide
    awk '$1 == "Udp:" { if (!c) { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") c = i } else print $c }' \
        /proc/net/snmp 2>/dev/null || echo 0
}
udp_sock_drops() { # $1 port: the drops column of the UDP sockets bound to it (/proc/net/udp)
    awk -v p="$(printf ':%04X' "$1")" 'substr($2, length($2) - 4) == p { s += $NF } END { print s + 0 }' \
        /proc/net/udp /proc/net/udp6 2>/dev/null
}
load_pct() { # $1 strand_bench's report: its own CPU time, and its time waiting for a CPU, in % of the run
    awk -v c="$(json_get "$1" load_cpu_s)" -v w="$(json_get "$1" load_wait_s)" -v s="$(json_get "$1" seconds)" \
        'BEGIN { if (s > 0) printf "%.0f%% of its core (and %.0f%% waiting for it)", 100 * c / s, 100 * w / s; else printf "-" }'
}
run_wait_s() { # $1 pid: seconds runnable but waiting for a CPU so far (/proc/PID/schedstat)
    awk '{ printf "%.3f", $2 / 1e9 }' "/proc/$1/schedstat" 2>/dev/null || echo 0
}
rtc_rcvbuf_opt() { # strand_bench's --rcvbuf when BENCH_RTC_RCVBUF says
    [ -n "$RTC_RCVBUF" ] && echo "--rcvbuf $RTC_RCVBUF"
}

# measure (same arguments) with the UDP drops counted around it into UDP_NOTE: Udp
# RcvbufErrors host-wide (so the lead's or anyone's traffic on this host counts too), and
# of them the drops of the server's WebRTC socket; the rest are the bench's sockets'.
measure_udp() {
    local e0 s0 e1 s1 w0 w1
    e0=$(udp_rcvbuf_errors) s0=$(udp_sock_drops "$RTC_PORT") w0=$(run_wait_s "$SRV_PID")
    measure "$@"
    e1=$(udp_rcvbuf_errors) s1=$(udp_sock_drops "$RTC_PORT") w1=$(run_wait_s "$SRV_PID")
    UDP_NOTE="UDP RcvbufErrors +$((e1 - e0)) during the run, +$((s1 - s0)) of them at the server's socket;\
 the server waited $(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.1f", b - a }') s for its CPU (other work on it)"
}

# WHEP players of the ~1 Mbit/s stream, then RTMP players of the same stream on the same
# server (so CPU-s/Gbit compare like for like), and the SRTP floor: what libsrtp's protect
# alone costs per Gbit of 1200-byte packets, the work every WebRTC player adds.
run_rtc() {
    local n=$NRTCPLAY
    [ "$n" -gt 0 ] || return 0
    start_strand off rtc || return
    start_publisher "$INPUT_1M"
    measure_udp strand whep "$n" whep-play -u "http://127.0.0.1:$HTTP_PORT/rtc/v1/whep/?app=live&stream=bench" \
        -n "$n" $(rtc_rcvbuf_opt)
    local udp=$UDP_NOTE out=$OUT/run-strand-whep-$n.out
    measure strand rtmp-1m "$n" rtmp-play -u "rtmp://127.0.0.1:$RTMP_PORT/live/bench" -n "$n"
    stop_pid "$PUB_PID"
    stop_pid "$SRV_PID"
    taskset -c "$SRV_CPU" "$BENCH" srtp-floor -d 1 --json >"$OUT/srtp-floor.out" 2>&1
    local w r gcm cm
    w=$(row_field whep "$n" 8) r=$(row_field rtmp-1m "$n" 8)
    gcm=$(grep AEAD_AES_128_GCM "$OUT/srtp-floor.out" | sed -n 's/.*"cpu_s_per_gbit":\([0-9.]*\).*/\1/p')
    cm=$(grep AES128_CM_SHA1_80 "$OUT/srtp-floor.out" | sed -n 's/.*"cpu_s_per_gbit":\([0-9.]*\).*/\1/p')
    [ -n "$w" ] && [ -n "$r" ] || return 0
    echo "- whep fan-out at N=$n (~$(($(stat -c %s "$INPUT_1M") * 8 / 60 / 1000)) kbit/s, no B-frames): $w CPU-s/Gbit" \
        "against RTMP's $r for the same stream," \
        "$(awk -v a="$w" -v b="$r" 'BEGIN { printf (b > 0 ? "%.1f" : "-"), a / b }')x;" \
        "the SRTP floor (libsrtp protect alone, 1200-byte packets, strand_bench srtp-floor):" \
        "${gcm:--} CPU-s/Gbit with AEAD_AES_128_GCM (what the server prefers), ${cm:--} with AES128_CM_SHA1_80;" \
        "handshakes p50/p99/max $(json_get "$out" handshake_p50_ms)/$(json_get "$out" handshake_p99_ms)/$(json_get \
            "$out" handshake_max_ms) ms; $(json_get "$out" lost) of $(json_get "$out" packets) RTP packets lost" \
        "(sequence gaps) with the players' receive buffers at ${RTC_RCVBUF:-2097152} bytes; $udp;" \
        "strand_bench took $(load_pct "$out")" |
        tee -a "$NOTES" >&2
}

rtc_ingest_check() { ingest_check rtcpub "$NRTCPUB" "$RTC_CHECK"; }

# WHIP publishers (strand_bench whip-publish) of input-1m.flv's H.264 and Opus silence,
# each its own stream, into the server with rtc_to_rtmp (Opus becomes AAC, the streams
# reach the hub): the server's CPU per ingested Gbit (RTP payload), RTMP players on a few
# of the streams (frames %, e2e from the publishers' SEI stamps), and the API's view of
# every stream.
run_rtc_ingest() {
    local n=$NRTCPUB k=$RTC_CHECK
    [ "$n" -gt 0 ] || return 0
    start_strand off rtc || return
    rm -f "$OUT"/rtcpub-api-*.json "$OUT/rtcpub-check.out"
    SIDE=rtc_ingest_check FRAMES_FILE=$OUT/rtcpub-check.out measure_udp strand whip "$n" whip-publish \
        -u "http://127.0.0.1:$HTTP_PORT/rtc/v1/whip/?app=live&stream=rtcpub" -n "$n" -i "$INPUT_1M" $(rtc_rcvbuf_opt)
    stop_pid "$SRV_PID"
    local cpu gbit out=$OUT/run-strand-whip-$n.out chk=$OUT/rtcpub-check.out
    cpu=$(row_field whip "$n" 6) gbit=$(row_field whip "$n" 8)
    [ -n "$cpu" ] || return 0
    [ "$k" -gt "$n" ] && k=$n
    echo "- whip ingest: $n publishers ($(json_get "$out" ok) connected, $(json_get "$out" failed) failed) of" \
        "~$(($(stat -c %s "$INPUT_1M") * 8 / 60 / 1000)) kbit/s H.264 + Opus sent $(json_get "$out" mbps) Mbit/s" \
        "($(json_get "$out" packets) RTP packets); the server took $cpu% of its core," \
        "$(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.2f", c / n }')% per stream, $gbit CPU-s per ingested Gbit;" \
        "handshakes p50/p99/max $(json_get "$out" handshake_p50_ms)/$(json_get "$out" handshake_p99_ms)/$(json_get \
            "$out" handshake_max_ms) ms; strand_bench took $(load_pct "$out"); RTCP in: $(json_get "$out" plis) PLIs, $(json_get "$out" nacked) NACKed ($(json_get "$out" resent) resent);" \
        "$(ingest_summary rtcpub "$n"); RTMP players of $k of them: frames % min/median" \
        "$(json_get "$chk" frames_pct_min)/$(json_get "$chk" frames_pct_median), e2e p50/p99" \
        "$(json_get "$chk" e2e_p50_ms)/$(json_get "$chk" e2e_p99_ms) ms; $UDP_NOTE" | tee -a "$NOTES" >&2
}

# ---- HLS (Strand, and nginx for the one segment) ----
wait_segments() { # $1 playlist file, $2 count: until it lists that many segments (30 s)
    for _ in $(seq 300); do
        [ "$(grep -c '^[^#]' "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
        sleep 0.1
    done
    log "$1 did not reach $2 segments"
    return 1
}

# wrk on the load CPU against $2 for HLS_SECS, around the server's CPU time; appends a
# row for server $1 (segment of $3 bytes) to HLS_ROWS and prints "requests cpu_s".
wrk_segment() {
    local server=$1 url=$2 size=$3 out=$OUT/wrk-$1.txt c0 c1 t0 t1
    t0=$(date +%s.%N) c0=$(cpu_ticks "$SRV_PID")
    taskset -c "$LOAD_CPU" wrk -t1 -c"$HLS_CONNS" -d"${HLS_SECS}s" "$url" >"$out" 2>&1
    t1=$(date +%s.%N) c1=$(cpu_ticks "$SRV_PID")
    local reqs errs
    reqs=$(awk '/requests in/ { print $1 }' "$out")
    errs=$(awk '/Non-2xx/ { e += $NF } /Socket errors/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 } END { print e + 0 }' "$out")
    if [ -z "$reqs" ]; then
        log "no report from wrk in $out"
        return 1
    fi
    awk -v s="$server" -v r="$reqs" -v e="$errs" -v b="$size" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" \
        -v hz="$CLK_TCK" -v secs="$HLS_SECS" 'BEGIN {
        cpu = (c1 - c0) / hz; wall = t1 - t0;
        printf "| %s | %d | %d | %.0f | %.1f | %.2f | %.0f | %.0f | %d |\n", s, b, r, r / secs, r * b / secs / 1e6,
            cpu, 100 * cpu / wall, (cpu > 0 ? r / cpu : 0), e
    }' | tee -a "$HLS_ROWS" >&2
}

# One live segment to wrk's clients: Strand serving it from memory while ffmpeg keeps
# publishing (an unpublish drops the memory copies), then nginx serving a copy of it.
run_hls_segment() {
    local seg=$OUT/hls-segment.ts root=$OUT/nginx-hls size
    start_strand off hls || return
    taskset -c "$LOAD_CPU" ffmpeg -hide_banner -nostdin -loglevel error -re -stream_loop -1 -i "$INPUT_TS" -c copy \
        -f flv "rtmp://127.0.0.1:$RTMP_PORT/live/seg" >"$OUT/ffmpeg-hls.out" 2>&1 &
    local ff_pid=$!
    PIDS="$PIDS $ff_pid"
    # the second segment: the first may start off the GOP grid; the window keeps it
    if wait_segments "$OUT/html/live/seg.m3u8" 3; then
        cp "$OUT/html/live/seg-1.ts" "$seg"
        size=$(stat -c %s "$seg")
        log "hls segment: $size bytes; wrk -c$HLS_CONNS for $HLS_SECS s against strand, then nginx"
        wrk_segment strand "http://127.0.0.1:$HTTP_PORT/live/seg-1.ts" "$size"
    fi
    stop_pid "$ff_pid"
    stop_pid "$SRV_PID"
    [ -s "$seg" ] || return 0
    mkdir -p "$root/html/live" "$root/tmp"
    cp "$seg" "$root/html/live/seg-1.ts"
    local port
    port=$(free_port)
    sed -e "s|@PREFIX@|$root|g" -e "s|@PORT@|$port|" -e "s|@CONNS@|20000|" -e "s|@NOFILE@|40000|" \
        3rdparty/bench/nginx-hls.conf.in >"$root/nginx.conf"
    taskset -c "$SRV_CPU" nginx -p "$root/" -e "$root/error.log" -c "$root/nginx.conf" >>"$root/stdout" 2>&1 &
    SRV_PID=$!
    PIDS="$PIDS $SRV_PID"
    wait_port "$port" && wrk_segment nginx "http://127.0.0.1:$port/live/seg-1.ts" "$size"
    stop_pid "$SRV_PID"
    awk -F'|' '{ for (i = 2; i <= NF; i++) gsub(/^ +| +$/, "", $i) } $2 == "strand" { rs = $5; cs = $9 }
        $2 == "nginx" { rn = $5; cn = $9 }
        END { if (rs > 0 && rn > 0 && cn > 0)
            printf "- hls segment: Strand/nginx %.2f in requests/s, %.2f in requests per CPU-second\n", rs / rn, cs / cn }' \
        "$HLS_ROWS" | tee -a "$NOTES" >&2
}

# HLS viewers of the RTMP bench publisher's stream, next to RTMP players at the same N.
run_hls_viewers() {
    [ "$NHLS" -gt 0 ] || return 0
    local SECS=$HLS_SECS # measure's run time (dynamic scope)
    start_strand off hls || return
    start_publisher
    if wait_segments "$OUT/html/live/bench.m3u8" 3; then
        measure strand hls "$NHLS" hls-play -u "http://127.0.0.1:$HTTP_PORT/live/bench.m3u8" -n "$NHLS"
    fi
    stop_pid "$PUB_PID"
    stop_pid "$SRV_PID"
    local out=$OUT/run-strand-hls-$NHLS.out
    [ -s "$out" ] || return 0
    compare_rtmp hls "$NHLS" "; segment fetch p50/p99 $(json_get "$out" fetch_p50_ms)/$(json_get "$out" fetch_p99_ms) ms,\
 $(json_get "$out" segments) segments, $(json_get "$out" playlists) playlists, $(json_get "$out" errors) errors\
 ($(json_get "$out" skipped) segments skipped)"
}

run_hls() {
    [ "$DO_HLS" != 0 ] || return 0
    run_hls_segment
    run_hls_viewers
}

# ---- one server through every run ----
run_server() { # $1 = strand | strand-minlat | nginx | floor
    local s=$1 n
    for n in $NS; do
        case $s in
        floor)
            start_floor "$n" || continue
            measure floor tcp "$n" tcp-read -u "tcp://127.0.0.1:$RTMP_PORT" -n "$n"
            continue
            ;;
        strand) start_strand off || continue ;;
        strand-minlat) start_strand on || continue ;;
        nginx) start_nginx || continue ;;
        esac
        start_publisher
        measure "$s" rtmp "$n" rtmp-play -u "rtmp://127.0.0.1:$RTMP_PORT/live/bench" -n "$n"
        if [ -n "$HTTP_PORT" ] && [ "$DO_FLV" != 0 ]; then
            measure "$s" flv "$n" flv-play -u "http://127.0.0.1:$HTTP_PORT/live/bench.flv" -n "$n"
        fi
        stop_pid "$PUB_PID"
        stop_pid "$SRV_PID"
    done
    if [ "$s" = strand ] && [ "$BIG_N" -gt 0 ]; then
        start_strand off && start_publisher "$INPUT_BIG" &&
            measure "$s" rtmp-250k "$BIG_N" rtmp-play -u "rtmp://127.0.0.1:$RTMP_PORT/live/bench" -n "$BIG_N"
        stop_pid "$PUB_PID"
        stop_pid "$SRV_PID"
    fi
    if [ "$s" = strand ]; then
        run_srt_publish
        run_proto_play srt srt-play "srt://127.0.0.1:PORT/live/bench" "$NSRTPLAY"
        run_proto_play rtsp rtsp-play "rtsp://127.0.0.1:PORT/live/bench" "$NRTSPPLAY"
        run_rtc
        run_rtc_ingest
    fi
    if [ "$s" = floor ]; then
        run_srt_floor
    fi
    if [ "$s" != floor ] && [ "$NPUB" -gt 0 ]; then
        case $s in
        strand) start_strand off ;;
        strand-minlat) start_strand on ;;
        nginx) start_nginx ;;
        esac || return
        measure "$s" publish "$NPUB" rtmp-publish -u "rtmp://127.0.0.1:$RTMP_PORT/live/pub" -n "$NPUB" -i "$INPUT"
        stop_pid "$SRV_PID"
    fi
}

write_report() {
    local model cores notes=""
    # the hand-written analysis below the table survives a rerun
    [ -f "$REPORT" ] && notes=$(sed -n '/^## Analysis/,$p' "$REPORT")
    model=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
    cores=$(nproc)
    {
        echo "# Performance"
        echo
        echo "Generated by \`make bench\` (scripts/bench.sh); measurements, not pass/fail."
        echo
        echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "- Machine: $model, $cores CPUs; $(uname -sr)"
        echo "- Server pinned to CPU $SRV_CPU, load (strand_bench) to CPU $LOAD_CPU"
        echo "- Stream: $(basename "$INPUT"), H.264+AAC, ~$RATE_KBPS kbit/s, GOP 50 at 25 fps"
        echo "- Runs: N = $NS players, $SECS s each (ramp $RAMP/s included); $NPUB publishers; $BIG_N players of input-250k.flv (~$(($(stat -c %s "$INPUT_BIG" 2>/dev/null || echo 0) * 8 / 60 / 1000)) kbit/s)"
        [ "$NRTCPUB" -gt 0 ] && echo "- WebRTC ingest (\`whip\`): $NRTCPUB WHIP publishers (strand_bench whip-publish: input-1m.flv's H.264 packetized by our packetizer, a 20 ms Opus silence frame every 20 ms, ICE, DTLS, SRTP) each on its own stream, rtc_to_rtmp on; Mbit/s and CPU-s/Gbit count the RTP payload sent; frames % is that of RTMP players of the first BENCH_RTC_CHECK streams"
        [ "$NRTCPLAY" -gt 0 ] && echo "- WebRTC: $NRTCPLAY WHEP players (strand_bench whep-play: ICE, DTLS, SRTP, H.264 depacketized by our depacketizer) of input-1m.flv (H.264 baseline + AAC, published over RTMP, rtmp_to_rtc), then as many RTMP players of it (\`rtmp-1m\`); the SRTP floor in the notes"
        [ "$NRTSPPLAY" -gt 0 ] && echo "- RTSP: $NRTSPPLAY players over TCP interleaved (strand_bench rtsp-play: H.264 depacketized by our depacketizer) of the RTMP-published stream"
        [ $((NSRTPUB + NSRTPLAY)) -gt 0 ] && echo "- SRT (libsrt $(srt_version), default 120 ms latency): $NSRTPUB publishers of input-2m.ts (~$RATE_TS_KBPS kbit/s, 1316-byte messages paced by its PCR); $NSRTPLAY players of the RTMP-published stream"
        echo "- Strand: mw_latency $MW_MS ms (\`strand\` = min_latency off, \`strand-minlat\` = on);" \
            "nginx: $(nginx -v 2>&1 | sed 's/.*: //') with libnginx-mod-rtmp, one process;" \
            "floor: \`strand_bench floor\` at $RATE_KBPS kbit/s, batch $MW_MS ms;" \
            "floor srt: \`strand_bench srt-floor\`, libsrt alone sending input.ts (input.flv remuxed) to the SRT players"
        echo
        echo "Columns: conns = ok/failed/closed early; Mbit/s delivered to (or, for publish, sent by) the load;"
        echo "CPU% and peak RSS of the server process; CPU-s/Gbit = server CPU seconds per Gbit delivered;"
        echo "kbps = per-connection min/median; frames % = video frames received of those the connection's"
        echo "timeline spans, min/median over connections (a server-side drop is a gap);"
        echo "drops = strand_consumer_dropped_total (floor: ring overruns);"
        echo "first keyframe and e2e latency in ms (p50/p99); -1 = not measured."
        echo "SRT: \`srt\` = SRT players (Mbit/s counts the TS they receive, frames and latency from our TS"
        echo "demuxer); \`srt-publish\` = SRT publishers, whose frames % is that of RTMP players of the first"
        echo "BENCH_SRT_CHECK streams (the notes below the table give the server's view of every stream)."
        echo "HLS: \`hls\` = HLS viewers (strand_bench hls-play, like hls.js: keep-alive, three segments back"
        echo "from the live edge, then each new segment once, the playlist every half target duration); their"
        echo "first keyframe is the first whole segment; segments are counted as bytes (no frames, no e2e)."
        echo
        echo "| server | mode | N | conns | Mbit/s | CPU% | peak RSS MB | CPU-s/Gbit | kbps | frames % | drops | first keyframe ms | e2e ms |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        cat "$ROWS"
        if [ -s "$HLS_ROWS" ]; then
            echo
            echo "HLS segment serving: one $(awk -F'|' 'NR == 1 { gsub(/ /, "", $3); print $3 }' "$HLS_ROWS")-byte"
            echo "segment Strand's HLS sink wrote, to wrk -t1 -c$HLS_CONNS (keep-alive) for $HLS_SECS s on CPU $LOAD_CPU;"
            echo "Strand from memory (hls_memory_cache_mb 256, ffmpeg still publishing the stream),"
            echo "nginx from a copy of the file (sendfile, tcp_nopush, keepalive_requests 100000, one worker)."
            echo
            echo "| server | segment bytes | requests | requests/s | MB/s | CPU s | CPU% | requests per CPU-s | errors |"
            echo "|---|---|---|---|---|---|---|---|---|"
            cat "$HLS_ROWS"
        fi
        if [ -s "$NOTES" ]; then
            echo
            echo "Notes from this run:"
            echo
            cat "$NOTES"
        fi
        if [ -n "$notes" ]; then
            echo
            echo "$notes"
        fi
    } >"$REPORT"
    log "wrote $REPORT"
}

main() {
    prepare
    : >"$ROWS"
    : >"$NOTES"
    : >"$HLS_ROWS"
    log "servers: $SERVERS; N: $NS; $SECS s per run; stream $RATE_KBPS kbit/s"
    echo "| server | mode | N | conns | Mbit/s | CPU% | peak RSS MB | CPU-s/Gbit | kbps | frames % | drops | first keyframe ms | e2e ms |"
    for s in $SERVERS; do
        run_server "$s"
    done
    run_hls
    write_report
}

main "$@"
