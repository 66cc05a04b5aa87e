/* SPDX-License-Identifier: MIT */
#include "sr_packet.h"

#include <string.h>

#include "sr_flv.h"

void sr_packet_init_take(sr_packet_t *pkt, sr_packet_type_t type, int64_t dts, sr_payload_t *payload)
{
    const uint8_t *d = payload->data;
    size_t n = payload->size;
    pkt->type = (uint8_t)type;
    pkt->flags = 0;
    pkt->dts = dts;
    pkt->pts = dts;
    pkt->payload = payload;
    pkt->codec = (uint8_t)sr_flv_codec_of((uint8_t)type, d, n, &pkt->body);
    if (type == SR_PACKET_VIDEO) {
        if (sr_flv_video_is_keyframe(d, n)) {
            pkt->flags |= SR_PACKET_IS_KEYFRAME;
        }
        if (sr_flv_video_is_sequence_header(d, n)) {
            pkt->flags |= SR_PACKET_IS_SEQUENCE_HEADER;
        }
        pkt->pts = dts + sr_flv_video_cts(d, n);
    } else if (type == SR_PACKET_AUDIO) {
        if (sr_flv_audio_is_sequence_header(d, n) ||
            (pkt->codec == SR_CODEC_OPUS && n >= 1 && (d[0] & 0x0f) == 0 /* E-RTMP SequenceStart */)) {
            pkt->flags |= SR_PACKET_IS_SEQUENCE_HEADER;
        }
    }
}

uint8_t *sr_packet_init_frame(sr_packet_t *pkt, sr_codec_id_t codec, uint8_t flags, int64_t dts, int64_t pts,
                              size_t size)
{
    uint8_t header[SR_FLV_FRAME_HEADER_MAX];
    bool is_config = flags & SR_PACKET_IS_SEQUENCE_HEADER;
    size_t header_bytes =
        sr_flv_frame_header_write(header, codec, flags & SR_PACKET_IS_KEYFRAME, is_config, (int32_t)(pts - dts));
    sr_payload_t *payload = sr_payload_new(header_bytes + size);
    memcpy(payload->data, header, header_bytes);
    pkt->type = (uint8_t)(sr_codec_id_is_video(codec) ? SR_PACKET_VIDEO : SR_PACKET_AUDIO);
    pkt->flags = flags;
    pkt->codec = (uint8_t)codec;
    pkt->body = (uint32_t)header_bytes;
    pkt->dts = dts;
    pkt->pts = pts;
    pkt->payload = payload;
    return payload->data + header_bytes;
}
