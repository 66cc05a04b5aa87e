/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_h264.h: the H.264 RTP payload format, RFC 6184 packetization-mode 1 (single
 * NAL unit packets, STAP-A, FU-A), both ways:
 *   packetizer:   one canonical frame (AVCC: NAL units with 4-byte big-endian
 *                 lengths, sr_codec_id.h) into RTP payloads, once per frame, shared by
 *                 every player (each writes its own RTP header: ssrc, seq, timestamp);
 *   depacketizer: sr_rtp_nal.h (H.264 and H.265 share it).
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
 *     one is split into as few FU-A fragments as fit, all of one size but the
 *     last, which may be a few bytes shorter (equal datagrams batch well: UDP GSO);
 *   - the last payload has is_marker set (the RTP marker bit: end of the frame).
 * frame and config (and the record config points into) are only read during the call.
 * out->len and out->nb_items are set; a frame with no NAL unit left gives 0 payloads;
 * NAL units of length 0 are skipped. -SR_EFORMAT when a length prefix runs past the
 * frame (nothing is written then); -SR_EINVAL for
 * max_payload out of range; -SR_EOVERFLOW when out->cap or out->max_items is too small
 * (out->len and out->nb_items then say what is needed; call again with more). */
int sr_rtp_h264_packetize(const uint8_t *frame, size_t size, const sr_avc_config_t *config, bool is_keyframe,
                          size_t max_payload, sr_rtp_payloads_t *out);

SR_END_DECLS

#endif
