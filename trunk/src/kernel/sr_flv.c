/* SPDX-License-Identifier: MIT */
/*
 * sr_flv.c: classification follows the FLV spec v10.1 (E.4.3.1 VIDEODATA, E.4.2.1
 * AUDIODATA) and the Enhanced RTMP extension (IsExHeader bit 0x80 in the first byte,
 * PacketType in the low nibble, FourCC in bytes 1..4).
 */
#include "sr_flv.h"

#include "sr_bytes.h"

#define SR_FLV_EX_HEADER 0x80
#define SR_FLV_EX_SEQUENCE_START 0
#define SR_FLV_EX_CODED_FRAMES 1
#define SR_FLV_FOURCC(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

bool sr_flv_video_is_keyframe(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return false;
    }
    int frame_type = (data[0] & SR_FLV_EX_HEADER) ? (data[0] >> 4) & 0x7 : data[0] >> 4;
    return frame_type == SR_FLV_VIDEO_FRAME_KEY;
}

bool sr_flv_video_is_sequence_header(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return false;
    }
    if (data[0] & SR_FLV_EX_HEADER) {
        return (data[0] & 0x0f) == SR_FLV_EX_SEQUENCE_START;
    }
    int codec = data[0] & 0x0f;
    return (codec == SR_FLV_VIDEO_CODEC_AVC || codec == SR_FLV_VIDEO_CODEC_HEVC) && data[1] == 0 &&
           sr_flv_video_is_keyframe(data, size);
}

bool sr_flv_audio_is_sequence_header(const uint8_t *data, size_t size)
{
    return size >= 2 && (data[0] >> 4) == SR_FLV_AUDIO_CODEC_AAC && data[1] == 0;
}

int32_t sr_flv_video_cts(const uint8_t *data, size_t size)
{
    if (size < 5) {
        return 0;
    }
    if (data[0] & SR_FLV_EX_HEADER) {
        /* Only CodedFrames carries a composition time, after the 4-byte FourCC. */
        if ((data[0] & 0x0f) != SR_FLV_EX_CODED_FRAMES || size < 8) {
            return 0;
        }
        uint32_t v = sr_get_be24(data + 5);
        return (int32_t)(v ^ 0x800000) - 0x800000;
    }
    int codec = data[0] & 0x0f;
    if ((codec != SR_FLV_VIDEO_CODEC_AVC && codec != SR_FLV_VIDEO_CODEC_HEVC) || data[1] != 1) {
        return 0;
    }
    uint32_t v = sr_get_be24(data + 2);
    return (int32_t)(v ^ 0x800000) - 0x800000; /* sign-extend SI24 */
}

int sr_flv_video_codec(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (!(data[0] & SR_FLV_EX_HEADER)) {
        return data[0] & 0x0f;
    }
    if (size < 5) {
        return 0;
    }
    uint32_t fourcc = sr_get_be32(data + 1);
    if (fourcc == SR_FLV_FOURCC('h', 'v', 'c', '1')) {
        return SR_FLV_VIDEO_CODEC_HEVC;
    }
    if (fourcc == SR_FLV_FOURCC('a', 'v', 'c', '1')) {
        return SR_FLV_VIDEO_CODEC_AVC;
    }
    return 0;
}

int sr_flv_audio_codec(const uint8_t *data, size_t size)
{
    return size < 1 ? -1 : data[0] >> 4;
}

void sr_flv_write_file_header(uint8_t out[SR_FLV_FILE_HEADER_BYTES], bool has_audio, bool has_video)
{
    out[0] = 'F';
    out[1] = 'L';
    out[2] = 'V';
    out[3] = 1;
    out[4] = (uint8_t)((has_audio ? 0x04 : 0) | (has_video ? 0x01 : 0));
    sr_put_be32(out + 5, 9);
    sr_put_be32(out + 9, 0);
}

void sr_flv_write_tag_header(uint8_t out[SR_FLV_TAG_HEADER_BYTES], uint8_t type, uint32_t size, int64_t timestamp)
{
    uint32_t ts = (uint32_t)timestamp;
    out[0] = type;
    sr_put_be24(out + 1, size);
    sr_put_be24(out + 4, ts & 0xffffff);
    out[7] = (uint8_t)(ts >> 24);
    sr_put_be24(out + 8, 0);
}
