/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_opus.c: Opus over RTP (RFC 7587): packet durations from the TOC byte (RFC
 * 6716 3.1, 3.2), for RTP timestamp arithmetic and to check a received payload (one
 * RTP payload is one Opus packet: the reorder buffer does the rest). Not for decoding
 * or the Ogg/OpusHead side (sr_opus.c).
 */
#include "sr_rtp_opus.h"

#include "sr_error.h"

#define SR_OPUS_CONFIG_SILK_LAST 11   /* configs 0..11: SILK, 10/20/40/60 ms */
#define SR_OPUS_CONFIG_HYBRID_LAST 15 /* 12..15: hybrid, 10/20 ms; 16..31: CELT, 2.5..20 ms */
#define SR_OPUS_CODE_ARBITRARY 3      /* frame count in the next byte */
#define SR_OPUS_COUNT_MASK 0x3f

int sr_rtp_opus_samples(const uint8_t *pkt, size_t size, uint32_t *samples)
{
    static const uint16_t silk[4] = {480, 960, 1920, 2880};
    static const uint16_t hybrid[2] = {480, 960};
    static const uint16_t celt[4] = {120, 240, 480, 960};
    *samples = 0;
    if (size < 1) {
        return -SR_ETRUNCATED;
    }
    unsigned config = pkt[0] >> 3;
    uint32_t frame = config <= SR_OPUS_CONFIG_SILK_LAST     ? silk[config & 3]
                     : config <= SR_OPUS_CONFIG_HYBRID_LAST ? hybrid[config & 1]
                                                            : celt[config & 3];
    unsigned code = pkt[0] & 3;
    uint32_t count = code == 0 ? 1 : 2;
    if (code == SR_OPUS_CODE_ARBITRARY) {
        if (size < 2) {
            return -SR_ETRUNCATED;
        }
        count = pkt[1] & SR_OPUS_COUNT_MASK;
    }
    if (count == 0 || frame * count > SR_RTP_OPUS_MAX_SAMPLES) {
        return -SR_EFORMAT;
    }
    *samples = frame * count;
    return SR_OK;
}
