/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_play.c: an RTSP player: the stream's frames as RTP, interleaved on the RTSP
 * connection or to the player's UDP ports. It attaches like any player (configs, then
 * the cached GOP from a keyframe), so it starts decoding at once. Like an RTMP
 * player it sleeps on its consumer and looks at what the player sent (RTCP, keep-alive
 * requests, TEARDOWN) only when bytes are pending; a TCP batch goes out in one write.
 * RTP times count from the first frame sent, so they match the RTP-Info of the PLAY
 * reply; an RTCP SR per track each second lets the player sync audio and video.
 */
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_codec.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_random.h"
#include "sr_rtcp.h"
#include "sr_rtp.h"
#include "sr_rtp_aac.h"
#include "sr_rtp_h264.h"
#include "sr_rtp_h265.h"
#include "sr_rtsp_conn.h"
#include "sr_rtsp_udp.h"
#include "sr_time.h"

#define SR_RTSP_PLAY_BATCH 32
#define SR_RTSP_PLAY_WAKE_US (200 * SR_UTIME_MS)
#define SR_RTSP_PLAY_SR_US (SR_UTIME_S)
#define SR_RTSP_PLAY_MTU 1400 /* RTP packet over UDP: header and payload */
#define SR_RTSP_PLAY_PAYLOAD_MAX (SR_RTSP_PLAY_MTU - SR_RTP_HEADER_BYTES)
/* Buffers a burst (a keyframe, the cached GOP) grew beyond this are given back after
 * it: a thousand idle players should not each keep a keyframe's worth. */
#define SR_RTSP_PLAY_KEEP_BYTES (16 * 1024)

typedef struct sr_rtsp_out {
    const sr_rtsp_track_t *track; /* NULL: not set up */
    uint32_t ssrc;
    uint16_t seq;
    uint32_t ts_base;
    uint32_t last_ts;
    int64_t last_ms;
    sr_utime_t last_us;
    uint64_t packets, octets;
    bool has_sent;
} sr_rtsp_out_t;

typedef struct sr_rtsp_player {
    sr_rtsp_out_t video, audio;
    bool has_ms0;
    int64_t ms0;           /* the frame time RTP time ts_base stands for */
    int64_t wall0_us;      /* the NTP time SRs give ms0: one mapping for every track */
    sr_buf_t record;       /* the current decoder configuration record */
    sr_avc_config_t avc;   /* parsed from record (H.264) */
    sr_hevc_config_t hevc; /* parsed from record (H.265) */
    bool has_config;
    bool is_waiting_key;
    sr_rtp_payloads_t payloads;
    sr_buf_t batch; /* interleaved frames of one wake */
    sr_utime_t next_sr_us;
} sr_rtsp_player_t;

static void sr_rtsp_play_init_out(sr_rtsp_out_t *o, const sr_rtsp_track_t *t)
{
    o->track = t;
    o->ssrc = sr_random_u32();
    o->seq = (uint16_t)sr_random_u32();
    o->ts_base = sr_random_u32() & 0x7fffffff;
}

void sr_rtsp_play_prepare(sr_rtsp_conn_t *c, sr_buf_t *rtp_info)
{
    sr_rtsp_player_t *p = SR_NEW(sr_rtsp_player_t);
    c->player = p;
    sr_buf_init(&p->record);
    sr_buf_init(&p->batch);
    p->is_waiting_key = true;
    size_t n = strlen(c->base_url);
    const char *sep = n && c->base_url[n - 1] == '/' ? "" : "/";
    for (size_t i = 0; i < c->nb_tracks; i++) {
        const sr_rtsp_track_t *t = &c->tracks[i];
        sr_rtsp_out_t *o = t->is_video ? &p->video : &p->audio;
        if (!t->is_setup || o->track) {
            continue;
        }
        sr_rtsp_play_init_out(o, t);
        sr_buf_printf(rtp_info, "%surl=%s%s%s;seq=%u;rtptime=%u", rtp_info->len ? "," : "", c->base_url, sep,
                      t->control, o->seq, o->ts_base);
    }
}

bool sr_rtsp_play_can_send(sr_codec_id_t codec)
{
    return codec == SR_CODEC_H264 || codec == SR_CODEC_H265 || codec == SR_CODEC_OPUS || codec == SR_CODEC_AAC;
}

void sr_rtsp_play_free(sr_rtsp_conn_t *c)
{
    sr_rtsp_player_t *p = c->player;
    if (!p) {
        return;
    }
    sr_buf_deinit(&p->record);
    sr_buf_deinit(&p->batch);
    sr_rtp_payloads_free(&p->payloads);
    sr_free(p);
    c->player = NULL;
}

/* ==== sending ==== */

/* One RTP (or RTCP) packet to the player: into the batch for TCP, out at once for UDP. */
static void sr_rtsp_play_emit(sr_rtsp_conn_t *c, const sr_rtsp_track_t *t, bool is_rtcp, const uint8_t *head,
                              size_t head_len, const uint8_t *body, size_t body_len)
{
    sr_rtsp_player_t *p = c->player;
    if (t->transport.is_tcp) {
        uint8_t h[SR_RTSP_INTERLEAVED_HEADER];
        sr_rtsp_interleaved_header(h, t->transport.interleaved[is_rtcp], head_len + body_len);
        sr_buf_put_bytes(&p->batch, h, sizeof(h));
        sr_buf_put_bytes(&p->batch, head, head_len);
        sr_buf_put_bytes(&p->batch, body, body_len);
        return;
    }
    uint8_t pkt[SR_RTSP_PLAY_MTU + 64];
    if (head_len + body_len > sizeof(pkt)) {
        return;
    }
    memcpy(pkt, head, head_len);
    memcpy(pkt + head_len, body, body_len);
    if (sr_rtsp_udp_send(is_rtcp, pkt, head_len + body_len, is_rtcp ? &t->rtcp_peer : &t->rtp_peer) != SR_OK) {
        sr_err_clear(); /* a full socket buffer drops it, as the network would */
    }
}

static uint32_t sr_rtsp_play_rtp_time(sr_rtsp_player_t *p, const sr_rtsp_out_t *o, int64_t ms)
{
    if (!p->has_ms0) {
        p->has_ms0 = true;
        p->ms0 = ms;
        p->wall0_us = sr_time_wall_us();
    }
    return o->ts_base + (uint32_t)((ms - p->ms0) * (int64_t)o->track->clock / 1000);
}

static void sr_rtsp_play_send_sr(sr_rtsp_conn_t *c, sr_rtsp_out_t *o);

static void sr_rtsp_play_rtp(sr_rtsp_conn_t *c, sr_rtsp_out_t *o, uint32_t ts, bool marker, const uint8_t *payload,
                             size_t len)
{
    if (!o->has_sent) {
        /* an SR before the first packet: players (ffmpeg) sync the tracks from the start */
        o->last_ts = ts;
        o->last_ms = c->player->ms0 + (int64_t)(ts - o->ts_base) * 1000 / (int64_t)o->track->clock;
        o->has_sent = true;
        sr_rtsp_play_send_sr(c, o);
    }
    uint8_t head[SR_RTP_HEADER_BYTES + 16];
    sr_rtp_packet_t h = {0};
    h.pt = o->track->pt;
    h.is_marker = marker;
    h.seq = o->seq++;
    h.ts = ts;
    h.ssrc = o->ssrc;
    size_t n = 0;
    if (sr_rtp_header_write(&h, NULL, 0, head, sizeof(head), &n) != SR_OK) {
        sr_err_clear();
        return;
    }
    sr_rtsp_play_emit(c, o->track, false, head, n, payload, len);
    o->packets++;
    o->octets += len;
}

static void sr_rtsp_play_sent(sr_rtsp_out_t *o, uint32_t ts, int64_t ms)
{
    o->last_ts = ts;
    o->last_ms = ms;
    o->last_us = sr_time_mono_us();
    o->has_sent = true;
}

/* H.264 (RFC 6184) or H.265 (RFC 7798), parameter sets before every keyframe. */
static void sr_rtsp_play_video(sr_rtsp_conn_t *c, const sr_packet_t *pkt)
{
    sr_rtsp_player_t *p = c->player;
    size_t size = 0;
    const uint8_t *body = sr_packet_body(pkt, &size);
    if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
        sr_buf_reset(&p->record);
        sr_buf_put_bytes(&p->record, body, size);
        p->has_config = pkt->codec == SR_CODEC_H264
                            ? sr_avc_parse_config(p->record.data, p->record.len, &p->avc) == SR_OK
                            : sr_hevc_parse_config(p->record.data, p->record.len, &p->hevc) == SR_OK;
        sr_err_clear();
        return;
    }
    bool is_key = (pkt->flags & SR_PACKET_IS_KEYFRAME) != 0;
    if (!p->has_config || (p->is_waiting_key && !is_key)) {
        return;
    }
    p->is_waiting_key = false;
    sr_rtp_payloads_t *out = &p->payloads;
    int rc;
    while ((rc = pkt->codec == SR_CODEC_H264
                     ? sr_rtp_h264_packetize(body, size, &p->avc, is_key, SR_RTSP_PLAY_PAYLOAD_MAX, out)
                     : sr_rtp_h265_packetize(body, size, &p->hevc, is_key, SR_RTSP_PLAY_PAYLOAD_MAX, out)) ==
           -SR_EOVERFLOW) {
        sr_rtp_payloads_grow(out);
    }
    if (rc != SR_OK) {
        sr_err_clear();
        return; /* a frame we cannot split is skipped */
    }
    uint32_t ts = sr_rtsp_play_rtp_time(p, &p->video, pkt->pts);
    for (size_t i = 0; i < out->nb_items; i++) {
        const sr_rtp_payload_t *it = &out->items[i];
        sr_rtsp_play_rtp(c, &p->video, ts, it->is_marker, out->data + it->offset, it->size);
    }
    sr_rtsp_play_sent(&p->video, ts, pkt->pts);
    c->frames_sent++;
    if (out->cap > SR_RTSP_PLAY_KEEP_BYTES) {
        sr_rtp_payloads_free(out);
    }
}

/* Audio carried one frame per packet as it is: Opus (RFC 7587). */
static void sr_rtsp_play_audio_frame(sr_rtsp_conn_t *c, const sr_packet_t *pkt)
{
    sr_rtsp_player_t *p = c->player;
    size_t size = 0;
    const uint8_t *body = sr_packet_body(pkt, &size);
    if ((pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) || size == 0 || p->is_waiting_key) {
        return; /* no audio before the first video keyframe: players start on it */
    }
    uint32_t ts = sr_rtsp_play_rtp_time(p, &p->audio, pkt->dts);
    sr_rtsp_play_rtp(c, &p->audio, ts, true, body, size);
    sr_rtsp_play_sent(&p->audio, ts, pkt->dts);
    c->frames_sent++;
}

/* AAC as mpeg4-generic (RFC 3640 AAC-hbr): one AU per packet, fragmented when large. */
static void sr_rtsp_play_aac(sr_rtsp_conn_t *c, const sr_packet_t *pkt)
{
    sr_rtsp_player_t *p = c->player;
    size_t size = 0;
    const uint8_t *body = sr_packet_body(pkt, &size);
    if ((pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) || size == 0 || p->is_waiting_key) {
        return; /* the config went in the SDP */
    }
    sr_rtp_payloads_t *out = &p->payloads;
    int rc;
    while ((rc = sr_rtp_aac_packetize(body, size, SR_RTSP_PLAY_PAYLOAD_MAX, out)) == -SR_EOVERFLOW) {
        sr_rtp_payloads_grow(out);
    }
    if (rc != SR_OK) {
        sr_err_clear();
        return;
    }
    uint32_t ts = sr_rtsp_play_rtp_time(p, &p->audio, pkt->dts);
    for (size_t i = 0; i < out->nb_items; i++) {
        const sr_rtp_payload_t *it = &out->items[i];
        sr_rtsp_play_rtp(c, &p->audio, ts, it->is_marker, out->data + it->offset, it->size);
    }
    sr_rtsp_play_sent(&p->audio, ts, pkt->dts);
    c->frames_sent++;
}

static void sr_rtsp_play_packet(sr_rtsp_conn_t *c, const sr_packet_t *pkt)
{
    sr_rtsp_player_t *p = c->player;
    if (pkt->type == SR_PACKET_VIDEO && p->video.track && pkt->codec == p->video.track->codec) {
        sr_rtsp_play_video(c, pkt); /* H.264 or H.265: the track's codec */
    } else if (pkt->type == SR_PACKET_AUDIO && p->audio.track && pkt->codec == p->audio.track->codec) {
        if (!p->video.track) {
            p->is_waiting_key = false; /* audio only */
        }
        if (pkt->codec == SR_CODEC_OPUS) {
            sr_rtsp_play_audio_frame(c, pkt);
        } else if (pkt->codec == SR_CODEC_AAC) {
            sr_rtsp_play_aac(c, pkt);
        }
    }
}

static void sr_rtsp_play_send_sr(sr_rtsp_conn_t *c, sr_rtsp_out_t *o)
{
    if (!o->track || !o->has_sent) {
        return;
    }
    /* the last frame's RTP time at the NTP time of its place on the stream's timeline:
     * the same mapping for both tracks, so players line them up even while a burst (the
     * cached GOP) arrives faster than real time */
    sr_rtcp_sr_t sr = {0};
    sr.ssrc = o->ssrc;
    sr.ntp = sr_rtcp_ntp_from_us(c->player->wall0_us + (o->last_ms - c->player->ms0) * 1000);
    sr.rtp_ts = o->last_ts;
    sr.packet_count = (uint32_t)o->packets;
    sr.octet_count = (uint32_t)o->octets;
    uint8_t buf[128];
    size_t n = 0;
    if (sr_rtcp_write_sr(&sr, buf, sizeof(buf), &n) == SR_OK) {
        sr_rtsp_play_emit(c, o->track, true, buf, n, NULL, 0);
    }
    sr_err_clear();
}

static void sr_rtsp_play_tick(sr_rtsp_conn_t *c)
{
    sr_rtsp_player_t *p = c->player;
    sr_utime_t now = sr_time_mono_us();
    if (now < p->next_sr_us) {
        return;
    }
    p->next_sr_us = now + SR_RTSP_PLAY_SR_US;
    sr_rtsp_play_send_sr(c, &p->video);
    sr_rtsp_play_send_sr(c, &p->audio);
}

static int sr_rtsp_play_flush(sr_rtsp_conn_t *c)
{
    sr_rtsp_player_t *p = c->player;
    if (!p->batch.len) {
        return SR_OK;
    }
    int rc = sr_io_write(c->io, p->batch.data, p->batch.len);
    sr_buf_reset(&p->batch);
    if (p->batch.cap > SR_RTSP_PLAY_KEEP_BYTES) {
        sr_buf_deinit(&p->batch);
        sr_buf_init(&p->batch);
    }
    return rc;
}

/* Whether a UDP player has not been heard of (RTCP, a request) for session_timeout. */
static bool sr_rtsp_play_is_silent(const sr_rtsp_conn_t *c)
{
    const sr_rtsp_player_t *p = c->player;
    const sr_rtsp_out_t *o = p->video.track ? &p->video : &p->audio;
    if (!o->track || o->track->transport.is_tcp) {
        return false; /* the connection tells when a TCP player is gone */
    }
    sr_utime_t timeout = (sr_utime_t)sr_server_config(c->server)->rtsp_server.session_timeout_s * SR_UTIME_S;
    return sr_time_mono_us() - c->last_seen_us > timeout;
}

int sr_rtsp_play_run(sr_rtsp_conn_t *c, sr_consumer_t *consumer)
{
    sr_rtsp_player_t *p = c->player;
    int rc = SR_OK;
    while (rc == SR_OK && c->phase == SR_RTSP_PHASE_PLAY && (rc = sr_co_pull()) == SR_OK) {
        rc = sr_consumer_wait(consumer, SR_RTSP_PLAY_WAKE_US);
        if (rc == -SR_EINTERRUPTED) {
            break;
        }
        sr_err_clear();
        rc = SR_OK;
        if (sr_consumer_take_events(consumer) & SR_CONSUMER_EV_PUBLISH) {
            p->is_waiting_key = true; /* a republish: its own parameter sets and keyframe */
        }
        if (sr_sock_pending_bytes(c->sock) > 0) {
            rc = sr_rtsp_conn_read(c, 0); /* bytes are there: poll */
            if (rc == -SR_ETIMEOUT) {
                sr_err_clear();
                rc = SR_OK;
            }
        }
        sr_packet_t pkts[SR_RTSP_PLAY_BATCH];
        size_t n;
        while (rc == SR_OK && (n = sr_consumer_fetch(consumer, pkts, SR_ARRAY_SIZE(pkts))) > 0) {
            for (size_t i = 0; i < n; i++) {
                if (!c->is_paused) {
                    sr_rtsp_play_packet(c, &pkts[i]);
                }
                sr_packet_deinit(&pkts[i]);
            }
            rc = sr_rtsp_play_flush(c);
        }
        sr_rtsp_play_tick(c);
        rc = rc ? rc : sr_rtsp_play_flush(c);
        if (rc == SR_OK && sr_rtsp_play_is_silent(c)) {
            rc = sr_err_new(SR_ETIMEOUT, "rtsp player silent for %d s",
                            sr_server_config(c->server)->rtsp_server.session_timeout_s);
        }
    }
    return rc;
}
