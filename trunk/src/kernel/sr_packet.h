/* SPDX-License-Identifier: MIT */
/*
 * sr_packet.h: the one media unit every protocol speaks. The payload is the codec
 * body as FLV/RTMP carries it (FLV tag body: the audio/video tag header byte(s)
 * followed by the codec data, or AMF0 script data), so RTMP and FLV output need no
 * re-encoding and other muxers parse what they need. A packet holds one payload
 * reference; copying a packet into a queue takes another.
 */
#ifndef SR_PACKET_H
#define SR_PACKET_H

#include "sr_core.h"
#include "sr_payload.h"

SR_BEGIN_DECLS

/* Values are the FLV tag types (and RTMP message type ids). */
typedef enum sr_packet_type {
    SR_PACKET_AUDIO = 8,
    SR_PACKET_VIDEO = 9,
    SR_PACKET_DATA = 18,
} sr_packet_type_t;

enum {
    SR_PACKET_IS_KEYFRAME = 1 << 0,
    SR_PACKET_IS_SEQUENCE_HEADER = 1 << 1,
};

typedef struct sr_packet {
    uint8_t type;  /* sr_packet_type_t */
    uint8_t flags; /* SR_PACKET_IS_* */
    int64_t dts;   /* ms */
    int64_t pts;   /* ms; equals dts without composition offset */
    sr_payload_t *payload;
} sr_packet_t;

/* Make pkt own payload (consumes the caller's reference) and classify it
 * (keyframe, sequence header) from the FLV tag header bytes. */
void sr_packet_init_take(sr_packet_t *pkt, sr_packet_type_t type, int64_t dts, sr_payload_t *payload);
/* dst = src with its own payload reference. */
static inline void sr_packet_copy(sr_packet_t *dst, const sr_packet_t *src)
{
    *dst = *src;
    if (dst->payload) {
        sr_payload_ref(dst->payload);
    }
}
/* Release the payload reference. */
static inline void sr_packet_deinit(sr_packet_t *pkt)
{
    sr_payload_unref(pkt->payload);
    pkt->payload = NULL;
}
static inline bool sr_packet_is_av(const sr_packet_t *pkt)
{
    return pkt->type == SR_PACKET_AUDIO || pkt->type == SR_PACKET_VIDEO;
}
static inline bool sr_packet_is_video_keyframe(const sr_packet_t *pkt)
{
    return pkt->type == SR_PACKET_VIDEO && (pkt->flags & SR_PACKET_IS_KEYFRAME) &&
           !(pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER);
}

SR_END_DECLS

#endif
