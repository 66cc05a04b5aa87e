/* SPDX-License-Identifier: MIT */
/*
 * sr_codec_id.h: the codec of a media frame, independent of the container or protocol
 * it arrived in. Every ingest (RTMP/FLV, MPEG-TS, RTP) names its frames with these ids;
 * every output maps them to its own (FLV CodecID/SoundFormat or E-RTMP FourCC, TS
 * stream_type, RTP payload names). The canonical payload of a frame per codec:
 *   H.264, H.265: NAL units with 4-byte big-endian length prefixes (ISO 14496-15); the
 *                 config frame is the AVC/HEVC DecoderConfigurationRecord.
 *   AAC:          one raw access unit (no ADTS); the config frame is the AudioSpecificConfig.
 *   MP3:          one MPEG audio frame, header included; no config frame.
 *   Opus:         one Opus packet (RFC 6716); the config frame is an OpusHead (RFC 7845 5.1).
 *   G.711:        the samples; no config frame.
 */
#ifndef SR_CODEC_ID_H
#define SR_CODEC_ID_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef enum sr_codec_id {
    SR_CODEC_NONE = 0, /* data (metadata) or a codec we carry without knowing it */
    SR_CODEC_H264,
    SR_CODEC_H265,
    SR_CODEC_AV1,
    SR_CODEC_VP9,
    SR_CODEC_AAC,
    SR_CODEC_MP3,
    SR_CODEC_OPUS,
    SR_CODEC_G711A,
    SR_CODEC_G711U,
} sr_codec_id_t;

/* "H264", "H265", "AV1", "VP9", "AAC", "MP3", "Opus", "G711A", "G711U", "" for none. Static. */
const char *sr_codec_id_name(sr_codec_id_t id);
/* Whether frames of this codec are video. */
static inline bool sr_codec_id_is_video(sr_codec_id_t id)
{
    return id >= SR_CODEC_H264 && id <= SR_CODEC_VP9;
}

SR_END_DECLS

#endif
