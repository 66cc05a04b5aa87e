/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_opus.h: the Opus RTP payload format (RFC 7587): one Opus packet (RFC 6716)
 * per RTP payload, as it is. So there is no packetizer or depacketizer to speak of:
 *   sending:   the canonical Opus frame is the payload; its duration (below) advances
 *              the RTP timestamp, which runs at 48 kHz whatever the encoder's
 *              internal rate (RFC 7587 4.1);
 *   receiving: packets go through a reorder buffer (sr_rtp_reorder_new, e.g. window
 *              64 and 60 ms: audio wants a short wait), whose callback takes each
 *              released payload as one frame after sr_rtp_opus_samples accepts it;
 *              empty payloads are padding-only packets to skip, and the lost count
 *              is how many packets (frames) are missing before the one released.
 * The config frame (OpusHead) comes from sr_opus_head_default (sr_codec_config.h):
 * RTP carries none.
 *
 * Not here: SDP (minptime, stereo, useinbandfec), DTX or loss concealment, decoding.
 */
#ifndef SR_RTP_OPUS_H
#define SR_RTP_OPUS_H

#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_RTP_OPUS_CLOCK_HZ 48000
#define SR_RTP_OPUS_MAX_SAMPLES 5760 /* 120 ms: the longest Opus packet (RFC 6716 3.2.5) */

/* The duration of the Opus packet pkt[0..size) in 48 kHz samples: the frame size of
 * its TOC configuration (RFC 6716 3.1: 2.5 to 60 ms) times its frame count (3.2: code
 * 0 one, 1 and 2 two, 3 the count byte). pkt is only read during the call.
 * -SR_ETRUNCATED for an empty packet or code 3 without its count byte; -SR_EFORMAT
 * for a count of 0 or more than 120 ms in all. */
int sr_rtp_opus_samples(const uint8_t *pkt, size_t size, uint32_t *samples);

SR_END_DECLS

#endif
