/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_h264.h: the H.264 RTP payload format, RFC 6184 packetization-mode 1 (single
 * NAL unit packets, STAP-A, FU-A), both ways:
 *   packetizer:   one canonical frame (AVCC: NAL units with 4-byte big-endian
 *                 lengths, sr_codec_id.h) into RTP payloads, once per frame, shared by
 *                 every player (each writes its own RTP header: ssrc, seq, timestamp);
 *   depacketizer: RTP packets in any order (reordered through sr_rtp_reorder) back
 *                 into canonical frames and AVCDecoderConfigurationRecords, dropping
 *                 what a loss broke until the next keyframe.
 * RTP timestamps are 90 kHz (RFC 6184 5.1); mapping them to dts/pts in ms is the
 * caller's (sr_rtp_ts_unwrap, RTCP SR for A/V sync).
 *
 * Not here: packetization-mode 0 or 2 (STAP-B, MTAP, FU-B are dropped as malformed),
 * H.265 (RFC 7798), SDP. The packetizer writes caller buffers; the depacketizer
 * allocates (sr_malloc aborts on failure). No logging, no error trail.
 */
#ifndef SR_RTP_H264_H
#define SR_RTP_H264_H

#include "sr_codec.h"
#include "sr_core.h"
#include "sr_rtp.h"

SR_BEGIN_DECLS

/* RFC 6184 5.2 payload structures (the NAL unit type field of the first byte). */
#define SR_RTP_H264_STAP_A 24
#define SR_RTP_H264_FU_A 28
/* The smallest max_payload the packetizer takes: a FU-A indicator and header and one
 * byte of the NAL unit. */
#define SR_RTP_H264_MIN_PAYLOAD 3

/* ==== packetizer ==== */

/* Packetize one canonical H.264 frame frame[0..size) into out (sr_rtp.h), each
 * payload at most max_payload bytes (SR_RTP_H264_MIN_PAYLOAD..65535; 1200 leaves room
 * for RTP, SRTP and IP headers in a 1280-byte path MTU):
 *   - AUD (9), filler (12) and NAL types RFC 6184 reserves for itself (0, 24..31) are
 *     dropped; SEI and everything else is kept, in order;
 *   - a keyframe (is_keyframe, or an IDR in the frame) gets the SPS and PPS of config
 *     in front, unless the frame carries its own SPS, so a player joining at that
 *     keyframe can decode it; config may be NULL (nothing is added);
 *   - consecutive NAL units that fit one payload together go in a STAP-A (so SPS+PPS
 *     share one), a NAL unit that fits alone goes as a single NAL unit packet, a larger
 *     one is split into FU-A fragments of near-equal size;
 *   - the last payload has is_marker set (the RTP marker bit: end of the frame).
 * frame and config (and the record config points into) are only read during the call.
 * out->len and out->nb_items are set; a frame with no NAL unit left gives 0 payloads;
 * NAL units of length 0 are skipped. -SR_EFORMAT when a length prefix runs past the
 * frame (nothing is written then); -SR_EINVAL for
 * max_payload out of range; -SR_EOVERFLOW when out->cap or out->max_items is too small
 * (out->len and out->nb_items then say what is needed; call again with more). */
int sr_rtp_h264_packetize(const uint8_t *frame, size_t size, const sr_avc_config_t *config, bool is_keyframe,
                          size_t max_payload, sr_rtp_payloads_t *out);

/* ==== depacketizer ==== */

/* Frames bigger than this are dropped as broken (as SR_TS_DEMUX_MAX_PES_BYTES). */
#define SR_RTP_H264_MAX_FRAME_BYTES (8u << 20)

/* A frame assembled from RTP, borrowed from the depacketizer during the callback. */
typedef struct sr_rtp_h264_frame {
    const uint8_t *data; /* canonical AVCC: >= 1 NAL unit, no SPS/PPS/AUD/filler */
    size_t size;
    uint32_t rtp_ts;       /* 90 kHz, the frame's RTP timestamp */
    bool is_keyframe;      /* an IDR slice is in it */
    const uint8_t *config; /* a new AVCDecoderConfigurationRecord that applies from this
                              frame on (the SPS/PPS seen in-band changed), else NULL */
    size_t config_size;
} sr_rtp_h264_frame_t;

/* Called once per complete frame, in sequence order. frame and everything it points
 * to are valid only during the call. The callee must not call into the depacketizer
 * except the read-only getters. */
typedef void (*sr_rtp_h264_frame_fn)(void *arg, const sr_rtp_h264_frame_t *frame);

typedef struct sr_rtp_h264_stats {
    uint64_t frames;          /* delivered */
    uint64_t dropped_broken;  /* frames a loss or malformed packet broke */
    uint64_t dropped_waiting; /* whole frames dropped while waiting for a keyframe (or a config) */
    uint64_t malformed;       /* packets with a bad STAP-A, FU-A or a mode 2 payload */
    uint64_t bad_param_sets;  /* in-band SPS/PPS no record could be built from */
    uint64_t configs;         /* configs delivered */
} sr_rtp_h264_stats_t;

typedef struct sr_rtp_h264_depack sr_rtp_h264_depack_t;

/* A depacketizer for one H.264 stream (one SSRC) whose reorder buffer holds window
 * packets for at most max_delay_us (sr_rtp_reorder_new; e.g. 512 and 100 ms to let
 * NACKed retransmissions arrive). NULL if window is not a power of two
 * 2..SR_RTP_REORDER_MAX_WINDOW. Frames go to on_frame(arg, ...); arg is borrowed.
 * Free with sr_rtp_h264_depack_free. */
sr_rtp_h264_depack_t *sr_rtp_h264_depack_new(size_t window, int64_t max_delay_us, sr_rtp_h264_frame_fn on_frame,
                                             void *arg);
/* Free d, held packets and the frame being built. NULL ok. */
void sr_rtp_h264_depack_free(sr_rtp_h264_depack_t *d);
/* Start from a config known out of band (SDP sprop-parameter-sets via
 * sr_codec_fmtp_config): frames can be delivered before the SPS/PPS come in-band, and
 * the record goes out with the next frame like an in-band one. record is copied.
 * Codes of sr_avc_parse_config. */
int sr_rtp_h264_depack_set_config(sr_rtp_h264_depack_t *d, const uint8_t *record, size_t size);
/* Take one RTP packet of the stream (borrowed; seq, ts, is_marker and the payload are
 * used) that arrived at now_us (monotonic). Frames completed by it are delivered from
 * inside this call. Empty payloads (padding-only probes) only move the sequence on. */
void sr_rtp_h264_depack_push(sr_rtp_h264_depack_t *d, const sr_rtp_packet_t *pkt, int64_t now_us);
/* Give up gaps older than max_delay_us (a timer calls this when packets stop). */
void sr_rtp_h264_depack_tick(sr_rtp_h264_depack_t *d, int64_t now_us);
/* End of stream: release what is held, gaps lost; a frame without its marker packet
 * is dropped. */
void sr_rtp_h264_depack_flush(sr_rtp_h264_depack_t *d);
/* Whether frames are being dropped for want of a keyframe: at the start, and after a
 * loss or a malformed packet until an IDR frame arrives whole. While true the app
 * should ask the sender for one (RTCP PLI or FIR), rate-limited. */
bool sr_rtp_h264_depack_need_keyframe(const sr_rtp_h264_depack_t *d);
/* The reorder buffer inside: its stats, and sr_rtp_reorder_missing() for what to
 * NACK. Borrowed; push packets through sr_rtp_h264_depack_push only. */
sr_rtp_reorder_t *sr_rtp_h264_depack_reorder(sr_rtp_h264_depack_t *d);
/* Counters since new. Borrowed from d. */
const sr_rtp_h264_stats_t *sr_rtp_h264_depack_stats(const sr_rtp_h264_depack_t *d);

SR_END_DECLS

#endif
