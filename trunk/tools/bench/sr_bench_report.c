/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_report.c: what strand_bench measures and how it prints it. Counts media
 * messages per connection, reads the publisher's latency stamp out of video
 * messages into a fixed histogram (no per-sample memory), and at the end prints a
 * human table and, with --json, one JSON line for scripts.
 *
 * Not here: any socket work. The player files hand complete messages to
 * sr_bench_stats_media.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_flv.h"

/* Histogram buckets: 50 us buckets up to 100 ms, then 5 ms buckets up to ~10 s. */
#define SR_BENCH_LAT_FINE 2000
#define SR_BENCH_LAT_FINE_US 50
#define SR_BENCH_LAT_COARSE 2000
#define SR_BENCH_LAT_COARSE_US 5000
#define SR_BENCH_LAT_BUCKETS (SR_BENCH_LAT_FINE + SR_BENCH_LAT_COARSE)

/* One histogram of those buckets: e2e latency, and HLS segment fetch times. */
typedef struct sr_bench_hist {
    uint64_t bucket[SR_BENCH_LAT_BUCKETS];
    uint64_t count;
} sr_bench_hist_t;

static sr_bench_hist_t sr_bench_lat;
static sr_bench_hist_t sr_bench_fetch;

static void sr_bench_hist_add(sr_bench_hist_t *h, int64_t us)
{
    size_t i;
    if (us < 0) {
        us = 0;
    }
    if (us < (int64_t)SR_BENCH_LAT_FINE * SR_BENCH_LAT_FINE_US) {
        i = (size_t)(us / SR_BENCH_LAT_FINE_US);
    } else {
        int64_t k = (us - (int64_t)SR_BENCH_LAT_FINE * SR_BENCH_LAT_FINE_US) / SR_BENCH_LAT_COARSE_US;
        i = SR_BENCH_LAT_FINE + (size_t)(k < SR_BENCH_LAT_COARSE - 1 ? k : SR_BENCH_LAT_COARSE - 1);
    }
    h->bucket[i]++;
    h->count++;
}

void sr_bench_stats_latency(int64_t us)
{
    sr_bench_hist_add(&sr_bench_lat, us);
}

void sr_bench_stats_fetch(int64_t us)
{
    sr_bench_hist_add(&sr_bench_fetch, us);
}

/* Upper edge of bucket i in milliseconds. */
static double sr_bench_lat_bucket_ms(size_t i)
{
    if (i < SR_BENCH_LAT_FINE) {
        return (double)((i + 1) * SR_BENCH_LAT_FINE_US) / 1000.0;
    }
    return (double)(SR_BENCH_LAT_FINE * SR_BENCH_LAT_FINE_US + (i - SR_BENCH_LAT_FINE + 1) * SR_BENCH_LAT_COARSE_US) /
           1000.0;
}

/* The p-quantile (0..1) of a histogram in ms, -1 when empty. */
static double sr_bench_hist_quantile(const sr_bench_hist_t *h, double p)
{
    if (h->count == 0) {
        return -1;
    }
    uint64_t want = (uint64_t)(p * (double)h->count);
    uint64_t seen = 0;
    for (size_t i = 0; i < SR_BENCH_LAT_BUCKETS; i++) {
        seen += h->bucket[i];
        if (seen > want) {
            return sr_bench_lat_bucket_ms(i);
        }
    }
    return sr_bench_lat_bucket_ms(SR_BENCH_LAT_BUCKETS - 1);
}

/* Parse 16 hex digits; false if any is not one. */
static bool sr_bench_parse_hex64(const uint8_t *p, uint64_t *out)
{
    uint64_t v = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t ch = p[i];
        int d;
        if (ch >= '0' && ch <= '9') {
            d = ch - '0';
        } else if (ch >= 'a' && ch <= 'f') {
            d = ch - 'a' + 10;
        } else {
            return false;
        }
        v = (v << 4) | (uint64_t)d;
    }
    *out = v;
    return true;
}

/* Read the publisher's send time from an AVC NALU packet, see sr_bench.h. */
static bool sr_bench_stamp_read(const uint8_t *head, size_t head_len, int64_t *send_us)
{
    uint64_t v;
    if (head_len < SR_BENCH_SEI_TIME_AT + 16 || (head[0] & 0x0f) != 7 || head[1] != 1) {
        return false;
    }
    if (head[9] != 0x06 || head[10] != 0x05 ||
        memcmp(head + SR_BENCH_SEI_UUID_AT, SR_BENCH_SEI_UUID, strlen(SR_BENCH_SEI_UUID)) != 0) {
        return false;
    }
    if (!sr_bench_parse_hex64(head + SR_BENCH_SEI_TIME_AT, &v)) {
        return false;
    }
    *send_us = (int64_t)v;
    return true;
}

/* Frames received against frames the timeline spans: a frame the server dropped leaves
 * a gap in the timestamps, so this sees drops the per-connection counts cannot. */
static void sr_bench_stats_frame(sr_bench_conn_t *c, uint32_t ts)
{
    if (c->frames == 0) {
        c->first_frame_ts = ts;
    } else if (ts > c->last_frame_ts) {
        uint32_t step = ts - c->last_frame_ts;
        if (step == c->frame_step) {
            c->frame_step_votes++;
        } else if (c->frame_step_votes == 0) {
            c->frame_step = step;
            c->frame_step_votes = 1;
        } else {
            c->frame_step_votes--;
        }
    }
    c->last_frame_ts = ts;
    c->frames++;
}

/* Percent of the frames the connection's timeline spans that arrived; -1 if too few. */
static double sr_bench_frames_pct(const sr_bench_conn_t *c)
{
    if (c->frames < 2 || c->frame_step == 0 || c->last_frame_ts <= c->first_frame_ts) {
        return -1;
    }
    double spanned = (double)(c->last_frame_ts - c->first_frame_ts) / c->frame_step + 1;
    return SR_MIN(100.0, 100.0 * c->frames / spanned);
}

void sr_bench_stats_h264_frame(sr_bench_conn_t *c, bool is_keyframe, const uint8_t *data, size_t size, uint32_t rtp_ts)
{
    uint8_t head[SR_BENCH_HEAD];
    head[0] = is_keyframe ? 0x17 : 0x27;
    head[1] = 1; /* an AVC NALU packet */
    head[2] = head[3] = head[4] = 0;
    size_t n = SR_MIN(size, sizeof(head) - 5);
    memcpy(head + 5, data, n);
    sr_bench_stats_media(c, 9, rtp_ts / 90, head, n + 5);
}

void sr_bench_stats_media(sr_bench_conn_t *c, uint8_t type, uint32_t ts, const uint8_t *head, size_t head_len)
{
    int64_t send_us;
    sr_utime_t now = sr_time_mono_us();
    if (c->first_media_us == 0) {
        c->first_media_us = now;
        c->state = SR_BENCH_RUNNING;
    }
    if (type == 8) {
        c->audio++;
        return;
    }
    if (type != 9) {
        return;
    }
    c->video++;
    if (!sr_flv_video_is_sequence_header(head, head_len)) {
        sr_bench_stats_frame(c, ts);
    }
    /* "first keyframe" is the first one a decoder can start from */
    if (c->first_video_us == 0 && sr_flv_video_is_keyframe(head, head_len) &&
        !sr_flv_video_is_sequence_header(head, head_len)) {
        c->first_video_us = now;
    }
    /* frames of the cached GOP arrive in a burst at start: leave them out of e2e latency */
    if (now - c->first_media_us < (sr_utime_t)(c->opts->warmup_s * 1e6)) {
        return;
    }
    if (sr_bench_stamp_read(head, head_len, &send_us)) {
        sr_bench_stats_latency(sr_time_wall_us() - send_us);
    }
}

/* ==== the report ==== */

typedef struct sr_bench_summary {
    int ok, failed, closed, pending;
    uint64_t bytes;
    uint64_t lost; /* RTP packets missing from sequence gaps (whep-play) */
    double mbps;
    double kbps_min, kbps_median;
    double video_min, video_median, audio_median;
    double frames_pct_min, frames_pct_median; /* sr_bench_frames_pct over connections */
    double ff_p50, ff_p99;                    /* first video frame, ms */
    double hs_p50, hs_p99, hs_max;            /* WebRTC: ICE + DTLS done, ms after the start */
    double load_cpu_s;                        /* this process's CPU time (user + system) so far */
    double load_wait_s;                       /* its time runnable but waiting for a CPU (schedstat), -1 unknown */
    uint64_t packets;                         /* RTP packets received or sent (WebRTC) */
    double lat_p50, lat_p99;
} sr_bench_summary_t;

static int sr_bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* The p-quantile of v[0..n) after sorting it; -1 when empty. */
static double sr_bench_quantile(double *v, int n, double p)
{
    if (n == 0) {
        return -1;
    }
    qsort(v, (size_t)n, sizeof(double), sr_bench_cmp_double);
    int i = (int)(p * (double)n);
    return v[i < n ? i : n - 1];
}

static void sr_bench_count_states(const sr_bench_conn_t *conns, int n, sr_bench_summary_t *s)
{
    for (int i = 0; i < n; i++) {
        const sr_bench_conn_t *c = &conns[i];
        s->bytes += c->bytes;
        s->packets += c->packets;
        if (c->state == SR_BENCH_RUNNING) {
            s->ok++;
        } else if (c->state == SR_BENCH_CLOSED) {
            s->closed++;
        } else if (c->state == SR_BENCH_PENDING) {
            s->pending++;
        } else {
            s->failed++;
        }
    }
}

/* Seconds this process was runnable but not running (/proc/self/schedstat's second
 * field, ns): other work on the load's CPU. -1 when the kernel does not say. */
static double sr_bench_run_queue_wait_s(void)
{
    unsigned long long run_ns = 0, wait_ns = 0;
    FILE *fp = fopen("/proc/self/schedstat", "r");
    int got = fp ? fscanf(fp, "%llu %llu", &run_ns, &wait_ns) : 0;
    if (fp) {
        fclose(fp);
    }
    return got == 2 ? (double)wait_ns / 1e9 : -1;
}

static void sr_bench_summarize(const sr_bench_conn_t *conns, int n, sr_utime_t elapsed_us, sr_bench_summary_t *s)
{
    double *kbps = sr_calloc((size_t)n + 1, sizeof(double));
    double *video = sr_calloc((size_t)n + 1, sizeof(double));
    double *audio = sr_calloc((size_t)n + 1, sizeof(double));
    double *ff = sr_calloc((size_t)n + 1, sizeof(double));
    double *pct = sr_calloc((size_t)n + 1, sizeof(double));
    double *hs = sr_calloc((size_t)n + 1, sizeof(double));
    int m = 0, nff = 0, npct = 0, nhs = 0;
    memset(s, 0, sizeof(*s));
    sr_bench_count_states(conns, n, s);
    for (int i = 0; i < n; i++) {
        const sr_bench_conn_t *c = &conns[i];
        if (c->state != SR_BENCH_RUNNING && c->state != SR_BENCH_CLOSED) {
            continue;
        }
        double secs = (double)(c->end_us - c->start_us) / 1e6;
        kbps[m] = secs > 0 ? (double)c->bytes * 8 / 1000 / secs : 0;
        video[m] = c->video;
        s->lost += c->lost;
        audio[m] = c->audio;
        m++;
        if (sr_bench_frames_pct(c) >= 0) {
            pct[npct++] = sr_bench_frames_pct(c);
        }
        if (c->first_video_us) {
            ff[nff++] = (double)(c->first_video_us - c->start_us) / 1000.0;
        }
        if (c->connected_us) {
            hs[nhs++] = (double)(c->connected_us - c->start_us) / 1000.0;
        }
    }
    s->mbps = elapsed_us ? (double)s->bytes * 8 / (double)elapsed_us : 0;
    s->kbps_min = sr_bench_quantile(kbps, m, 0);
    s->kbps_median = sr_bench_quantile(kbps, m, 0.5);
    s->video_min = sr_bench_quantile(video, m, 0);
    s->video_median = sr_bench_quantile(video, m, 0.5);
    s->audio_median = sr_bench_quantile(audio, m, 0.5);
    s->frames_pct_min = sr_bench_quantile(pct, npct, 0);
    s->frames_pct_median = sr_bench_quantile(pct, npct, 0.5);
    s->ff_p50 = sr_bench_quantile(ff, nff, 0.5);
    s->ff_p99 = sr_bench_quantile(ff, nff, 0.99);
    s->hs_p50 = sr_bench_quantile(hs, nhs, 0.5);
    s->hs_p99 = sr_bench_quantile(hs, nhs, 0.99);
    s->hs_max = sr_bench_quantile(hs, nhs, 1);
    s->load_wait_s = sr_bench_run_queue_wait_s();
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        s->load_cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                        (double)ru.ru_stime.tv_usec / 1e6;
    }
    s->lat_p50 = sr_bench_hist_quantile(&sr_bench_lat, 0.5);
    s->lat_p99 = sr_bench_hist_quantile(&sr_bench_lat, 0.99);
    sr_free(kbps);
    sr_free(video);
    sr_free(audio);
    sr_free(ff);
    sr_free(pct);
    sr_free(hs);
}

static bool sr_bench_is_rtc(const sr_bench_opts_t *o)
{
    return strcmp(o->mode, "whep-play") == 0 || strcmp(o->mode, "whip-publish") == 0;
}

static void sr_bench_print_table(const sr_bench_opts_t *o, const sr_bench_summary_t *s, sr_utime_t elapsed_us)
{
    printf("strand_bench %s %s: %d connections, %.1f s\n", o->mode, o->url ? o->url : "", o->n,
           (double)elapsed_us / 1e6);
    printf("  %-28s ok %d, failed %d, closed early %d, not started %d\n", "connections", s->ok, s->failed, s->closed,
           s->pending);
    printf("  %-28s %.1f Mbit/s (%.1f MB)\n", "delivered", s->mbps, (double)s->bytes / 1e6);
    printf("  %-28s min %.0f, median %.0f\n", "per-connection kbit/s", s->kbps_min, s->kbps_median);
    printf("  %-28s video min %.0f median %.0f, audio median %.0f\n", "frames per connection", s->video_min,
           s->video_median, s->audio_median);
    printf("  %-28s min %.1f%%, median %.1f%%\n", "frames received of spanned", s->frames_pct_min,
           s->frames_pct_median);
    printf("  %-28s p50 %.1f ms, p99 %.1f ms\n", "first keyframe", s->ff_p50, s->ff_p99);
    printf("  %-28s p50 %.2f ms, p99 %.2f ms (%llu samples)\n", "end-to-end latency", s->lat_p50, s->lat_p99,
           (unsigned long long)sr_bench_lat.count);
    printf("  %-28s %.2f CPU-s, %.1f%% of one core, %.2f s waiting for a CPU: near 100%% busy or waiting, the load\n"
           "  %-28s is the limit, not the server\n",
           "strand_bench itself", s->load_cpu_s, elapsed_us ? 100.0 * s->load_cpu_s * 1e6 / (double)elapsed_us : 0,
           s->load_wait_s, "");
    if (sr_bench_is_rtc(o)) {
        printf("  %-28s p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", "handshake (HTTP, ICE, DTLS)", s->hs_p50, s->hs_p99,
               s->hs_max);
        printf("  %-28s %llu\n", strcmp(o->mode, "whep-play") == 0 ? "RTP packets received" : "RTP packets sent",
               (unsigned long long)s->packets);
    }
    if (strcmp(o->mode, "whep-play") == 0) {
        printf("  %-28s %llu video packets (sequence gaps)\n", "lost", (unsigned long long)s->lost);
    }
    if (strcmp(o->mode, "whip-publish") == 0) {
        const sr_bench_rtc_totals_t *t = &sr_bench_rtc_totals;
        printf("  %-28s %llu PLIs, %llu sequence numbers NACKed (%llu resent), %llu SRs sent\n", "rtcp",
               (unsigned long long)t->plis, (unsigned long long)t->nacked, (unsigned long long)t->resent,
               (unsigned long long)t->reports);
    }
    if (strcmp(o->mode, "hls-play") == 0) {
        const sr_bench_hls_totals_t *t = &sr_bench_hls_totals;
        printf("  %-28s %llu segments, %llu playlists, %llu errors (%llu segments skipped), %llu reconnects\n", "hls",
               (unsigned long long)t->segments, (unsigned long long)t->playlists, (unsigned long long)t->errors,
               (unsigned long long)t->skipped, (unsigned long long)t->reconnects);
        printf("  %-28s p50 %.2f ms, p99 %.2f ms\n", "segment fetch", sr_bench_hist_quantile(&sr_bench_fetch, 0.5),
               sr_bench_hist_quantile(&sr_bench_fetch, 0.99));
    }
}

static void sr_bench_print_json(const sr_bench_opts_t *o, const sr_bench_summary_t *s, sr_utime_t elapsed_us)
{
    printf("{\"mode\":\"%s\",\"n\":%d,\"seconds\":%.3f,\"ok\":%d,\"failed\":%d,\"closed\":%d,\"not_started\":%d,"
           "\"bytes\":%llu,\"mbps\":%.3f,\"kbps_min\":%.1f,\"kbps_median\":%.1f,\"video_min\":%.0f,"
           "\"video_median\":%.0f,\"audio_median\":%.0f,\"frames_pct_min\":%.1f,\"frames_pct_median\":%.1f,"
           "\"first_frame_p50_ms\":%.2f,\"first_frame_p99_ms\":%.2f,"
           "\"e2e_p50_ms\":%.2f,\"e2e_p99_ms\":%.2f,\"e2e_samples\":%llu,\"load_cpu_s\":%.3f,\"load_wait_s\":%.3f",
           o->mode, o->n, (double)elapsed_us / 1e6, s->ok, s->failed, s->closed, s->pending,
           (unsigned long long)s->bytes, s->mbps, s->kbps_min, s->kbps_median, s->video_min, s->video_median,
           s->audio_median, s->frames_pct_min, s->frames_pct_median, s->ff_p50, s->ff_p99, s->lat_p50, s->lat_p99,
           (unsigned long long)sr_bench_lat.count, s->load_cpu_s, s->load_wait_s);
    if (sr_bench_is_rtc(o)) {
        printf(",\"handshake_p50_ms\":%.2f,\"handshake_p99_ms\":%.2f,\"handshake_max_ms\":%.2f,\"packets\":%llu",
               s->hs_p50, s->hs_p99, s->hs_max, (unsigned long long)s->packets);
    }
    if (strcmp(o->mode, "whep-play") == 0) {
        printf(",\"lost\":%llu", (unsigned long long)s->lost);
    }
    if (strcmp(o->mode, "whip-publish") == 0) {
        const sr_bench_rtc_totals_t *t = &sr_bench_rtc_totals;
        printf(",\"plis\":%llu,\"nacked\":%llu,\"resent\":%llu,\"reports\":%llu", (unsigned long long)t->plis,
               (unsigned long long)t->nacked, (unsigned long long)t->resent, (unsigned long long)t->reports);
    }
    if (strcmp(o->mode, "hls-play") == 0) {
        const sr_bench_hls_totals_t *t = &sr_bench_hls_totals;
        printf(",\"segments\":%llu,\"playlists\":%llu,\"errors\":%llu,\"skipped\":%llu,\"reconnects\":%llu,"
               "\"fetch_p50_ms\":%.2f,\"fetch_p99_ms\":%.2f",
               (unsigned long long)t->segments, (unsigned long long)t->playlists, (unsigned long long)t->errors,
               (unsigned long long)t->skipped, (unsigned long long)t->reconnects,
               sr_bench_hist_quantile(&sr_bench_fetch, 0.5), sr_bench_hist_quantile(&sr_bench_fetch, 0.99));
    }
    printf("}\n");
}

void sr_bench_report_print(const sr_bench_opts_t *opts, const sr_bench_conn_t *conns, int n, sr_utime_t elapsed_us)
{
    sr_bench_summary_t s;
    sr_bench_summarize(conns, n, elapsed_us, &s);
    sr_bench_print_table(opts, &s, elapsed_us);
    if (opts->is_json) {
        sr_bench_print_json(opts, &s, elapsed_us);
    }
    fflush(stdout);
}
