/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_rtsp_play.c: the RTSP player of strand_bench: DESCRIBE, SETUP of each
 * a=control track over TCP interleaved (channels 2i, 2i+1), PLAY, then interleaved
 * frames. Video RTP goes through the server's own H.264 depacketizer
 * (kernel/sr_rtp_h264.h); each frame is counted with an FLV-style head (the AVC tag
 * header in front of its first bytes) so frames %, first keyframe and the latency
 * stamp are measured as for the RTMP and FLV players. Audio packets are counted.
 *
 * Not for: UDP transport, other video codecs, keeping any media.
 */
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_rtp.h"
#include "sr_rtp_nal.h"
#include "sr_rtsp_msg.h"

#define SR_BENCH_RTSP_MAX_TRACKS 4
#define SR_BENCH_RTSP_IN_MAX 16384 /* a DESCRIBE reply, or interleaved frames of RTP packet size */

typedef struct sr_bench_rtsp {
    sr_bench_conn_t *c;
    sr_sock_t *sock;
    uint8_t *in; /* this connection's unparsed bytes (the scratch buffer is shared) */
    size_t len;
    long cseq;
    char session[128];
    char url[4096];
    int nb_tracks;
    bool is_video[SR_BENCH_RTSP_MAX_TRACKS];
    sr_rtp_nal_depack_t *h264;
} sr_bench_rtsp_t;

static void sr_bench_rtsp_on_frame(void *arg, const sr_rtp_nal_frame_t *f)
{
    sr_bench_rtsp_t *r = arg;
    sr_bench_stats_h264_frame(r->c, f->is_keyframe, f->data, f->size, f->rtp_ts);
}

/* Read until one whole message is at the start of r->in; its length in *n. */
static int sr_bench_rtsp_next(sr_bench_rtsp_t *r, sr_rtsp_msg_t *m, size_t *n)
{
    for (;;) {
        int k = sr_rtsp_msg_parse(r->in, r->len, m);
        if (k < 0) {
            return sr_err_new(-k, "malformed RTSP from the server");
        }
        if (k > 0) {
            *n = (size_t)k;
            return SR_OK;
        }
        size_t got = 0;
        int rc = sr_io_read(sr_sock_io(r->sock), r->in + r->len, SR_BENCH_RTSP_IN_MAX - r->len, &got);
        if (rc != SR_OK) {
            return rc;
        }
        r->len += got;
    }
}

static void sr_bench_rtsp_consume(sr_bench_rtsp_t *r, size_t n)
{
    memmove(r->in, r->in + n, r->len - n);
    r->len -= n;
}

/* Send a request and wait for a 2xx; the reply stays at the start of r->in (length *n). */
static int sr_bench_rtsp_ask(sr_bench_rtsp_t *r, const char *method, const char *url, const char *extra,
                             sr_rtsp_msg_t *m, size_t *n)
{
    char req[5000];
    int len = snprintf(req, sizeof(req), "%s %s RTSP/1.0\r\nCSeq: %ld\r\n%s%s%s%s\r\n", method, url, ++r->cseq,
                       extra ? extra : "", r->session[0] ? "Session: " : "", r->session, r->session[0] ? "\r\n" : "");
    int rc = len > 0 && (size_t)len < sizeof(req) ? sr_io_write(sr_sock_io(r->sock), req, (size_t)len)
                                                  : sr_err_new(SR_EINVAL, "request too long");
    while (rc == SR_OK && (rc = sr_bench_rtsp_next(r, m, n)) == SR_OK && m->kind != SR_RTSP_MSG_RESPONSE) {
        sr_bench_rtsp_consume(r, *n);
    }
    if (rc == SR_OK && (m->status < 200 || m->status > 299)) {
        rc = sr_err_new(SR_ENOT_FOUND, "%s answered %d", method, m->status);
    }
    return rc;
}

/* The a=control of each audio/video m= section of the SDP, in order. */
static int sr_bench_rtsp_describe(sr_bench_rtsp_t *r, char controls[][256])
{
    sr_rtsp_msg_t m;
    size_t n = 0;
    int rc = sr_bench_rtsp_ask(r, "DESCRIBE", r->url, "Accept: application/sdp\r\n", &m, &n);
    if (rc != SR_OK) {
        return rc;
    }
    const char *p = (const char *)m.body, *end = p + m.body_len;
    int cur = -1;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t ll = (size_t)((eol ? eol : end) - p);
        bool is_media = ll > 8 && (!memcmp(p, "m=video ", 8) || !memcmp(p, "m=audio ", 8));
        if (is_media) {
            cur = r->nb_tracks < SR_BENCH_RTSP_MAX_TRACKS ? r->nb_tracks++ : -1;
            if (cur >= 0) {
                r->is_video[cur] = p[2] == 'v';
                snprintf(controls[cur], 256, "trackID=%d", cur);
            }
        } else if (cur >= 0 && ll > 10 && !memcmp(p, "a=control:", 10)) {
            snprintf(controls[cur], 256, "%.*s", (int)(ll - 10 - (p[ll - 1] == '\r')), p + 10);
        }
        p = eol ? eol + 1 : end;
    }
    sr_bench_rtsp_consume(r, n);
    return r->nb_tracks ? SR_OK : sr_err_new(SR_EFORMAT, "no track in the SDP");
}

static int sr_bench_rtsp_start(sr_bench_rtsp_t *r)
{
    char controls[SR_BENCH_RTSP_MAX_TRACKS][256];
    int rc = sr_bench_rtsp_describe(r, controls);
    for (int i = 0; rc == SR_OK && i < r->nb_tracks; i++) {
        char url[sizeof(r->url) + 1300], tr[96];
        snprintf(url, sizeof(url), "%s/%s", r->url, controls[i]);
        snprintf(tr, sizeof(tr), "Transport: RTP/AVP/TCP;unicast;interleaved=%d-%d\r\n", 2 * i, 2 * i + 1);
        sr_rtsp_msg_t m;
        size_t n = 0;
        rc = sr_bench_rtsp_ask(r, "SETUP", strstr(controls[i], "://") ? controls[i] : url, tr, &m, &n);
        const sr_rtsp_str_t *s = rc == SR_OK ? sr_rtsp_msg_header(&m, "Session") : NULL;
        if (s && !r->session[0]) {
            size_t k = 0;
            while (k < s->len && k < sizeof(r->session) - 1 && s->p[k] != ';') {
                k++;
            }
            memcpy(r->session, s->p, k);
            r->session[k] = '\0';
        }
        if (rc == SR_OK) {
            sr_bench_rtsp_consume(r, n);
        }
    }
    sr_rtsp_msg_t m;
    size_t n = 0;
    rc = rc ? rc : sr_bench_rtsp_ask(r, "PLAY", r->url, "Range: npt=0.000-\r\n", &m, &n);
    if (rc == SR_OK) {
        sr_bench_rtsp_consume(r, n);
    }
    return rc;
}

static int sr_bench_rtsp_loop(sr_bench_rtsp_t *r)
{
    int rc;
    while ((rc = sr_co_pull()) == SR_OK) {
        sr_rtsp_msg_t m;
        size_t n = 0;
        if ((rc = sr_bench_rtsp_next(r, &m, &n)) != SR_OK) {
            return rc;
        }
        int track = m.kind == SR_RTSP_MSG_INTERLEAVED && !(m.channel & 1) ? m.channel / 2 : -1;
        sr_rtp_packet_t pkt;
        if (track >= 0 && track < r->nb_tracks && sr_rtp_parse(m.body, m.body_len, &pkt) == SR_OK) {
            r->c->bytes += pkt.payload_size;
            if (r->is_video[track]) {
                sr_rtp_nal_depack_push(r->h264, &pkt, (int64_t)sr_time_mono_us());
            } else {
                sr_bench_stats_media(r->c, 8, pkt.ts, NULL, 0);
            }
        }
        sr_err_clear();
        sr_bench_rtsp_consume(r, n);
    }
    return rc;
}

void sr_bench_rtsp_play_cycle(void *arg)
{
    sr_bench_conn_t *c = arg;
    sr_bench_rtsp_t r;
    memset(&r, 0, sizeof(r));
    r.c = c;
    r.in = sr_malloc(SR_BENCH_RTSP_IN_MAX);
    r.h264 = sr_rtp_nal_depack_new(SR_CODEC_H264, 64, 0, sr_bench_rtsp_on_frame, &r);
    char name[sizeof(c->opts->stream) + 16];
    sr_bench_stream_name(c->opts, c->index, name, sizeof(name));
    snprintf(r.url, sizeof(r.url), "rtsp://%s:%d/%s/%s", c->opts->target.host, c->opts->target.port, c->opts->app,
             name);
    int rc = sr_bench_connect(c->opts, &r.sock);
    rc = rc ? rc : sr_bench_rtsp_start(&r);
    rc = rc ? rc : sr_bench_rtsp_loop(&r);
    sr_bench_conn_end(c, rc);
    sr_rtp_nal_depack_free(r.h264);
    sr_sock_close(r.sock);
    sr_free(r.in);
}
