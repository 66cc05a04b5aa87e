/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_whip_publish.c: the WebRTC publisher of strand_bench (WHIP). Each session
 * POSTs a sendonly H.264 + Opus offer for its own stream (NAME_i of the URL's
 * stream=NAME when there are several), connects through the shared transport
 * (sr_bench_rtc.h), then sends the FLV file's H.264 frames in real time, looped, as
 * RTP packetization-mode 1 by the server's own packetizer (sr_rtp_h264.h: STAP-A for
 * SPS+PPS in front of each keyframe, FU-A for large NAL units), each frame carrying
 * the latency stamp of sr_bench.h. Audio is one canned Opus frame (a 20 ms CELT
 * silence frame, TOC 0xf8, the 3 bytes many WebRTC senders use as "silence") every
 * 20 ms: the server decodes it like any Opus (rtc_to_rtmp turns it into AAC), and the
 * file's AAC would need an encoder the bench does not have.
 *
 * RTCP: a sender report per track every second (the server maps RTP time to the
 * sender's clock with them); NACKs are answered from a short history of sent video
 * packets (the same protected bytes again); PLIs are counted and otherwise ignored,
 * since the file brings a keyframe every GOP.
 *
 * Not for: congestion control (TWCC is not offered), simulcast, RTX, B-frames (RTP
 * timestamps are the FLV presentation times, sent in decode order).
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_bench_rtc.h"
#include "sr_bytes.h"
#include "sr_codec.h"
#include "sr_error.h"
#include "sr_rtcp.h"
#include "sr_rtp.h"
#include "sr_rtp_h264.h"

#define SR_BENCH_WHIP_MAX_PAYLOAD 1200 /* room for RTP, SRTP and IP headers in a 1280-byte MTU */
#define SR_BENCH_WHIP_PACKET_MAX (SR_RTP_HEADER_BYTES + SR_BENCH_WHIP_MAX_PAYLOAD + SR_SRTP_MAX_TRAILER)
#define SR_BENCH_WHIP_HISTORY 256 /* video packets kept for NACKs: ~2 s at 1 Mbit/s */
#define SR_BENCH_WHIP_OPUS_MS 20
#define SR_BENCH_WHIP_SR_US SR_UTIME_S
#define SR_BENCH_WHIP_NACK_MAX 256

/* A 20 ms Opus packet of silence: TOC config 31 (CELT-only, fullband, 20 ms), mono,
 * one frame (RFC 6716 3.1), and the CELT frame that decodes to silence. */
static const uint8_t sr_bench_whip_opus[] = {0xf8, 0xff, 0xfe};

sr_bench_rtc_totals_t sr_bench_rtc_totals;

/* The file's AVC config (from its first sequence header), shared by every session. */
static sr_avc_config_t sr_bench_whip_avc;
static uint32_t sr_bench_whip_span_ms; /* the largest tag timestamp */

typedef struct sr_bench_whip_track {
    uint32_t ssrc;
    uint16_t seq;
    uint32_t ts_base;
    uint32_t clock;
    uint32_t packets, octets; /* for the sender report */
} sr_bench_whip_track_t;

/* A sent video packet, as protected. */
typedef struct sr_bench_whip_sent {
    uint16_t seq;
    uint16_t len;
    uint8_t data[SR_BENCH_WHIP_PACKET_MAX];
} sr_bench_whip_sent_t;

typedef struct sr_bench_whip {
    sr_bench_rtc_t rtc;
    sr_bench_whip_track_t audio, video;
    const sr_bench_tag_t *tags;
    const uint8_t *file;
    size_t ntags, next_tag;
    uint64_t loop_ms;   /* added to the file's timestamps: loops so far */
    sr_utime_t base_us; /* monotonic time of media time 0: the first tick */
    uint64_t audio_ms;  /* media time of the next Opus packet */
    sr_utime_t next_sr_us;
    sr_rtp_payloads_t pl;
    sr_bench_whip_sent_t *history;
} sr_bench_whip_t;

int sr_bench_whip_publish_load(void)
{
    size_t n = 0;
    const uint8_t *file = NULL;
    const sr_bench_tag_t *tags = sr_bench_publish_tags(&n, &file);
    bool has_config = false;
    for (size_t i = 0; i < n; i++) {
        sr_bench_whip_span_ms = SR_MAX(sr_bench_whip_span_ms, tags[i].ts);
        if (!has_config && tags[i].type == 9 &&
            sr_avc_parse_flv(file + tags[i].offset, tags[i].size, &sr_bench_whip_avc) == SR_OK) {
            has_config = true;
        }
    }
    if (!has_config || sr_bench_whip_avc.nal_length_size != 4) {
        return sr_err_new(SR_EFORMAT, "whip-publish needs an H.264 FLV file with 4-byte NAL lengths");
    }
    return SR_OK;
}

/* The session's URL: stream=NAME becomes stream=NAME_<index % streams> when streams > 1. */
static void sr_bench_whip_url(const sr_bench_opts_t *o, int index, char *out, size_t size)
{
    const char *v = strstr(o->url, "stream=");
    if (o->streams <= 1 || v == NULL) {
        snprintf(out, size, "%s", o->url);
        return;
    }
    v += strlen("stream=");
    size_t end = (size_t)(v - o->url) + strcspn(v, "&");
    snprintf(out, size, "%.*s_%d%s", (int)end, o->url, index % o->streams, o->url + end);
}

/* ==== sending ==== */

/* Write pkt's RTP header and payload[0..size) into buf, advance the track's sequence
 * number, then protect and send. The protected length goes to *sent_len. May yield. */
static int sr_bench_whip_send_rtp(sr_bench_whip_t *w, sr_bench_whip_track_t *t, int pt, bool is_marker, uint32_t ts,
                                  const uint8_t *payload, size_t size, uint8_t *buf, size_t *sent_len)
{
    sr_rtp_packet_t h = {.pt = (uint8_t)pt, .is_marker = is_marker, .seq = t->seq, .ts = ts, .ssrc = t->ssrc};
    size_t hl = 0;
    int rc = sr_rtp_header_write(&h, NULL, 0, buf, SR_BENCH_WHIP_PACKET_MAX, &hl);
    if (rc != SR_OK || hl + size + SR_SRTP_MAX_TRAILER > SR_BENCH_WHIP_PACKET_MAX) {
        return sr_err_new(SR_EOVERFLOW, "RTP packet of %zu bytes", size);
    }
    memcpy(buf + hl, payload, size);
    t->seq++;
    t->packets++;
    t->octets += (uint32_t)size;
    w->rtc.c->packets++;
    w->rtc.c->bytes += size;
    return sr_bench_rtc_send(&w->rtc, buf, hl + size, SR_BENCH_WHIP_PACKET_MAX, false, sent_len);
}

/* Packetize one AVC NALU packet (FLV tag body) and send it at RTP time ts. May yield. */
static int sr_bench_whip_send_frame(sr_bench_whip_t *w, const uint8_t *body, uint32_t size, uint32_t ts)
{
    bool is_key = (body[0] >> 4) == 1;
    sr_payload_t *frame = sr_bench_publish_stamp(body, size);
    int rc;
    while ((rc = sr_rtp_h264_packetize(frame->data + 5, frame->size - 5, &sr_bench_whip_avc, is_key,
                                       SR_BENCH_WHIP_MAX_PAYLOAD, &w->pl)) == -SR_EOVERFLOW) {
        sr_rtp_payloads_grow(&w->pl);
    }
    sr_payload_unref(frame);
    if (rc != SR_OK) {
        return sr_err_new(-rc, "packetize a frame of %u bytes", size);
    }
    for (size_t i = 0; i < w->pl.nb_items && rc == SR_OK; i++) {
        const sr_rtp_payload_t *it = &w->pl.items[i];
        sr_bench_whip_sent_t *s = &w->history[w->video.seq % SR_BENCH_WHIP_HISTORY];
        size_t len = 0;
        s->seq = w->video.seq;
        s->len = 0;
        rc = sr_bench_whip_send_rtp(w, &w->video, w->rtc.video_pt, it->is_marker, ts, w->pl.data + it->offset, it->size,
                                    s->data, &len);
        s->len = rc == SR_OK ? (uint16_t)len : 0;
    }
    w->rtc.c->video++;
    if (is_key && w->rtc.c->first_video_us == 0) {
        w->rtc.c->first_video_us = sr_time_mono_us();
    }
    return rc;
}

/* The next AVC NALU tag at or after the cursor, wrapping to the next loop. */
static const sr_bench_tag_t *sr_bench_whip_next_video(sr_bench_whip_t *w)
{
    for (size_t tries = 0; tries <= w->ntags; tries++) {
        if (w->next_tag == w->ntags) {
            w->next_tag = 0;
            w->loop_ms += sr_bench_whip_span_ms + SR_BENCH_PUB_FRAME_MS;
        }
        const sr_bench_tag_t *t = &w->tags[w->next_tag];
        const uint8_t *body = w->file + t->offset;
        if (t->type == 9 && t->size > 5 && (body[0] & 0x0f) == 7 && body[1] == 1) {
            return t;
        }
        w->next_tag++;
    }
    return NULL;
}

/* A sender report for each track that has sent: NTP now against the RTP time of now
 * (both tracks' RTP times are media time since base_us). May yield. */
static int sr_bench_whip_send_reports(sr_bench_whip_t *w, sr_utime_t now)
{
    sr_bench_whip_track_t *tracks[2] = {&w->video, &w->audio};
    uint64_t media_us = now - w->base_us;
    for (int i = 0; i < 2; i++) {
        sr_bench_whip_track_t *t = tracks[i];
        if (t->packets == 0) {
            continue;
        }
        sr_rtcp_sr_t sr = {
            .ssrc = t->ssrc,
            .ntp = sr_rtcp_ntp_from_us(sr_time_wall_us()),
            .rtp_ts = t->ts_base + (uint32_t)(media_us * t->clock / SR_UTIME_S),
            .packet_count = t->packets,
            .octet_count = t->octets,
        };
        uint8_t pkt[64 + SR_SRTP_MAX_TRAILER];
        size_t n = 0;
        int rc = sr_rtcp_write_sr(&sr, pkt, 64, &n);
        rc = rc ? rc : sr_bench_rtc_send(&w->rtc, pkt, n, sizeof(pkt), true, NULL);
        if (rc != SR_OK) {
            return rc;
        }
        sr_bench_rtc_totals.reports++;
    }
    return SR_OK;
}

/* Send what is due by now: video frames, Opus packets, sender reports. May yield. */
static int sr_bench_whip_tick(void *arg, sr_utime_t now, sr_utime_t *next_us)
{
    sr_bench_whip_t *w = arg;
    sr_bench_conn_t *c = w->rtc.c;
    uint8_t buf[SR_BENCH_WHIP_PACKET_MAX];
    int rc = SR_OK;
    if (w->base_us == 0) {
        w->base_us = now;
        w->next_sr_us = now + SR_BENCH_WHIP_SR_US;
        c->state = SR_BENCH_RUNNING;
    }
    const sr_bench_tag_t *t;
    sr_utime_t video_due = (sr_utime_t)-1, audio_due;
    while (rc == SR_OK && (t = sr_bench_whip_next_video(w)) != NULL &&
           (video_due = w->base_us + (w->loop_ms + t->ts) * SR_UTIME_MS) <= now) {
        const uint8_t *body = w->file + t->offset;
        int32_t cts = (int32_t)(sr_get_be24(body + 2) << 8) >> 8;
        uint32_t ts = w->video.ts_base + (uint32_t)((int64_t)(w->loop_ms + t->ts + cts) * 90);
        rc = sr_bench_whip_send_frame(w, body, t->size, ts);
        w->next_tag++;
        video_due = (sr_utime_t)-1;
    }
    while (rc == SR_OK && (audio_due = w->base_us + w->audio_ms * SR_UTIME_MS) <= now) {
        uint32_t ts = w->audio.ts_base + (uint32_t)(w->audio_ms * 48);
        rc = sr_bench_whip_send_rtp(w, &w->audio, w->rtc.audio_pt, false, ts, sr_bench_whip_opus,
                                    sizeof(sr_bench_whip_opus), buf, NULL);
        c->audio++;
        w->audio_ms += SR_BENCH_WHIP_OPUS_MS;
    }
    if (rc == SR_OK && now >= w->next_sr_us) {
        w->next_sr_us = now + SR_BENCH_WHIP_SR_US;
        rc = sr_bench_whip_send_reports(w, now);
    }
    *next_us = SR_MIN(SR_MIN(video_due, w->base_us + w->audio_ms * SR_UTIME_MS), w->next_sr_us);
    return rc;
}

/* ==== RTCP from the server ==== */

/* NACKed video packets, sent again as they were (without yielding: the datagram is
 * in the shared scratch buffer). */
static void sr_bench_whip_on_nack(sr_bench_whip_t *w, const sr_rtcp_packet_t *pk)
{
    uint16_t seqs[SR_BENCH_WHIP_NACK_MAX];
    size_t nb = 0;
    sr_rtcp_fb_t fb;
    int rc = sr_rtcp_parse_nack(pk, &fb, seqs, SR_ARRAY_SIZE(seqs), &nb);
    if ((rc != SR_OK && rc != -SR_EOVERFLOW) || fb.media_ssrc != w->video.ssrc) {
        return;
    }
    sr_bench_rtc_totals.nacked += nb;
    for (size_t i = 0; i < nb; i++) {
        const sr_bench_whip_sent_t *s = &w->history[seqs[i] % SR_BENCH_WHIP_HISTORY];
        if (s->len && s->seq == seqs[i] && sr_bench_rtc_resend(&w->rtc, s->data, s->len) == SR_OK) {
            sr_bench_rtc_totals.resent++;
        }
    }
}

static void sr_bench_whip_on_packet(void *arg, uint8_t *data, size_t n)
{
    sr_bench_whip_t *w = arg;
    uint8_t pt = data[1] & 0x7f;
    if (pt < 64 || pt > 95 || sr_srtp_unprotect_rtcp(w->rtc.srtp, data, &n) != SR_OK) {
        return; /* the server sends a publisher no RTP */
    }
    sr_rtcp_iter_t it;
    sr_rtcp_packet_t pk;
    sr_rtcp_iter_init(&it, data, n);
    while (sr_rtcp_next(&it, &pk) == SR_OK) {
        if (pk.pt == SR_RTCP_RTPFB && pk.count == SR_RTCP_RTPFB_NACK) {
            sr_bench_whip_on_nack(w, &pk);
        } else if (pk.pt == SR_RTCP_PSFB && pk.count == SR_RTCP_PSFB_PLI) {
            sr_bench_rtc_totals.plis++;
        }
    }
    sr_err_clear();
}

/* ==== the session ==== */

static void sr_bench_whip_track_init(sr_bench_whip_track_t *t, uint32_t clock)
{
    RAND_bytes((uint8_t *)&t->ssrc, sizeof(t->ssrc));
    RAND_bytes((uint8_t *)&t->seq, sizeof(t->seq));
    RAND_bytes((uint8_t *)&t->ts_base, sizeof(t->ts_base));
    t->ssrc |= 1; /* never 0: the offer leaves a=ssrc out for 0 */
    t->clock = clock;
}

void sr_bench_whip_publish_cycle(void *arg)
{
    sr_bench_conn_t *c = arg;
    sr_bench_whip_t *w = SR_NEW(sr_bench_whip_t);
    char url[4096];
    const sr_bench_rtc_hooks_t hooks = {.arg = w, .on_packet = sr_bench_whip_on_packet, .on_tick = sr_bench_whip_tick};
    w->tags = sr_bench_publish_tags(&w->ntags, &w->file);
    w->history = sr_calloc(SR_BENCH_WHIP_HISTORY, sizeof(sr_bench_whip_sent_t));
    sr_bench_whip_track_init(&w->video, 90000);
    sr_bench_whip_track_init(&w->audio, 48000);
    sr_bench_whip_url(c->opts, c->index, url, sizeof(url));
    int rc = sr_bench_rtc_init(&w->rtc, c, &hooks);
    rc = rc ? rc : sr_bench_rtc_negotiate(&w->rtc, url, "sendonly", w->audio.ssrc, w->video.ssrc);
    if (rc == SR_OK && (w->rtc.video_pt < 0 || w->rtc.audio_pt < 0)) {
        rc = sr_err_new(SR_EFORMAT, "the answer lacks the video or the audio section");
    }
    rc = rc ? rc : sr_bench_rtc_run(&w->rtc);
    sr_bench_conn_end(c, rc);
    sr_bench_rtc_deinit(&w->rtc);
    sr_rtp_payloads_free(&w->pl);
    sr_free(w->history);
    sr_free(w);
}
