/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_nal.h: the depacketizer of the NAL-unit video formats, H.264 (RFC 6184
 * packetization-mode 1: single NAL unit packets, STAP-A, FU-A) and H.265 (RFC 7798
 * without DONL: single NAL unit packets, AP, FU): RTP packets in any order (reordered
 * through sr_rtp_reorder) back into canonical frames (NAL units with 4-byte lengths)
 * and decoder configuration records (AVCDecoderConfigurationRecord,
 * HEVCDecoderConfigurationRecord), dropping what a loss broke until the next keyframe
 * (an IDR, an IRAP). The two formats differ only in their NAL header (one byte or
 * two), the aggregation and fragmentation types and the parameter sets, which a small
 * table in sr_rtp_nal_depack.c holds. RTP timestamps are 90 kHz; mapping them to
 * dts/pts in ms is the caller's. Allocates (sr_malloc aborts on failure); no logging,
 * no error trail. Packetizers: sr_rtp_h264.h, sr_rtp_h265.h.
 */
#ifndef SR_RTP_NAL_H
#define SR_RTP_NAL_H

#include "sr_codec_id.h"
#include "sr_core.h"
#include "sr_rtp.h"

SR_BEGIN_DECLS

/* Frames bigger than this are dropped as broken (as SR_TS_DEMUX_MAX_PES_BYTES). */
#define SR_RTP_NAL_MAX_FRAME_BYTES (8u << 20)

/* A frame assembled from RTP, borrowed from the depacketizer during the callback. */
typedef struct sr_rtp_nal_frame {
    const uint8_t *data; /* canonical: >= 1 NAL unit, no parameter sets, AUD or filler */
    size_t size;
    uint32_t rtp_ts;       /* 90 kHz, the frame's RTP timestamp */
    bool is_keyframe;      /* an IDR (H.264) or IRAP (H.265) picture is in it */
    const uint8_t *config; /* a new decoder configuration record that applies from this
                              frame on (the parameter sets seen in-band changed), else NULL */
    size_t config_size;
} sr_rtp_nal_frame_t;

/* Called once per complete frame, in sequence order. frame and everything it points
 * to are valid only during the call. The callee must not call into the depacketizer
 * except the read-only getters. */
typedef void (*sr_rtp_nal_frame_fn)(void *arg, const sr_rtp_nal_frame_t *frame);

typedef struct sr_rtp_nal_stats {
    uint64_t frames;          /* delivered */
    uint64_t dropped_broken;  /* frames a loss or malformed packet broke */
    uint64_t dropped_waiting; /* whole frames dropped while waiting for a keyframe (or a config) */
    uint64_t malformed;       /* packets with a bad aggregation or fragment, or a mode 2 payload */
    uint64_t bad_param_sets;  /* in-band parameter sets no record could be built from */
    uint64_t configs;         /* configs delivered */
} sr_rtp_nal_stats_t;

typedef struct sr_rtp_nal_depack sr_rtp_nal_depack_t;

/* A depacketizer for one stream (one SSRC) of codec (SR_CODEC_H264 or SR_CODEC_H265)
 * whose reorder buffer holds window packets for at most max_delay_us
 * (sr_rtp_reorder_new; e.g. 512 and 100 ms to let NACKed retransmissions arrive). NULL
 * for another codec, or if window is not a power of two 2..SR_RTP_REORDER_MAX_WINDOW.
 * Frames go to on_frame(arg, ...); arg is borrowed. Free with sr_rtp_nal_depack_free. */
sr_rtp_nal_depack_t *sr_rtp_nal_depack_new(sr_codec_id_t codec, size_t window, int64_t max_delay_us,
                                           sr_rtp_nal_frame_fn on_frame, void *arg);
/* Free d, held packets and the frame being built. NULL ok. */
void sr_rtp_nal_depack_free(sr_rtp_nal_depack_t *d);
/* Start from a config known out of band (SDP sprop-parameter-sets, sprop-vps/sps/pps,
 * via sr_codec_fmtp_config): frames can be delivered before the parameter sets come
 * in-band, and the record goes out with the next frame like an in-band one. record is
 * copied. Codes of sr_avc_parse_config / sr_hevc_parse_config. */
int sr_rtp_nal_depack_set_config(sr_rtp_nal_depack_t *d, const uint8_t *record, size_t size);
/* Take one RTP packet of the stream (borrowed; seq, ts, is_marker and the payload are
 * used) that arrived at now_us (monotonic). Frames completed by it are delivered from
 * inside this call. Empty payloads (padding-only probes) only move the sequence on. */
void sr_rtp_nal_depack_push(sr_rtp_nal_depack_t *d, const sr_rtp_packet_t *pkt, int64_t now_us);
/* Give up gaps older than max_delay_us (a timer calls this when packets stop). */
void sr_rtp_nal_depack_tick(sr_rtp_nal_depack_t *d, int64_t now_us);
/* End of stream: release what is held, gaps lost; a frame without its marker packet
 * is dropped. */
void sr_rtp_nal_depack_flush(sr_rtp_nal_depack_t *d);
/* Whether frames are being dropped for want of a keyframe: at the start, and after a
 * loss or a malformed packet until a keyframe arrives whole. While true the app
 * should ask the sender for one (RTCP PLI or FIR), rate-limited. */
bool sr_rtp_nal_depack_need_keyframe(const sr_rtp_nal_depack_t *d);
/* The reorder buffer inside: its stats, and sr_rtp_reorder_missing() for what to
 * NACK. Borrowed; push packets through sr_rtp_nal_depack_push only. */
sr_rtp_reorder_t *sr_rtp_nal_depack_reorder(sr_rtp_nal_depack_t *d);
/* Counters since new. Borrowed from d. */
const sr_rtp_nal_stats_t *sr_rtp_nal_depack_stats(const sr_rtp_nal_depack_t *d);

SR_END_DECLS

#endif
