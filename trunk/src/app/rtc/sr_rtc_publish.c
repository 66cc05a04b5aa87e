/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_publish.c: a WHIP publisher: RTP in, frames into the source. H.264 is
 * reassembled (STAP-A, FU-A) in sequence order by the depacketizer, which reports
 * losses: we NACK them while they can still arrive, and ask for a keyframe (PLI) when a
 * frame is lost for good. Opus goes in as it is, or as AAC when rtc_to_rtmp asks for the
 * stream to reach RTMP, HLS and DVR (Debian's ffmpeg reads no Opus in FLV).
 *
 * The hub hands us packets in its coroutine, where nothing may yield: video frames go
 * to the source at once; Opus bound for AAC waits in a small queue that the session's
 * coroutine drains through the bridge (its codec work runs on the worker pool).
 *
 * Timing: sr_rtp_timeline puts both tracks' RTP clocks on one millisecond timeline:
 * arrival times first, the sender's NTP clock once its RTCP SRs come, so audio and
 * video stay in sync.
 */
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_audio_bridge.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_rtc_session.h"
#include "sr_rtcp.h"
#include "sr_rtp.h"
#include "sr_rtp_nal.h"
#include "sr_rtp_timeline.h"
#include "sr_srtp.h"
#include "sr_time.h"

#define SR_RTC_PUBLISH_RR_US (SR_UTIME_S)
#define SR_RTC_PUBLISH_TWCC_US (100 * SR_UTIME_MS)
#define SR_RTC_PUBLISH_PLI_MIN_US (500 * SR_UTIME_MS) /* at most two keyframe requests a second */
#define SR_RTC_PUBLISH_WINDOW 512                     /* packets the reorder buffer holds */
#define SR_RTC_PUBLISH_WAIT_US (150 * SR_UTIME_MS)    /* how long a gap waits for its retransmission */
#define SR_RTC_PUBLISH_AUDIO_QUEUE 64                 /* Opus frames waiting for the AAC bridge */

/* One incoming track. */
typedef struct sr_rtc_in {
    sr_rtc_track_t *track;
    sr_rtp_clock_t clock;
    uint64_t packets;
    sr_rtcp_rx_stats_t rx; /* for the RR */
    uint32_t last_sr_mid;
    sr_utime_t last_sr_us;
} sr_rtc_in_t;

typedef struct sr_rtc_publish {
    sr_publish_t session;
    sr_rtc_in_t audio, video;
    sr_rtc_session_t *s;
    sr_rtp_nal_depack_t *h264;
    sr_audio_bridge_t *opus_to_aac; /* rtc_to_rtmp */
    sr_packet_t audio_queue[SR_RTC_PUBLISH_AUDIO_QUEUE];
    size_t audio_head, audio_count;
    uint64_t audio_dropped;
    bool has_opus_config;
    sr_utime_t t0_us;
    sr_rtp_timeline_t timeline; /* both tracks on one clock, the sender's NTP once it reports */
    sr_utime_t next_rr_us, next_twcc_us, last_pli_us, next_periodic_pli_us;
    bool wants_pli;
    sr_rtcp_twcc_recorder_t *twcc;
    uint64_t frames, plis_out, nacks_out;
} sr_rtc_publish_t;

static void sr_rtc_publish_on_frame(void *arg, const sr_rtp_nal_frame_t *f);
static void sr_rtc_publish_drain_audio(sr_rtc_session_t *s);

int sr_rtc_publish_begin(sr_rtc_session_t *s)
{
    sr_rtc_publish_t *p = SR_NEW(sr_rtc_publish_t);
    int rc = sr_publish_begin(&p->session, s->server, &s->client, &s->req, &s->vhost);
    if (rc != SR_OK) {
        sr_free(p);
        return sr_err_wrap(rc, "publish %s/%s refused", s->req.app, s->req.stream);
    }
    p->s = s;
    p->audio.track = &s->audio;
    p->video.track = &s->video;
    sr_rtcp_rx_stats_init(&p->audio.rx, s->audio.clock ? s->audio.clock : 48000);
    sr_rtcp_rx_stats_init(&p->video.rx, 90000);
    p->h264 =
        sr_rtp_nal_depack_new(SR_CODEC_H264, SR_RTC_PUBLISH_WINDOW, SR_RTC_PUBLISH_WAIT_US, sr_rtc_publish_on_frame, p);
    if (s->vhost.rtc.is_rtc_to_rtmp) {
        p->opus_to_aac = sr_audio_bridge_new(SR_CODEC_AAC, s->vhost.rtc.aac_bitrate);
    }
    if (s->vhost.rtc.is_twcc && (s->video.twcc_ext || s->audio.twcc_ext)) {
        p->twcc = sr_rtcp_twcc_recorder_new();
    }
    p->t0_us = sr_time_mono_us();
    sr_rtp_clock_init(&p->video.clock, 90000);
    sr_rtp_clock_init(&p->audio.clock, s->audio.clock ? s->audio.clock : 48000);
    sr_rtp_timeline_init(&p->timeline);
    if (s->video.codec) {
        sr_rtp_timeline_add(&p->timeline, &p->video.clock); /* the reference */
    }
    if (s->audio.codec) {
        sr_rtp_timeline_add(&p->timeline, &p->audio.clock);
    }
    p->wants_pli = true; /* a keyframe at once: players should not wait for the encoder's GOP */
    s->publish = p;
    sr_trace("rtc publish %s/%s/%s start", s->req.vhost, s->req.app, s->req.stream);
    return SR_OK;
}

void sr_rtc_publish_end(sr_rtc_session_t *s)
{
    sr_rtc_publish_t *p = s->publish;
    if (!p) {
        return;
    }
    sr_rtp_nal_depack_flush(p->h264);
    sr_rtc_publish_drain_audio(s);
    const sr_rtp_nal_stats_t *hs = sr_rtp_nal_depack_stats(p->h264);
    sr_trace("rtc publish %s/%s/%s: %llu video frames (%llu broken, %llu before a keyframe), %llu audio frames not "
             "bridged, %llu NACKs and %llu PLIs sent",
             s->req.vhost, s->req.app, s->req.stream, (unsigned long long)p->frames,
             (unsigned long long)hs->dropped_broken, (unsigned long long)hs->dropped_waiting,
             (unsigned long long)p->audio_dropped, (unsigned long long)p->nacks_out, (unsigned long long)p->plis_out);
    sr_publish_end(&p->session);
    while (p->audio_count) {
        sr_packet_deinit(&p->audio_queue[p->audio_head]);
        p->audio_head = (p->audio_head + 1) % SR_RTC_PUBLISH_AUDIO_QUEUE;
        p->audio_count--;
    }
    sr_rtp_nal_depack_free(p->h264);
    sr_audio_bridge_free(p->opus_to_aac);
    sr_rtcp_twcc_recorder_free(p->twcc);
    sr_free(p);
    s->publish = NULL;
}

bool sr_rtc_publish_is_of(const sr_rtc_session_t *s, const sr_source_t *source)
{
    return s->publish && s->publish->session.source == source;
}

void sr_rtc_publish_want_keyframe(sr_rtc_session_t *s)
{
    if (s->publish) {
        s->publish->wants_pli = true;
        sr_cond_signal(s->wake); /* sent at the tick this wakes, as the rate limit allows */
    }
}

int sr_rtc_publish_check_idle(sr_rtc_session_t *s)
{
    return s->publish ? sr_publish_check_idle(&s->publish->session) : SR_OK;
}

/* ==== timing ==== */

/* The unwrapped RTP time of a packet of in, which arrived now. */
static int64_t sr_rtc_publish_clock(sr_rtc_publish_t *p, sr_rtc_in_t *in, uint32_t ts)
{
    in->packets++;
    return sr_rtp_clock_push(&in->clock, ts, (int64_t)((sr_time_mono_us() - p->t0_us) / 1000));
}

/* ==== media ==== */

static void sr_rtc_publish_frame(sr_rtc_session_t *s, sr_codec_id_t codec, uint8_t flags, int64_t ms,
                                 const uint8_t *data, size_t size)
{
    sr_packet_t pkt;
    uint8_t *dst = sr_packet_init_frame(&pkt, codec, flags, ms, ms, size);
    memcpy(dst, data, size);
    sr_publish_frame(&s->publish->session, &pkt);
    sr_packet_deinit(&pkt);
}

/* A frame the depacketizer completed (in the hub's coroutine, from its push). */
static void sr_rtc_publish_on_frame(void *arg, const sr_rtp_nal_frame_t *f)
{
    sr_rtc_publish_t *p = arg;
    int64_t ms = sr_rtp_timeline_ms(&p->timeline, &p->video.clock, sr_rtp_clock_ext(&p->video.clock, f->rtp_ts));
    if (f->config) {
        sr_rtc_publish_frame(p->s, SR_CODEC_H264, SR_PACKET_IS_SEQUENCE_HEADER, ms, f->config, f->config_size);
    }
    sr_rtc_publish_frame(p->s, SR_CODEC_H264, f->is_keyframe ? SR_PACKET_IS_KEYFRAME : 0, ms, f->data, f->size);
    p->frames++;
}

static void sr_rtc_publish_video(sr_rtc_session_t *s, const sr_rtp_packet_t *rtp, int64_t now_us)
{
    sr_rtc_publish_t *p = s->publish;
    sr_rtc_publish_clock(p, &p->video, rtp->ts);
    sr_rtp_nal_depack_push(p->h264, rtp, now_us);
    if (sr_rtp_nal_depack_need_keyframe(p->h264)) {
        p->wants_pli = true;
    }
}

static void sr_rtc_publish_opus_config(sr_rtc_session_t *s, int64_t ms)
{
    sr_opus_head_t head;
    uint8_t hb[SR_OPUS_HEAD_MIN_BYTES + 8];
    size_t n = 0;
    if (sr_opus_head_default(s->audio.channels ? s->audio.channels : 2, &head) == SR_OK &&
        sr_opus_head_write(&head, hb, sizeof(hb), &n) == SR_OK) {
        sr_rtc_publish_frame(s, SR_CODEC_OPUS, SR_PACKET_IS_SEQUENCE_HEADER, ms, hb, n);
    }
    sr_err_clear();
}

static void sr_rtc_publish_audio(sr_rtc_session_t *s, const sr_rtp_packet_t *rtp)
{
    sr_rtc_publish_t *p = s->publish;
    if (rtp->payload_size == 0) {
        return; /* padding */
    }
    if (!s->audio.ssrc) {
        s->audio.ssrc = rtp->ssrc;
    }
    int64_t ms = sr_rtp_timeline_ms(&p->timeline, &p->audio.clock, sr_rtc_publish_clock(p, &p->audio, rtp->ts));
    if (!s->vhost.rtc.is_rtc_to_rtmp) {
        if (!p->has_opus_config) {
            sr_rtc_publish_opus_config(s, ms);
            p->has_opus_config = true;
        }
        sr_rtc_publish_frame(s, SR_CODEC_OPUS, 0, ms, rtp->payload, rtp->payload_size);
        return;
    }
    if (p->audio_count == SR_RTC_PUBLISH_AUDIO_QUEUE) {
        p->audio_dropped++; /* the bridge is behind: the transcoder fills the hole */
        return;
    }
    sr_packet_t *q = &p->audio_queue[(p->audio_head + p->audio_count) % SR_RTC_PUBLISH_AUDIO_QUEUE];
    uint8_t *dst = sr_packet_init_frame(q, SR_CODEC_OPUS, 0, ms, ms, rtp->payload_size);
    memcpy(dst, rtp->payload, rtp->payload_size);
    p->audio_count++;
    sr_cond_signal(s->wake);
}

/* Opus -> AAC for what the hub queued, in the session's coroutine. May yield. */
static void sr_rtc_publish_drain_audio(sr_rtc_session_t *s)
{
    sr_rtc_publish_t *p = s->publish;
    while (p->audio_count && p->opus_to_aac) {
        sr_packet_t in = p->audio_queue[p->audio_head];
        p->audio_head = (p->audio_head + 1) % SR_RTC_PUBLISH_AUDIO_QUEUE;
        p->audio_count--;
        if (sr_audio_bridge_feed(p->opus_to_aac, &in) != SR_OK) {
            sr_err_clear(); /* that frame only */
        }
        sr_packet_deinit(&in);
        sr_packet_t out;
        while (sr_audio_bridge_take(p->opus_to_aac, &out)) {
            sr_publish_frame(&p->session, &out);
            sr_packet_deinit(&out);
        }
    }
}

void sr_rtc_publish_on_rtp(sr_rtc_session_t *s, const uint8_t *data, size_t len)
{
    sr_rtc_publish_t *p = s->publish;
    sr_rtp_packet_t rtp;
    if (!p || sr_rtp_parse(data, len, &rtp) != SR_OK) {
        sr_err_clear();
        return;
    }
    sr_rtc_track_t *t = rtp.pt == s->video.pt && s->video.codec   ? &s->video
                        : rtp.pt == s->audio.pt && s->audio.codec ? &s->audio
                                                                  : NULL;
    if (!t) {
        return; /* a payload type we did not accept */
    }
    if (!t->ssrc) {
        t->ssrc = rtp.ssrc;
    }
    int64_t now = (int64_t)sr_time_mono_us();
    const uint8_t *ext = NULL;
    size_t ext_size = 0;
    if (p->twcc && t->twcc_ext && sr_rtp_ext_find(&rtp, t->twcc_ext, &ext, &ext_size) == SR_OK && ext_size == 2) {
        sr_rtcp_twcc_record(p->twcc, (uint16_t)(ext[0] << 8 | ext[1]), now);
    }
    sr_err_clear();
    if (t == &s->video) {
        sr_rtcp_rx_stats_update(&p->video.rx, rtp.seq, rtp.ts, now);
        sr_rtc_publish_video(s, &rtp, now);
    } else {
        sr_rtcp_rx_stats_update(&p->audio.rx, rtp.seq, rtp.ts, now);
        sr_rtc_publish_audio(s, &rtp);
    }
}

void sr_rtc_publish_on_rtcp(sr_rtc_session_t *s, const uint8_t *data, size_t len)
{
    sr_rtc_publish_t *p = s->publish;
    sr_rtcp_iter_t it;
    sr_rtcp_packet_t pk;
    sr_rtcp_iter_init(&it, data, len);
    while (p && sr_rtcp_next(&it, &pk) == SR_OK) {
        sr_rtcp_sr_t sr;
        if (pk.pt != SR_RTCP_SR || sr_rtcp_parse_sr(&pk, &sr) != SR_OK) {
            continue;
        }
        sr_rtc_in_t *in = sr.ssrc == s->video.ssrc ? &p->video : sr.ssrc == s->audio.ssrc ? &p->audio : NULL;
        if (in && in->clock.has_first) {
            sr_rtp_clock_on_sr(&in->clock, sr.rtp_ts, sr.ntp);
            in->last_sr_mid = sr_rtcp_ntp_mid32(sr.ntp);
            in->last_sr_us = sr_time_mono_us();
        }
    }
    sr_err_clear();
}

/* ==== feedback ==== */

static void sr_rtc_publish_send_rtcp(sr_rtc_session_t *s, int rc, uint8_t *pkt, size_t n, size_t cap)
{
    if (rc != SR_OK || n == 0 || sr_rtc_session_send_srtp(s, pkt, n, cap, true) != SR_OK) {
        sr_err_clear();
    }
}

static void sr_rtc_publish_pli(sr_rtc_session_t *s)
{
    sr_rtc_publish_t *p = s->publish;
    sr_utime_t now = sr_time_mono_us();
    if (!s->video.ssrc || now - p->last_pli_us < SR_RTC_PUBLISH_PLI_MIN_US) {
        return;
    }
    uint8_t pkt[64 + SR_SRTP_MAX_TRAILER];
    size_t n = 0;
    int rc = sr_rtcp_write_pli(SR_RTC_OUR_SSRC, s->video.ssrc, pkt, 64, &n);
    sr_rtc_publish_send_rtcp(s, rc, pkt, n, sizeof(pkt));
    p->last_pli_us = now;
    p->wants_pli = false;
    p->plis_out++;
}

static void sr_rtc_publish_nack(sr_rtc_session_t *s)
{
    sr_rtc_publish_t *p = s->publish;
    uint16_t seqs[64];
    size_t n = sr_rtp_reorder_missing(sr_rtp_nal_depack_reorder(p->h264), seqs, SR_ARRAY_SIZE(seqs));
    if (n == 0 || !s->vhost.rtc.is_nack || !s->video.ssrc) {
        return;
    }
    uint8_t pkt[512 + SR_SRTP_MAX_TRAILER];
    size_t w = 0;
    int rc = sr_rtcp_write_nack(SR_RTC_OUR_SSRC, s->video.ssrc, seqs, n, pkt, 512, &w);
    sr_rtc_publish_send_rtcp(s, rc, pkt, w, sizeof(pkt));
    p->nacks_out += n;
}

/* One RR with a block per incoming track. */
static void sr_rtc_publish_rr(sr_rtc_session_t *s)
{
    sr_rtc_publish_t *p = s->publish;
    sr_rtcp_rr_t rr = {.ssrc = SR_RTC_OUR_SSRC};
    sr_rtc_in_t *ins[2] = {&p->video, &p->audio};
    for (int i = 0; i < 2; i++) {
        sr_rtc_in_t *in = ins[i];
        if (!in->packets || !in->track->ssrc) {
            continue;
        }
        uint32_t dlsr = in->last_sr_us ? sr_rtcp_dlsr_from_us((int64_t)(sr_time_mono_us() - in->last_sr_us)) : 0;
        sr_rtcp_rx_stats_report(&in->rx, in->track->ssrc, in->last_sr_mid, dlsr, &rr.reports[rr.nb_reports++]);
    }
    if (rr.nb_reports == 0) {
        return;
    }
    uint8_t pkt[128 + SR_SRTP_MAX_TRAILER];
    size_t n = 0;
    int rc = sr_rtcp_write_rr(&rr, pkt, 128, &n);
    sr_rtc_publish_send_rtcp(s, rc, pkt, n, sizeof(pkt));
}

void sr_rtc_publish_tick(sr_rtc_session_t *s)
{
    sr_rtc_publish_t *p = s->publish;
    if (!p || s->state != SR_RTC_CONNECTED) {
        return;
    }
    sr_utime_t now = sr_time_mono_us();
    sr_rtp_nal_depack_tick(p->h264, (int64_t)now);
    if (s->vhost.rtc.is_rtc_to_rtmp && now >= p->next_periodic_pli_us) {
        p->wants_pli = p->wants_pli || p->next_periodic_pli_us != 0;
        p->next_periodic_pli_us = now + (sr_utime_t)s->vhost.rtc.pli_for_rtmp_us;
    }
    if (p->wants_pli) {
        sr_rtc_publish_pli(s);
    }
    sr_rtc_publish_nack(s);
    if (p->twcc && now >= p->next_twcc_us) {
        p->next_twcc_us = now + SR_RTC_PUBLISH_TWCC_US;
        uint32_t media = s->video.ssrc ? s->video.ssrc : s->audio.ssrc;
        uint8_t pkt[1200 + SR_SRTP_MAX_TRAILER];
        size_t n = 0;
        while (sr_rtcp_twcc_build(p->twcc, SR_RTC_OUR_SSRC, media, pkt, 1200, &n) == SR_OK) {
            sr_rtc_publish_send_rtcp(s, SR_OK, pkt, n, sizeof(pkt));
        }
        sr_err_clear();
    }
    if (now >= p->next_rr_us) {
        p->next_rr_us = now + SR_RTC_PUBLISH_RR_US;
        sr_rtc_publish_rr(s);
    }
    sr_rtc_publish_drain_audio(s); /* may yield: last */
}
