/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_whep_play.c: the WebRTC player of strand_bench (WHEP). Each session POSTs a
 * recvonly H.264 + Opus offer and connects through the shared transport
 * (sr_bench_rtc.h: ICE, DTLS client, SRTP, consent), then unprotects RTP. Video goes
 * through the server's own H.264 depacketizer so frames are counted as for the RTSP
 * player, and sequence gaps as lost packets; audio packets are counted.
 *
 * Not for: sending media or RTCP (sr_bench_whip_publish.c sends).
 */
#include <string.h>

#include "sr_bench.h"
#include "sr_bench_rtc.h"
#include "sr_rtp.h"
#include "sr_rtp_nal.h"

typedef struct sr_bench_whep {
    sr_bench_rtc_t rtc;
    sr_rtp_nal_depack_t *h264;
    bool has_seq;
    uint16_t last_seq;
} sr_bench_whep_t;

static void sr_bench_whep_on_frame(void *arg, const sr_rtp_nal_frame_t *f)
{
    sr_bench_whep_t *w = arg;
    sr_bench_stats_h264_frame(w->rtc.c, f->is_keyframe, f->data, f->size, f->rtp_ts);
}

static void sr_bench_whep_on_rtp(void *arg, uint8_t *data, size_t n)
{
    sr_bench_whep_t *w = arg;
    sr_bench_conn_t *c = w->rtc.c;
    uint8_t pt = data[1] & 0x7f;
    if (pt >= 64 && pt <= 95) {
        return; /* RTCP (RFC 5761 4): not counted */
    }
    if (sr_srtp_unprotect_rtp(w->rtc.srtp, data, &n) != SR_OK) {
        return;
    }
    sr_rtp_packet_t pkt;
    if (sr_rtp_parse(data, n, &pkt) != SR_OK) {
        return;
    }
    c->bytes += pkt.payload_size;
    c->packets++;
    if (pkt.pt == w->rtc.video_pt) {
        if (w->has_seq && pkt.seq != (uint16_t)(w->last_seq + 1) && (int16_t)(pkt.seq - w->last_seq) > 0) {
            c->lost += (uint16_t)(pkt.seq - w->last_seq - 1);
        }
        if (!w->has_seq || (int16_t)(pkt.seq - w->last_seq) > 0) {
            w->last_seq = pkt.seq;
        }
        w->has_seq = true;
        sr_rtp_nal_depack_push(w->h264, &pkt, (int64_t)sr_time_mono_us());
    } else if (pkt.pt == w->rtc.audio_pt) {
        sr_bench_stats_media(c, 8, pkt.ts, NULL, 0);
    }
}

void sr_bench_whep_play_cycle(void *arg)
{
    sr_bench_conn_t *c = arg;
    sr_bench_whep_t w;
    memset(&w, 0, sizeof(w));
    const sr_bench_rtc_hooks_t hooks = {.arg = &w, .on_packet = sr_bench_whep_on_rtp};
    w.h264 = sr_rtp_nal_depack_new(SR_CODEC_H264, 64, 0, sr_bench_whep_on_frame, &w);
    int rc = sr_bench_rtc_init(&w.rtc, c, &hooks);
    rc = rc ? rc : sr_bench_rtc_negotiate(&w.rtc, c->opts->url, "recvonly", 0, 0);
    rc = rc ? rc : sr_bench_rtc_run(&w.rtc);
    sr_bench_conn_end(c, rc);
    sr_bench_rtc_deinit(&w.rtc);
    sr_rtp_nal_depack_free(w.h264);
}
