/* SPDX-License-Identifier: MIT */
/*
 * sr_bench.h: the load generator objs/strand_bench, shared between its files. It is
 * a tool, not part of the server: players (RTMP, HTTP-FLV, SRT, RTSP, raw TCP), publishers
 * (RTMP from an FLV file, SRT from a TS file), the "floor" yardstick server, and the
 * report.
 *
 * WebRTC players (whep-play) negotiate over WHEP and receive SRTP on one UDP socket each
 * (sr_bench_whep_play.c); WebRTC publishers (whip-publish) send the FLV file's H.264 and
 * a canned Opus frame over WHIP (sr_bench_whip_publish.c); both share one transport
 * (sr_bench_rtc.c). srtp-floor times libsrtp's protect alone (sr_bench_srtp_floor.c).
 *
 * HLS viewers (hls-play) fetch a live playlist and its segments like hls.js; they count
 * bytes, segments and errors, and time each segment fetch.
 *
 * Players keep a few hundred bytes of state per connection: sockets are read into one
 * shared scratch buffer (safe because a coroutine processes what it read before it
 * yields again), and only the first SR_BENCH_HEAD bytes of each message are kept.
 * End-to-end latency rides in the video payload: the bench publisher puts an H.264 SEI
 * NAL (user data unregistered, UUID "StrandBenchStamp", then the wall-clock send time
 * in 16 hex digits) first in every AVC NALU packet, and players read it back (SRT
 * players find it in the frames their TS demuxer gives). Both ends must share one
 * clock (same host).
 */
#ifndef SR_BENCH_H
#define SR_BENCH_H

#include "sr_core.h"
#include "sr_payload.h"
#include "sr_srt.h"
#include "sr_st.h"
#include "sr_time.h"
#include "sr_url.h"

SR_BEGIN_DECLS

/* Bytes kept from the start of each message: enough for the AVC header and the stamp. */
#define SR_BENCH_HEAD 48u
/* Shared read buffer for every player coroutine. */
#define SR_BENCH_SCRATCH_BYTES (256 * 1024)
/* The stamp: AVC header (5), NAL length (4), SEI NAL of SR_BENCH_SEI_NAL_BYTES. */
#define SR_BENCH_SEI_UUID "StrandBenchStamp"
#define SR_BENCH_SEI_NAL_BYTES 36
#define SR_BENCH_SEI_UUID_AT 12
#define SR_BENCH_SEI_TIME_AT 28
/* Gap added between loops of a publisher's file, in ms. */
#define SR_BENCH_PUB_FRAME_MS 40
/* The UDP receive buffer the WebRTC modes ask for by default (--rcvbuf): the kernel's
 * default (~200 KiB) overflows when the one bench process falls behind a burst. */
#define SR_BENCH_RTC_RCVBUF_BYTES (2 * 1024 * 1024)

/* Command-line options of every subcommand. */
typedef struct sr_bench_opts {
    const char *mode;      /* rtmp-play, flv-play, srt-play, rtsp-play, hls-play, whep-play, tcp-read, rtmp-publish,
                              srt-publish, whip-publish, floor, srt-floor, srtp-floor */
    const char *url;       /* -u */
    sr_url_t target;       /* url parsed */
    char app[1024];        /* first path component (rtmp) */
    char stream[2100];     /* the rest of the path (rtmp) */
    int n;                 /* -n connections */
    int streams;           /* --streams: connection i uses stream_<i % streams> when > 1 (publishers: n) */
    double ramp_per_s;     /* --ramp new connections per second */
    double duration_s;     /* -d run time, 0 = until ctrl-C */
    double warmup_s;       /* --warmup: latency samples only after this long past the first frame */
    sr_utime_t timeout_us; /* --timeout for every socket operation */
    const char *input;     /* -i FLV file (rtmp-publish, whip-publish), TS file (srt-publish) */
    int rcvbuf_bytes;      /* --rcvbuf: UDP receive buffer of whep-play and whip-publish, 0 = kernel default */
    int port;              /* -p (floor) */
    int rate_kbps;         /* --rate (floor) */
    int batch_ms;          /* --batch-ms (floor) */
    bool is_simple;        /* --simple: simple RTMP handshake */
    bool is_json;          /* --json: one JSON line at the end */
} sr_bench_opts_t;

/* Connection states for the report. */
enum {
    SR_BENCH_PENDING = 0, /* not started (ramp interrupted) */
    SR_BENCH_CONNECTING,  /* connecting, handshake, commands */
    SR_BENCH_RUNNING,     /* media flowing */
    SR_BENCH_FAILED,      /* never got media */
    SR_BENCH_CLOSED,      /* got media, then the connection ended before the run did */
};

/* One connection's counters: small, one per connection in one array. */
typedef struct sr_bench_conn {
    const sr_bench_opts_t *opts;
    int index;
    int state;                 /* SR_BENCH_* */
    int err;                   /* last error code, 0 if none */
    uint64_t bytes;            /* payload bytes received (players) or sent (publishers) */
    uint64_t packets;          /* RTP packets received (whep-play) or sent (whip-publish) */
    uint32_t video;            /* video messages */
    uint32_t audio;            /* audio messages */
    uint32_t frames;           /* video frames (not sequence headers), for completeness */
    uint32_t lost;             /* RTP sequence gaps (whep-play video) */
    uint32_t first_frame_ts;   /* ms, RTMP/FLV timestamp of the first of them */
    uint32_t last_frame_ts;    /* ms, of the newest */
    uint32_t frame_step;       /* ms, the nominal frame interval: the majority step ... */
    uint32_t frame_step_votes; /* ... by a running majority vote (a loop seam does not win) */
    sr_utime_t start_us;       /* monotonic: the connect started */
    sr_utime_t first_media_us; /* monotonic: the first audio or video message completed, 0 if none */
    sr_utime_t first_video_us; /* monotonic: the first video keyframe (not a sequence header), 0 if none */
    sr_utime_t connected_us;   /* monotonic: ICE and DTLS done, SRTP keyed (WebRTC modes), 0 if not */
    sr_utime_t end_us;         /* monotonic: the connection ended (or the run did) */
    sr_co_t *co;
} sr_bench_conn_t;

/* The HLS viewers' counters, summed over every viewer (sr_bench_hls.c). */
typedef struct sr_bench_hls_totals {
    uint64_t playlists;  /* playlist responses with status 200 */
    uint64_t segments;   /* segments fetched whole with status 200 */
    uint64_t errors;     /* non-200 answers, socket errors, segments skipped */
    uint64_t skipped;    /* segments that left the window before the viewer fetched them */
    uint64_t reconnects; /* a reused connection the server had closed, opened again */
} sr_bench_hls_totals_t;
extern sr_bench_hls_totals_t sr_bench_hls_totals;

/* What the WHIP publishers' server said over RTCP, summed (sr_bench_whip_publish.c). */
typedef struct sr_bench_rtc_totals {
    uint64_t plis;    /* keyframe requests (PLI) received: counted, not acted on (the file loops keyframes) */
    uint64_t nacked;  /* sequence numbers NACKs asked for */
    uint64_t resent;  /* of those, sent again from the publisher's history */
    uint64_t reports; /* sender reports sent */
} sr_bench_rtc_totals_t;
extern sr_bench_rtc_totals_t sr_bench_rtc_totals;

/* ---- shared state (sr_bench_main.c) ---- */

/* The scratch buffer every player reads into. Use it only between a read and the next yield. */
extern uint8_t sr_bench_scratch[SR_BENCH_SCRATCH_BYTES];

/* ---- per-mode coroutine bodies: arg is an sr_bench_conn_t ---- */
void sr_bench_rtmp_play_cycle(void *arg);
void sr_bench_flv_play_cycle(void *arg);
void sr_bench_tcp_read_cycle(void *arg);
void sr_bench_publish_cycle(void *arg);
void sr_bench_srt_play_cycle(void *arg);
void sr_bench_srt_publish_cycle(void *arg);
void sr_bench_rtsp_play_cycle(void *arg);
void sr_bench_hls_play_cycle(void *arg);
void sr_bench_whep_play_cycle(void *arg);
void sr_bench_whip_publish_cycle(void *arg);
/* Load the FLV file of opts->input once for every publisher. Returns SR_OK or -SR_EFILE_*. */
int sr_bench_publish_load(const sr_bench_opts_t *opts);
/* One tag of that file: its body is file[offset .. offset + size). */
typedef struct sr_bench_tag {
    uint8_t type;
    uint32_t ts;
    size_t offset;
    uint32_t size;
} sr_bench_tag_t;
/* The loaded file's tags (*n of them, in file order) and its bytes in *file; both
 * live until the process ends. */
const sr_bench_tag_t *sr_bench_publish_tags(size_t *n, const uint8_t **file);
/* A copy of the AVC NALU packet body[0..size) (an FLV video tag body with 4-byte NAL
 * lengths) with the latency stamp of this file's header first; the caller owns the
 * reference. */
sr_payload_t *sr_bench_publish_stamp(const uint8_t *body, uint32_t size);
/* Get the WHIP publishers ready once the file is loaded: its AVC config. Returns
 * SR_OK or -SR_EFORMAT (no sequence header, or NAL lengths other than 4 bytes). */
int sr_bench_whip_publish_load(void);
/* Load and index the TS file of opts->input once for every SRT publisher. Returns SR_OK,
 * -SR_EFILE_* or -SR_EFORMAT (no PCRs to pace by). */
int sr_bench_srt_publish_load(const sr_bench_opts_t *opts);

/* Run the floor server until the duration ends or *stop turns true; prints its report.
 * Not on ST: a plain epoll loop. Returns a process exit code. */
int sr_bench_floor_run(const sr_bench_opts_t *opts, volatile int *stop);
/* What a floor server counted, and its report (sr_bench_floor.c): a title line, the
 * connections, what was delivered, and with --json one JSON line of mode. */
typedef struct sr_bench_floor_counts {
    int accepted, refused, closed, open;
    uint64_t sent, drops;
} sr_bench_floor_counts_t;
void sr_bench_floor_report(const sr_bench_opts_t *opts, const char *mode, const char *title,
                           const sr_bench_floor_counts_t *k, sr_utime_t elapsed_us);
/* The same for SRT (sr_bench_srt_floor.c): libsrt alone sends opts->input's TS to up to
 * opts->n callers. Not on ST either. Returns a process exit code. */
int sr_bench_srt_floor_run(const sr_bench_opts_t *opts, volatile int *stop);

/* The SRTP floor (sr_bench_srtp_floor.c): libsrtp protect alone, CPU-s per Gbit for
 * each profile. Not on ST. Returns a process exit code. */
int sr_bench_srtp_floor_run(const sr_bench_opts_t *opts);

/* ---- common socket helpers (sr_bench_main.c) ---- */

/* Connect to opts->target with the configured timeouts and TCP_NODELAY. May yield. */
int sr_bench_connect(const sr_bench_opts_t *opts, sr_sock_t **out);
/* Connect c to opts->target over SRT as a caller with the stream id
 * "#!::r=APP/NAME,m=MODE" (NAME from sr_bench_stream_name), within opts->timeout_us
 * (also libsrt's handshake timeout, SRTO_CONNTIMEO).
 * mode is "publish" or "request". May yield. */
int sr_bench_srt_connect(const sr_bench_conn_t *c, const char *mode, sr_srt_sock_t **out);
/* The stream connection index uses: opts->stream, with "_<index % streams>" before its
 * query when opts->streams > 1. */
void sr_bench_stream_name(const sr_bench_opts_t *opts, int index, char *out, size_t size);
/* Read the whole file at path into *data (sr_malloc'd, caller frees), *size its length.
 * Blocking: call before the coroutines start. Returns SR_OK or -SR_EFILE_*. */
int sr_bench_read_file(const char *path, uint8_t **data, size_t *size);
/* Mark a connection's end from the rc its cycle ended with. */
void sr_bench_conn_end(sr_bench_conn_t *c, int rc);

/* ---- statistics (sr_bench_report.c) ---- */

/* Count one complete audio (8) or video (9) message with timestamp ts (ms) whose first
 * head_len bytes are head. Reads the latency stamp of video messages. */
void sr_bench_stats_media(sr_bench_conn_t *c, uint8_t type, uint32_t ts, const uint8_t *head, size_t head_len);
/* Count one depacketized H.264 frame (RTSP and WHEP players) as sr_bench_stats_media
 * counts an FLV video tag: an AVC NALU packet header in front of its first bytes (its
 * first NAL may be the latency stamp); rtp_ts in the 90 kHz clock. */
void sr_bench_stats_h264_frame(sr_bench_conn_t *c, bool is_keyframe, const uint8_t *data, size_t size, uint32_t rtp_ts);
/* Record one end-to-end latency sample (microseconds, may be negative on clock skew). */
void sr_bench_stats_latency(int64_t us);
/* Record one HLS segment fetch time (microseconds: request written to last body byte). */
void sr_bench_stats_fetch(int64_t us);
/* Print the report of conns[0..n) over elapsed_us: a table, plus a JSON line if asked. */
void sr_bench_report_print(const sr_bench_opts_t *opts, const sr_bench_conn_t *conns, int n, sr_utime_t elapsed_us);

SR_END_DECLS

#endif
