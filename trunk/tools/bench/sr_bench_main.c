/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_main.c: main() of objs/strand_bench, the load generator. Parses the
 * subcommand and its options, raises the open-file limit, starts the connections at
 * the ramp rate, runs for the duration (or until SIGINT/SIGTERM), stops every
 * connection and prints the report. The floor server has its own loop
 * (sr_bench_floor.c). Also the helpers every mode shares: connecting (TCP, SRT), the
 * stream name of connection i, reading an input file.
 *
 * Not for: protocol work (sr_bench_rtmp.c, sr_bench_flv.c, sr_bench_publish.c,
 * sr_bench_srt_*.c) or the numbers (sr_bench_report.c).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_bench_rtc.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_srt.h"

uint8_t sr_bench_scratch[SR_BENCH_SCRATCH_BYTES];

static volatile int sr_bench_stop;

static void sr_bench_on_signal(int signo)
{
    (void)signo;
    sr_bench_stop = 1;
}

static void sr_bench_usage(void)
{
    fprintf(stderr,
            "usage: strand_bench MODE [options]\n"
            "  rtmp-play    -u rtmp://host:port/app/stream -n N   RTMP players\n"
            "  flv-play     -u http://host:port/app/stream.flv -n N   HTTP-FLV players\n"
            "  tcp-read     -u tcp://host:port -n N               raw TCP readers (for floor)\n"
            "  rtmp-publish -u rtmp://host:port/app/stream -n N -i file.flv\n"
            "               N publishers (stream_0..stream_N-1 when N > 1), real time, looped\n"
            "  srt-play     -u srt://host:port/app/stream -n N    SRT players (m=request), TS demuxed\n"
            "  rtsp-play    -u rtsp://host:port/app/stream -n N   RTSP players, TCP interleaved, H.264 depacketized\n"
            "  whep-play    -u http://host:port/rtc/v1/whep/?app=A&stream=S -n N   WebRTC players (WHEP)\n"
            "  whip-publish -u http://host:port/rtc/v1/whip/?app=A&stream=S -n N -i file.flv\n"
            "               N WebRTC publishers (WHIP; S_0..S_N-1 when N > 1): the file's H.264 in real time,\n"
            "               looped, and a 20 ms Opus silence frame every 20 ms"
            "  hls-play     -u http://host:port/app/stream.m3u8 -n N   HLS viewers (like hls.js: keep-alive,\n"
            "               each new segment once, playlist every half target duration)\n"
            "  srt-publish  -u srt://host:port/app/stream -n N -i file.ts\n"
            "               N SRT publishers (names as rtmp-publish), paced by the file's PCR, looped\n"
            "  floor        -p PORT [-n N] --rate KBPS --batch-ms MS   the yardstick server\n"
            "  srtp-floor   [-d SECONDS]                          libsrtp protect alone: CPU-s per Gbit\n"
            "  srt-floor    -p PORT [-n N] -i file.ts             the SRT yardstick: libsrt alone sends the file\n"
            "options:\n"
            "  -n N            connections (default 1)\n"
            "  --ramp R        new connections per second (default 500)\n"
            "  -d SECONDS      run time including the ramp (default 30; 0 = until ctrl-C)\n"
            "  --timeout S     timeout of every socket operation (default 10)\n"
            "  --warmup S      e2e latency ignores each player's first S seconds (default 1)\n"
            "  --streams K     connection i uses stream_<i mod K> (rtmp-play, flv-play: NAME_<i mod K>.flv,\n"
            "                  srt-play; publishers: K = N)\n"
            "  --rcvbuf BYTES  UDP receive buffer of whep-play and whip-publish (default 2 MiB; 0 = the\n"
            "                  kernel's default)\n"
            "  --simple        simple RTMP handshake (default: complex)\n"
            "  --json          also print one JSON line\n");
}

enum {
    SR_BENCH_OPT_RAMP = 256,
    SR_BENCH_OPT_TIMEOUT,
    SR_BENCH_OPT_WARMUP,
    SR_BENCH_OPT_RATE,
    SR_BENCH_OPT_BATCH,
    SR_BENCH_OPT_STREAMS,
    SR_BENCH_OPT_RCVBUF,
};

static const struct option sr_bench_long_opts[] = {
    {"ramp", required_argument, NULL, SR_BENCH_OPT_RAMP},
    {"timeout", required_argument, NULL, SR_BENCH_OPT_TIMEOUT},
    {"warmup", required_argument, NULL, SR_BENCH_OPT_WARMUP},
    {"rate", required_argument, NULL, SR_BENCH_OPT_RATE},
    {"batch-ms", required_argument, NULL, SR_BENCH_OPT_BATCH},
    {"streams", required_argument, NULL, SR_BENCH_OPT_STREAMS},
    {"rcvbuf", required_argument, NULL, SR_BENCH_OPT_RCVBUF},
    {"simple", no_argument, NULL, 's'},
    {"json", no_argument, NULL, 'j'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Apply one option; false on an unknown one. */
static bool sr_bench_apply_opt(sr_bench_opts_t *o, int ch, const char *arg)
{
    switch (ch) {
    case 'u':
        o->url = arg;
        break;
    case 'n':
        o->n = atoi(arg);
        break;
    case 'd':
        o->duration_s = atof(arg);
        break;
    case 'i':
        o->input = arg;
        break;
    case 'p':
        o->port = atoi(arg);
        break;
    case 's':
        o->is_simple = true;
        break;
    case 'j':
        o->is_json = true;
        break;
    case SR_BENCH_OPT_RAMP:
        o->ramp_per_s = atof(arg);
        break;
    case SR_BENCH_OPT_TIMEOUT:
        o->timeout_us = (sr_utime_t)(atof(arg) * 1e6);
        break;
    case SR_BENCH_OPT_WARMUP:
        o->warmup_s = atof(arg);
        break;
    case SR_BENCH_OPT_RATE:
        o->rate_kbps = atoi(arg);
        break;
    case SR_BENCH_OPT_BATCH:
        o->batch_ms = atoi(arg);
        break;
    case SR_BENCH_OPT_STREAMS:
        o->streams = atoi(arg);
        break;
    case SR_BENCH_OPT_RCVBUF:
        o->rcvbuf_bytes = atoi(arg);
        break;
    default:
        return false;
    }
    return true;
}

/* Split an rtmp URL path "app/stream?q" into app and stream. */
static int sr_bench_split_path(sr_bench_opts_t *o)
{
    const char *slash = strchr(o->target.path, '/');
    if (slash == NULL) {
        snprintf(o->app, sizeof(o->app), "%s", o->target.path);
        o->stream[0] = '\0';
    } else {
        snprintf(o->app, sizeof(o->app), "%.*s", (int)(slash - o->target.path), o->target.path);
        snprintf(o->stream, sizeof(o->stream), "%s", slash + 1);
    }
    if (o->target.query[0]) {
        size_t len = strlen(o->stream);
        snprintf(o->stream + len, sizeof(o->stream) - len, "?%s", o->target.query);
    }
    return SR_OK;
}

static int sr_bench_parse_args(int argc, char **argv, sr_bench_opts_t *o)
{
    int ch;
    memset(o, 0, sizeof(*o));
    o->n = 1;
    o->ramp_per_s = 500;
    o->duration_s = 30;
    o->warmup_s = 1;
    o->timeout_us = 10 * SR_UTIME_S;
    o->rate_kbps = 500;
    o->batch_ms = 350;
    o->rcvbuf_bytes = SR_BENCH_RTC_RCVBUF_BYTES;
    if (argc < 2 || argv[1][0] == '-') {
        return -SR_EINVAL;
    }
    o->mode = argv[1];
    optind = 2;
    while ((ch = getopt_long(argc, argv, "u:n:d:i:p:sjh", sr_bench_long_opts, NULL)) != -1) {
        if (!sr_bench_apply_opt(o, ch, optarg)) {
            return -SR_EINVAL;
        }
    }
    if (o->n < 1 || o->ramp_per_s <= 0 || o->streams < 0 || o->rcvbuf_bytes < 0) {
        return -SR_EINVAL;
    }
    if (o->streams == 0 && strstr(o->mode, "-publish") != NULL) {
        o->streams = o->n; /* every publisher its own stream */
    }
    if (strcmp(o->mode, "srtp-floor") == 0) {
        return SR_OK;
    }
    if (strcmp(o->mode, "floor") == 0 || strcmp(o->mode, "srt-floor") == 0) {
        return o->port > 0 ? SR_OK : -SR_EINVAL;
    }
    if (o->url == NULL || sr_url_parse(o->url, &o->target) != SR_OK) {
        return -SR_EINVAL;
    }
    if (o->target.port == 0) {
        o->target.port = strcmp(o->target.scheme, "rtmp") == 0  ? 1935
                         : strcmp(o->target.scheme, "srt") == 0 ? 10080
                                                                : 80;
    }
    return sr_bench_split_path(o);
}

/* ---- helpers shared by the modes ---- */

int sr_bench_connect(const sr_bench_opts_t *opts, sr_sock_t **out)
{
    int rc = sr_sock_connect_tcp(opts->target.host, opts->target.port, opts->timeout_us, out);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "connect %s:%d", opts->target.host, opts->target.port);
    }
    sr_sock_set_timeouts(*out, opts->timeout_us, opts->timeout_us);
    sr_sock_set_nodelay(*out, true);
    return SR_OK;
}

int sr_bench_srt_connect(const sr_bench_conn_t *c, const char *mode, sr_srt_sock_t **out)
{
    const sr_bench_opts_t *o = c->opts;
    sr_srt_opts_t so;
    char name[sizeof(o->stream) + 16];
    memset(&so, 0, sizeof(so));
    so.connect_ms = (int)(o->timeout_us / SR_UTIME_MS); /* libsrt's own default gives up after 3 s */
    sr_bench_stream_name(o, c->index, name, sizeof(name));
    int len = snprintf(so.streamid, sizeof(so.streamid), "#!::r=%s/%s,m=%s", o->app, name, mode);
    if (len < 0 || (size_t)len >= sizeof(so.streamid)) {
        return sr_err_new(SR_EINVAL, "stream id too long");
    }
    int rc = sr_srt_connect(o->target.host, o->target.port, &so, o->timeout_us, out);
    return rc == SR_OK ? SR_OK : sr_err_wrap(rc, "srt %s:%d %s", o->target.host, o->target.port, so.streamid);
}

void sr_bench_stream_name(const sr_bench_opts_t *o, int index, char *out, size_t size)
{
    if (o->streams <= 1) {
        snprintf(out, size, "%s", o->stream);
        return;
    }
    const char *q = strchr(o->stream, '?');
    int name_len = q ? (int)(q - o->stream) : (int)strlen(o->stream);
    snprintf(out, size, "%.*s_%d%s", name_len, o->stream, index % o->streams, q ? q : "");
}

int sr_bench_read_file(const char *path, uint8_t **data, size_t *size)
{
    /* before any coroutine runs, so blocking file IO is fine */
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        return sr_err_new(SR_EFILE_OPEN, "open %s", path);
    }
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    *data = sr_malloc(len > 0 ? (size_t)len : 1);
    *size = len > 0 ? fread(*data, 1, (size_t)len, fp) : 0;
    fclose(fp);
    if (len <= 0 || *size != (size_t)len) {
        sr_free(*data);
        *data = NULL;
        return sr_err_new(SR_EFILE_READ, "read %s", path);
    }
    return SR_OK;
}

static int sr_bench_failures_logged;

void sr_bench_conn_end(sr_bench_conn_t *c, int rc)
{
    c->end_us = sr_time_mono_us();
    if (sr_err_is_interrupted(rc)) {
        return; /* the run ended: the state stays as it was */
    }
    c->err = rc;
    c->state = c->state == SR_BENCH_RUNNING ? SR_BENCH_CLOSED : SR_BENCH_FAILED;
    if (sr_bench_failures_logged < 5) {
        sr_bench_failures_logged++;
        fprintf(stderr, "strand_bench: connection %d ended: %s %s\n", c->index, sr_err_name(rc), sr_err_trail());
    }
}

/* ---- the run ---- */

static sr_co_fn sr_bench_cycle_of(const char *mode)
{
    static const struct {
        const char *name;
        sr_co_fn fn;
    } table[] = {
        {"rtmp-play", sr_bench_rtmp_play_cycle}, {"flv-play", sr_bench_flv_play_cycle},
        {"tcp-read", sr_bench_tcp_read_cycle},   {"rtmp-publish", sr_bench_publish_cycle},
        {"srt-play", sr_bench_srt_play_cycle},   {"srt-publish", sr_bench_srt_publish_cycle},
        {"rtsp-play", sr_bench_rtsp_play_cycle}, {"hls-play", sr_bench_hls_play_cycle},
        {"whep-play", sr_bench_whep_play_cycle}, {"whip-publish", sr_bench_whip_publish_cycle},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(table[i].name, mode) == 0) {
            return table[i].fn;
        }
    }
    return NULL;
}

/* Sleep in short steps until deadline (monotonic) or a stop signal. */
static void sr_bench_wait_until(sr_utime_t deadline)
{
    sr_utime_t now;
    while (!sr_bench_stop && (now = sr_time_mono_us()) < deadline) {
        sr_utime_t left = deadline - now;
        sr_usleep(left < 100 * SR_UTIME_MS ? left : 100 * SR_UTIME_MS);
    }
}

static int sr_bench_run(const sr_bench_opts_t *o, sr_co_fn fn)
{
    sr_bench_conn_t *conns = sr_calloc((size_t)o->n, sizeof(sr_bench_conn_t));
    sr_utime_t t0 = sr_time_mono_us();
    sr_utime_t end = o->duration_s > 0 ? t0 + (sr_utime_t)(o->duration_s * 1e6) : (sr_utime_t)-1;
    int started = 0;
    for (; started < o->n && !sr_bench_stop && sr_time_mono_us() < end; started++) {
        sr_bench_conn_t *c = &conns[started];
        c->opts = o;
        c->index = started;
        c->state = SR_BENCH_CONNECTING;
        c->start_us = sr_time_mono_us();
        c->co = sr_co_start(fn, c, "");
        sr_bench_wait_until(t0 + (sr_utime_t)((double)(started + 1) * 1e6 / o->ramp_per_s));
    }
    sr_bench_wait_until(end);
    sr_utime_t stop_at = sr_time_mono_us();
    for (int i = 0; i < started; i++) {
        sr_co_stop(conns[i].co);
        if (conns[i].state == SR_BENCH_RUNNING || conns[i].state == SR_BENCH_CONNECTING) {
            conns[i].end_us = stop_at;
        }
    }
    sr_bench_report_print(o, conns, o->n, stop_at - t0);
    sr_free(conns);
    return 0;
}

/* Raise the open-file limit to the hard limit: thousands of sockets. */
static void sr_bench_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    sr_bench_opts_t opts;
    if (sr_bench_parse_args(argc, argv, &opts) != SR_OK) {
        sr_bench_usage();
        return 2;
    }
    sr_log_set_level(SR_LOG_WARN);
    sr_bench_raise_nofile();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, sr_bench_on_signal);
    signal(SIGTERM, sr_bench_on_signal);
    if (strcmp(opts.mode, "floor") == 0) {
        return sr_bench_floor_run(&opts, &sr_bench_stop);
    }
    if (strcmp(opts.mode, "srt-floor") == 0) {
        return sr_bench_srt_floor_run(&opts, &sr_bench_stop);
    }
    if (strcmp(opts.mode, "srtp-floor") == 0) {
        return sr_bench_srtp_floor_run(&opts);
    }
    sr_co_fn fn = sr_bench_cycle_of(opts.mode);
    if (fn == NULL) {
        sr_bench_usage();
        return 2;
    }
    if (sr_st_init() != SR_OK) {
        fprintf(stderr, "strand_bench: state-threads init failed: %s\n", sr_err_trail());
        return 1;
    }
    if ((size_t)sr_st_fd_limit() < (size_t)opts.n + 16) {
        fprintf(stderr, "strand_bench: warning: fd limit %d < %d connections (ulimit -n)\n", sr_st_fd_limit(), opts.n);
    }
    int rc = SR_OK;
    if (strcmp(opts.mode, "rtmp-publish") == 0) {
        rc = sr_bench_publish_load(&opts);
    } else if (strcmp(opts.mode, "whip-publish") == 0) {
        rc = sr_bench_publish_load(&opts);
        rc = rc ? rc : sr_bench_whip_publish_load();
        rc = rc ? rc : sr_bench_rtc_load();
    } else if (strcmp(opts.mode, "whep-play") == 0) {
        rc = sr_bench_rtc_load();
    } else if (strcmp(opts.mode, "srt-publish") == 0) {
        rc = sr_bench_srt_publish_load(&opts);
    }
    if (rc != SR_OK) {
        fprintf(stderr, "strand_bench: %s\n", sr_err_trail());
        return 1;
    }
    int status = sr_bench_run(&opts, fn);
    sr_srt_cleanup(); /* every SRT socket closed with its coroutine; nothing if SRT was not used */
    return status;
}
