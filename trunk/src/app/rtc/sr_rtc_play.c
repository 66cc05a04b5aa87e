/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_play.c: a WHEP player: the stream's frames as RTP over SRTP. It attaches like
 * any player (metadata, configs, then the cached GOP from a keyframe), so a browser
 * starts decoding at once instead of waiting for the next keyframe. H.264 goes out in
 * packetization-mode 1 with SPS/PPS before every IDR; Opus as it is. What a browser
 * cannot take as it is comes from a share all the stream's WHEP players read
 * (sr_rtc_share.h), so the codec work is done once per stream: AAC as Opus, and H.264
 * with B-frames (pts != dts; a WebRTC receiver wants RTP timestamps that never go back
 * in decode order) re-encoded without them. A player reading a share keeps the source's
 * timestamps on its own consumer (time_jitter off), so both tracks stay in sync. The
 * player's NACKs are answered from a history of what was sent; an RTCP SR per track
 * each second lets the browser sync audio and video.
 *
 * WebRTC wants its frames at once: the consumer does not merge (mw_latency 0).
 */
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_codec.h"
#include "sr_consumer.h"
#include "sr_error.h"
#include "sr_jitter.h"
#include "sr_log.h"
#include "sr_rtc.h"
#include "sr_rtc_session.h"
#include "sr_rtc_share.h"
#include "sr_rtcp.h"
#include "sr_rtp.h"
#include "sr_rtp_h264.h"
#include "sr_source.h"
#include "sr_srtp.h"
#include "sr_stream_policy.h"
#include "sr_time.h"

#define SR_RTC_PLAY_HISTORY 256 /* video packets kept for NACK answers (~1 s at 2 Mbit/s) */
#define SR_RTC_PLAY_BATCH 32
#define SR_RTC_PLAY_WAKE_US (200 * SR_UTIME_MS)
#define SR_RTC_PLAY_SR_US (SR_UTIME_S)
#define SR_RTC_PLAY_PAYLOAD_MAX (SR_RTC_MTU - SR_RTP_HEADER_BYTES)

/* One outgoing track: its RTP numbering and what the SR reports. */
typedef struct sr_rtc_out {
    sr_rtc_track_t *track;
    uint16_t seq;
    uint32_t ts_base; /* random, as RFC 3550 asks */
    uint32_t last_ts;
    int64_t first_ms;   /* the frame time of the first packet sent */
    int64_t last_ms;    /* the frame time of last_ts */
    sr_utime_t last_us; /* when it was sent */
    uint64_t packets, octets;
    bool has_sent;
} sr_rtc_out_t;

typedef struct sr_rtc_history {
    uint16_t seq;
    uint16_t len; /* 0: empty */
    uint8_t data[SR_RTC_MTU];
} sr_rtc_history_t;

typedef struct sr_rtc_play {
    sr_play_t session;
    sr_consumer_t *consumer;
    sr_vhost_config_t policy; /* the vhost, without merging */
    sr_rtc_out_t audio, video;
    sr_buf_t record;        /* the current AVCDecoderConfigurationRecord */
    sr_avc_config_t config; /* parsed from record (points into it) */
    bool has_config;
    sr_rtp_payloads_t payloads;       /* one frame's RTP payloads, grown as frames need */
    bool is_waiting_key;              /* nothing of the video before a keyframe */
    sr_rtc_share_reader_t opus;       /* the source's AAC as Opus, when its audio is AAC */
    sr_rtc_share_reader_t bframeless; /* the source's video without B-frames, when it has them */
    bool is_bframeless;
    sr_rtc_history_t *history;
    sr_utime_t next_sr_us;
    uint64_t frames, retransmits, unanswered_nacks;
} sr_rtc_play_t;

/* rtmp_to_rtc off: a stream published over anything but WebRTC is not for WebRTC
 * players (SRS's meaning); a stream not published yet is waited for. */
static bool sr_rtc_play_is_bridged(sr_rtc_session_t *s, sr_source_t *src)
{
    sr_source_stats_t st;
    sr_source_get_stats(src, &st);
    if (s->vhost.rtc.is_rtmp_to_rtc || !st.is_publishing) {
        return true;
    }
    for (const sr_client_t *c = sr_server_clients(s->server); c; c = c->next) {
        if (strcmp(c->cid, st.publisher_cid) == 0) {
            return c->type && strncmp(c->type, "rtc-", 4) == 0;
        }
    }
    return true;
}

int sr_rtc_play_begin(sr_rtc_session_t *s)
{
    sr_rtc_play_t *p = SR_NEW(sr_rtc_play_t);
    int rc = sr_play_begin(&p->session, s->server, &s->client, &s->req, false); /* waits for a publisher */
    if (rc == SR_OK && !sr_rtc_play_is_bridged(s, p->session.source)) {
        sr_play_end(&p->session);
        rc = sr_err_new(SR_EVHOST_DISABLED, "rtc.rtmp_to_rtc is off: the stream is not published over WebRTC");
    }
    if (rc != SR_OK) {
        sr_free(p);
        return sr_err_wrap(rc, "play %s/%s refused", s->req.app, s->req.stream);
    }
    s->play = p;
    return SR_OK;
}

void sr_rtc_play_end(sr_rtc_session_t *s)
{
    sr_rtc_play_t *p = s->play;
    if (!p) {
        return;
    }
    sr_trace("rtc play %s/%s/%s: sent %llu frames, %llu retransmitted, %llu NACKed packets no longer held; "
             "video from %lld ms, audio from %lld ms",
             s->req.vhost, s->req.app, s->req.stream, (unsigned long long)p->frames, (unsigned long long)p->retransmits,
             (unsigned long long)p->unanswered_nacks, (long long)(p->video.has_sent ? p->video.first_ms : -1),
             (long long)(p->audio.has_sent ? p->audio.first_ms : -1));
    sr_rtc_share_leave(&p->bframeless); /* before the consumer they wake goes; may yield */
    sr_rtc_share_leave(&p->opus);
    sr_play_end(&p->session);
    sr_buf_deinit(&p->record);
    sr_rtp_payloads_free(&p->payloads);
    sr_free(p->history);
    sr_free(p);
    s->play = NULL;
}

void sr_rtc_play_wake(sr_rtc_session_t *s)
{
    if (s->play && s->play->consumer) {
        sr_consumer_post(s->play->consumer, SR_CONSUMER_EV_WAKEUP);
    }
}

/* ==== sending ==== */

static void sr_rtc_play_remember(sr_rtc_play_t *p, uint16_t seq, const uint8_t *pkt, size_t len)
{
    sr_rtc_history_t *h = &p->history[seq % SR_RTC_PLAY_HISTORY];
    h->seq = seq;
    h->len = (uint16_t)len;
    memcpy(h->data, pkt, len);
}

/* Queue one RTP packet of out with payload (len bytes), at RTP time ts, for the flush at
 * the end of the loop's turn (sr_rtc_play_run). */
static int sr_rtc_play_send(sr_rtc_session_t *s, sr_rtc_out_t *out, uint32_t ts, bool marker, const uint8_t *payload,
                            size_t len)
{
    uint8_t pkt[SR_RTC_MTU + SR_SRTP_MAX_TRAILER];
    sr_rtp_packet_t h = {0};
    h.pt = out->track->pt;
    h.is_marker = marker;
    h.seq = out->seq++;
    h.ts = ts;
    h.ssrc = out->track->ssrc;
    size_t n = 0;
    if (sr_rtp_header_write(&h, NULL, 0, pkt, sizeof(pkt), &n) != SR_OK || n + len > SR_RTC_MTU) {
        sr_err_clear();
        return SR_OK; /* a payload we made too big: skipped, not fatal */
    }
    memcpy(pkt + n, payload, len);
    n += len;
    if (out == &s->play->video) {
        sr_rtc_play_remember(s->play, h.seq, pkt, n);
    }
    out->packets++;
    out->octets += len;
    if (sr_rtc_session_queue_srtp(s, pkt, n, sizeof(pkt), false) != SR_OK) {
        sr_err_clear(); /* not sent: as a network loss */
    }
    return SR_OK;
}

static uint32_t sr_rtc_play_rtp_time(sr_rtc_out_t *out, int64_t ms)
{
    return out->ts_base + (uint32_t)(ms * (int64_t)(out->track->clock / 1000));
}

static void sr_rtc_play_sent(sr_rtc_out_t *out, uint32_t ts, int64_t ms)
{
    if (!out->has_sent) {
        out->first_ms = ms;
    }
    out->last_ts = ts;
    out->last_ms = ms;
    out->last_us = sr_time_mono_us();
    out->has_sent = true;
}

/* Read the source's own timestamps from now on, as the shares do. */
static void sr_rtc_play_use_source_time(sr_rtc_play_t *p)
{
    if (p->policy.time_jitter == SR_JITTER_OFF) {
        return;
    }
    p->policy.time_jitter = SR_JITTER_OFF;
    sr_consumer_policy_t policy;
    sr_stream_policy_player(&p->policy, &policy);
    sr_consumer_set_policy(p->consumer, &policy);
}

/* Take the video from the source's B-frameless share from now on. */
static void sr_rtc_play_use_bframeless(sr_rtc_session_t *s)
{
    sr_rtc_play_t *p = s->play;
    p->is_bframeless = true;
    p->is_waiting_key = true;
    p->has_config = false;
    sr_rtc_play_use_source_time(p);
    sr_rtc_share_join(&p->bframeless, p->session.source, SR_RTC_SHARE_VIDEO, p->consumer, 0);
    sr_trace("rtc play %s/%s/%s: the stream has B-frames, its video goes re-encoded without them", s->req.vhost,
             s->req.app, s->req.stream);
}

static int sr_rtc_play_video(sr_rtc_session_t *s, const sr_packet_t *pkt, bool is_from_share)
{
    sr_rtc_play_t *p = s->play;
    size_t size = 0;
    const uint8_t *body = sr_packet_body(pkt, &size);
    if ((pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) && p->is_bframeless != is_from_share) {
        return SR_OK; /* the other path's record */
    }
    if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
        sr_buf_reset(&p->record);
        sr_buf_put_bytes(&p->record, body, size);
        p->has_config = sr_avc_parse_config(p->record.data, p->record.len, &p->config) == SR_OK;
        sr_err_clear();
        return SR_OK;
    }
    bool is_key = (pkt->flags & SR_PACKET_IS_KEYFRAME) != 0;
    if (!p->is_bframeless && pkt->pts != pkt->dts) {
        sr_rtc_play_use_bframeless(s); /* a stream that got B-frames after this player came */
    }
    if (p->is_bframeless && !is_from_share) {
        return SR_OK;
    }
    if (!p->has_config || (p->is_waiting_key && !is_key)) {
        return SR_OK;
    }
    p->is_waiting_key = false;
    sr_rtp_payloads_t *out = &p->payloads;
    int rc;
    while ((rc = sr_rtp_h264_packetize(body, size, &p->config, is_key, SR_RTC_PLAY_PAYLOAD_MAX, out)) ==
           -SR_EOVERFLOW) {
        sr_rtp_payloads_grow(out);
    }
    if (rc != SR_OK) {
        sr_err_clear();
        return SR_OK; /* a frame we cannot split is skipped */
    }
    uint32_t ts = sr_rtc_play_rtp_time(&p->video, pkt->pts);
    for (size_t i = 0; i < out->nb_items && rc == SR_OK; i++) {
        const sr_rtp_payload_t *it = &out->items[i];
        rc = sr_rtc_play_send(s, &p->video, ts, it->is_marker, out->data + it->offset, it->size);
    }
    sr_rtc_play_sent(&p->video, ts, pkt->pts);
    p->frames++;
    return rc;
}

static int sr_rtc_play_opus(sr_rtc_session_t *s, const sr_packet_t *pkt)
{
    sr_rtc_play_t *p = s->play;
    size_t size = 0;
    const uint8_t *body = sr_packet_body(pkt, &size);
    if ((pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) || size == 0) {
        return SR_OK; /* the OpusHead: RTP carries none */
    }
    uint32_t ts = sr_rtc_play_rtp_time(&p->audio, pkt->dts);
    int rc = sr_rtc_play_send(s, &p->audio, ts, false, body, size);
    sr_rtc_play_sent(&p->audio, ts, pkt->dts);
    return rc;
}

/* Take the audio from the source's AAC-as-Opus share from now on. */
static void sr_rtc_play_use_shared_opus(sr_rtc_session_t *s)
{
    sr_rtc_play_t *p = s->play;
    sr_rtc_play_use_source_time(p);
    sr_rtc_share_join(&p->opus, p->session.source, SR_RTC_SHARE_AUDIO, p->consumer, s->vhost.rtc.opus_bitrate);
}

/* Audio from the player's own consumer. Once the stream's AAC made the player join the
 * Opus share, the share sends all audio (it passes Opus through); the consumer's frames
 * then only say where on the timeline this player starts. */
static int sr_rtc_play_audio(sr_rtc_session_t *s, const sr_packet_t *pkt)
{
    sr_rtc_play_t *p = s->play;
    if (!sr_rtc_share_is_joined(&p->opus)) {
        if (pkt->codec == SR_CODEC_OPUS) {
            return sr_rtc_play_opus(s, pkt);
        }
        if (pkt->codec != SR_CODEC_AAC || !(pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER)) {
            return SR_OK; /* MP3, G.711, ...: nothing a browser negotiated; AAC before its config */
        }
        sr_rtc_play_use_shared_opus(s);
    }
    if (!(pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER)) {
        sr_rtc_share_place(&p->opus, pkt->dts);
    }
    return SR_OK;
}

/* An RTCP SR for out: its RTP time now, extrapolated from the last frame sent. */
static void sr_rtc_play_send_sr(sr_rtc_session_t *s, sr_rtc_out_t *out)
{
    if (!out->has_sent) {
        return;
    }
    sr_utime_t now = sr_time_mono_us();
    uint32_t ts = out->last_ts + (uint32_t)((now - out->last_us) * (int64_t)out->track->clock / SR_UTIME_S);
    sr_rtcp_sr_t sr = {0};
    sr.ssrc = out->track->ssrc;
    sr.ntp = sr_rtcp_ntp_from_us(sr_time_wall_us());
    sr.rtp_ts = ts;
    sr.packet_count = (uint32_t)out->packets;
    sr.octet_count = (uint32_t)out->octets;
    uint8_t pkt[128 + SR_SRTP_MAX_TRAILER];
    size_t n = 0;
    if (sr_rtcp_write_sr(&sr, pkt, 128, &n) != SR_OK ||
        sr_rtc_session_queue_srtp(s, pkt, n, sizeof(pkt), true) != SR_OK) {
        sr_err_clear();
    }
}

static void sr_rtc_play_tick(sr_rtc_session_t *s)
{
    sr_rtc_play_t *p = s->play;
    sr_utime_t now = sr_time_mono_us();
    if (now < p->next_sr_us) {
        return;
    }
    p->next_sr_us = now + SR_RTC_PLAY_SR_US;
    if (s->video.codec != SR_CODEC_NONE) {
        sr_rtc_play_send_sr(s, &p->video);
    }
    if (s->audio.codec != SR_CODEC_NONE) {
        sr_rtc_play_send_sr(s, &p->audio);
    }
}

static int sr_rtc_play_packet(sr_rtc_session_t *s, const sr_packet_t *pkt)
{
    if (pkt->type == SR_PACKET_VIDEO && s->video.codec == SR_CODEC_H264 && pkt->codec == SR_CODEC_H264) {
        return sr_rtc_play_video(s, pkt, false);
    }
    if (pkt->type == SR_PACKET_AUDIO && s->audio.codec == SR_CODEC_OPUS) {
        return sr_rtc_play_audio(s, pkt);
    }
    return SR_OK;
}

static void sr_rtc_play_init_out(sr_rtc_out_t *out, sr_rtc_track_t *t)
{
    out->track = t;
    uint32_t r = sr_rtc_session_random_ssrc();
    out->seq = (uint16_t)r;
    out->ts_base = r & 0x7fffffff;
}

int sr_rtc_play_run(sr_rtc_session_t *s)
{
    sr_rtc_play_t *p = s->play;
    sr_rtc_play_init_out(&p->video, &s->video);
    sr_rtc_play_init_out(&p->audio, &s->audio);
    p->history = sr_calloc(SR_RTC_PLAY_HISTORY, sizeof(sr_rtc_history_t));
    p->is_waiting_key = true;
    sr_buf_init(&p->record);
    sr_server_config_vhost_detach(&p->policy, &s->vhost);
    p->policy.mw_latency_ms = 0;
    p->policy.is_min_latency = true;
    bool has_bframes = sr_source_has_reordered_video(p->session.source);
    const sr_packet_t *audio_config = sr_source_audio_sequence_header(p->session.source);
    bool has_aac = s->audio.codec == SR_CODEC_OPUS && audio_config && audio_config->codec == SR_CODEC_AAC;
    if (has_bframes || has_aac) {
        p->policy.time_jitter = SR_JITTER_OFF; /* a share's timestamps are the source's from the start */
    }
    p->consumer = sr_play_attach(&p->session, &p->policy);
    if (has_bframes) {
        sr_rtc_play_use_bframeless(s);
    }
    if (has_aac) {
        sr_rtc_play_use_shared_opus(s);
    }
    sr_trace("rtc play %s/%s/%s start", s->req.vhost, s->req.app, s->req.stream);
    int rc = SR_OK;
    while (rc == SR_OK && !sr_rtc_session_check(s)) {
        rc = sr_consumer_wait(p->consumer, SR_RTC_PLAY_WAKE_US);
        if (rc == -SR_EINTERRUPTED) {
            break;
        }
        rc = SR_OK;
        sr_err_clear();
        unsigned ev = sr_consumer_take_events(p->consumer);
        if (ev & SR_CONSUMER_EV_PUBLISH) {
            p->is_waiting_key = true; /* a republish: its own parameter sets and keyframe */
        }
        sr_packet_t pkts[SR_RTC_PLAY_BATCH];
        size_t n;
        while (rc == SR_OK && (n = sr_consumer_fetch(p->consumer, pkts, SR_ARRAY_SIZE(pkts))) > 0) {
            for (size_t i = 0; i < n; i++) {
                if (rc == SR_OK) {
                    rc = sr_rtc_play_packet(s, &pkts[i]);
                }
                sr_packet_deinit(&pkts[i]);
            }
        }
        sr_packet_t v, a;
        while (rc == SR_OK && sr_rtc_share_fetch(&p->bframeless, &v)) {
            rc = sr_rtc_play_video(s, &v, true);
            sr_packet_deinit(&v);
        }
        while (rc == SR_OK && sr_rtc_share_fetch(&p->opus, &a)) {
            rc = sr_rtc_play_opus(s, &a);
            sr_packet_deinit(&a);
        }
        sr_rtc_play_tick(s);
        /* what this turn queued (frames, SRs) leaves now, in as few syscalls as the
         * kernel allows, before the wait yields */
        sr_rtc_hub_flush();
    }
    sr_rtc_hub_flush();
    return rc;
}

/* ==== RTCP from the player ==== */

static void sr_rtc_play_on_nack(sr_rtc_session_t *s, const uint16_t *seqs, size_t n)
{
    sr_rtc_play_t *p = s->play;
    for (size_t i = 0; i < n; i++) {
        s->nacks_in++;
        sr_rtc_history_t *h = p->history ? &p->history[seqs[i] % SR_RTC_PLAY_HISTORY] : NULL;
        if (!h || h->len == 0 || h->seq != seqs[i]) {
            p->unanswered_nacks++;
            continue;
        }
        uint8_t pkt[SR_RTC_MTU + SR_SRTP_MAX_TRAILER];
        memcpy(pkt, h->data, h->len);
        if (sr_rtc_session_queue_srtp(s, pkt, h->len, sizeof(pkt), false) != SR_OK) {
            sr_err_clear();
        }
        p->retransmits++;
        sr_rtc_stats_mut()->retransmitted++;
    }
    sr_rtc_hub_flush(); /* the answers to one NACK in one go */
}

void sr_rtc_play_on_rtcp(sr_rtc_session_t *s, const uint8_t *data, size_t len)
{
    if (!s->play) {
        return;
    }
    sr_rtcp_iter_t it;
    sr_rtcp_packet_t pk;
    sr_rtcp_iter_init(&it, data, len);
    while (sr_rtcp_next(&it, &pk) == SR_OK) {
        sr_rtcp_fb_t fb;
        if (pk.pt == SR_RTCP_RTPFB && pk.count == SR_RTCP_RTPFB_NACK && s->vhost.rtc.is_nack) {
            uint16_t seqs[256];
            size_t n = 0;
            int rc = sr_rtcp_parse_nack(&pk, &fb, seqs, SR_ARRAY_SIZE(seqs), &n);
            if ((rc == SR_OK || rc == -SR_EOVERFLOW) && fb.media_ssrc == s->video.ssrc) {
                sr_rtc_play_on_nack(s, seqs, n);
            }
        } else if (pk.pt == SR_RTCP_PSFB && (pk.count == SR_RTCP_PSFB_PLI || pk.count == SR_RTCP_PSFB_FIR)) {
            s->plis_in++; /* a WHIP publisher is asked for a keyframe; others' next one answers it */
            if (s->play->is_bframeless) {
                sr_rtc_share_request_key(&s->play->bframeless); /* our encoder answers at once */
            } else {
                sr_rtc_hub_request_keyframe(s->play->session.source);
            }
        }
    }
    sr_err_clear();
}
