/* SPDX-License-Identifier: MIT */
/*
 * sr_packet.h: the one media frame every protocol speaks: its kind (audio, video,
 * data), codec (sr_codec_id.h), dts/pts, keyframe and config flags, and a payload.
 *
 * The payload holds the frame's canonical codec bytes (sr_codec_id.h says which form
 * per codec) at payload->data + body, preceded by the FLV tag-body header of those
 * bytes. That header is the FLV/RTMP wire form, built once when the frame enters the
 * server (a frame that arrives over RTMP brings it; one from MPEG-TS or RTP gets it
 * from sr_packet_init_frame), so RTMP and FLV players are sent the payload as it is,
 * while TS, MP4 and RTP outputs read the canonical bytes. Data frames (onMetaData) are
 * AMF0 with body 0. A packet holds one payload reference; copying a packet into a
 * queue takes another.
 */
#ifndef SR_PACKET_H
#define SR_PACKET_H

#include "sr_codec_id.h"
#include "sr_core.h"
#include "sr_payload.h"

SR_BEGIN_DECLS

/* The kind of frame. Its values are the FLV tag types (and RTMP message type ids), so
 * the FLV and RTMP writers use it as it is. */
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
    uint8_t codec; /* sr_codec_id_t */
    uint32_t body; /* where the canonical codec bytes start in payload->data */
    int64_t dts;   /* ms */
    int64_t pts;   /* ms; equals dts without composition offset */
    sr_payload_t *payload;
} sr_packet_t;

/* Make pkt own payload, an FLV tag body (consumes the caller's reference), and classify
 * it from the tag-body header: codec, keyframe, sequence header, composition time. */
void sr_packet_init_take(sr_packet_t *pkt, sr_packet_type_t type, int64_t dts, sr_payload_t *payload);
/* Make pkt a new frame of codec with room for size canonical bytes, which the caller
 * writes at the returned pointer before the packet is shared; the FLV header in front
 * is written here. flags are SR_PACKET_IS_*. dts/pts in ms; pts - dts must fit 24 bits
 * signed. codec must not be SR_CODEC_NONE. */
uint8_t *sr_packet_init_frame(sr_packet_t *pkt, sr_codec_id_t codec, uint8_t flags, int64_t dts, int64_t pts,
                              size_t size);
/* The canonical codec bytes of pkt (see sr_codec_id.h); *size gets their length. */
static inline const uint8_t *sr_packet_body(const sr_packet_t *pkt, size_t *size)
{
    *size = pkt->payload->size - pkt->body;
    return pkt->payload->data + pkt->body;
}
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
