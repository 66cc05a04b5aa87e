/* SPDX-License-Identifier: MIT */
#include "sr_packet.h"

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
    if (type == SR_PACKET_VIDEO) {
        if (sr_flv_video_is_keyframe(d, n)) {
            pkt->flags |= SR_PACKET_IS_KEYFRAME;
        }
        if (sr_flv_video_is_sequence_header(d, n)) {
            pkt->flags |= SR_PACKET_IS_SEQUENCE_HEADER;
        }
        pkt->pts = dts + sr_flv_video_cts(d, n);
    } else if (type == SR_PACKET_AUDIO) {
        if (sr_flv_audio_is_sequence_header(d, n)) {
            pkt->flags |= SR_PACKET_IS_SEQUENCE_HEADER;
        }
    }
}
