/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_h265.h: the H.265 RTP payload format, RFC 7798 without DONL (single NAL unit
 * packets, aggregation packets, fragmentation units): the packetizer. Like H.264's
 * (sr_rtp_h264.h), one canonical frame (NAL units with 4-byte lengths) into payloads
 * shared by every player, with the VPS, SPS and PPS in front of an IRAP frame that
 * lacks them. The depacketizer is sr_rtp_nal.h's, with SR_CODEC_H265.
 */
#ifndef SR_RTP_H265_H
#define SR_RTP_H265_H

#include "sr_codec.h"
#include "sr_core.h"
#include "sr_rtp.h"

SR_BEGIN_DECLS

/* RFC 7798 4.4 payload structures (the NAL unit type of the payload header). */
#define SR_RTP_H265_AP 48
#define SR_RTP_H265_FU 49

/* sr_rtp_h264_packetize for H.265 (max_payload 4..65535): AUD (35) and filler (38) are
 * dropped, an IRAP frame (16..23) without an SPS of its own gets config's VPS, SPS and
 * PPS in front, small NAL units share aggregation packets and large ones are split
 * into fragmentation units. Same codes. */
int sr_rtp_h265_packetize(const uint8_t *frame, size_t size, const sr_hevc_config_t *config, bool is_keyframe,
                          size_t max_payload, sr_rtp_payloads_t *out);

SR_END_DECLS

#endif
