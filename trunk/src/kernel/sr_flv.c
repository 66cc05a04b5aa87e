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
#define SR_FLV_EX_CODED_FRAMES_X 3
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

/* ==== codec ids and canonical bodies ==== */

#define SR_FLV_AUDIO_EX_HEADER 9
#define SR_FLV_AUDIO_G711A 7
#define SR_FLV_AUDIO_G711U 8
#define SR_FLV_AUDIO_MP3_8K 14

static const struct {
    uint32_t fourcc;
    sr_codec_id_t codec;
} sr_flv_fourccs[] = {
    {SR_FLV_FOURCC('a', 'v', 'c', '1'), SR_CODEC_H264}, {SR_FLV_FOURCC('h', 'v', 'c', '1'), SR_CODEC_H265},
    {SR_FLV_FOURCC('a', 'v', '0', '1'), SR_CODEC_AV1},  {SR_FLV_FOURCC('v', 'p', '0', '9'), SR_CODEC_VP9},
    {SR_FLV_FOURCC('O', 'p', 'u', 's'), SR_CODEC_OPUS}, {SR_FLV_FOURCC('m', 'p', '4', 'a'), SR_CODEC_AAC},
    {SR_FLV_FOURCC('.', 'm', 'p', '3'), SR_CODEC_MP3},
};

static sr_codec_id_t sr_flv_codec_of_fourcc(uint32_t fourcc)
{
    for (size_t i = 0; i < sizeof(sr_flv_fourccs) / sizeof(sr_flv_fourccs[0]); i++) {
        if (sr_flv_fourccs[i].fourcc == fourcc) {
            return sr_flv_fourccs[i].codec;
        }
    }
    return SR_CODEC_NONE;
}

static uint32_t sr_flv_fourcc_of_codec(sr_codec_id_t codec)
{
    for (size_t i = 0; i < sizeof(sr_flv_fourccs) / sizeof(sr_flv_fourccs[0]); i++) {
        if (sr_flv_fourccs[i].codec == codec) {
            return sr_flv_fourccs[i].fourcc;
        }
    }
    return 0;
}

static sr_codec_id_t sr_flv_video_codec_of(const uint8_t *data, size_t size, uint32_t *body_offset)
{
    if (data[0] & SR_FLV_EX_HEADER) {
        if (size < 5) {
            return SR_CODEC_NONE;
        }
        int packet_type = data[0] & 0x0f;
        sr_codec_id_t codec = sr_flv_codec_of_fourcc(sr_get_be32(data + 1));
        bool has_cts = packet_type == SR_FLV_EX_CODED_FRAMES && (codec == SR_CODEC_H264 || codec == SR_CODEC_H265);
        bool has_frame = packet_type == SR_FLV_EX_SEQUENCE_START || packet_type == SR_FLV_EX_CODED_FRAMES ||
                         packet_type == SR_FLV_EX_CODED_FRAMES_X;
        /* SequenceEnd, Metadata and the rest carry no frame: an empty body. */
        *body_offset = (uint32_t)(!has_frame ? size : has_cts ? 8 : 5);
        return codec;
    }
    int codec = data[0] & 0x0f;
    if (codec != SR_FLV_VIDEO_CODEC_AVC && codec != SR_FLV_VIDEO_CODEC_HEVC) {
        return SR_CODEC_NONE;
    }
    /* AVCPacketType 2 (end of sequence) carries no frame: an empty body. */
    *body_offset = (uint32_t)(size >= 2 && data[1] > 1 ? size : 5);
    return codec == SR_FLV_VIDEO_CODEC_AVC ? SR_CODEC_H264 : SR_CODEC_H265;
}

static sr_codec_id_t sr_flv_audio_codec_of(const uint8_t *data, size_t size, uint32_t *body_offset)
{
    switch (data[0] >> 4) {
    case SR_FLV_AUDIO_CODEC_AAC:
        *body_offset = (uint32_t)(size >= 2 && data[1] > 1 ? size : 2); /* AACPacketType 0 or 1 */
        return SR_CODEC_AAC;
    case SR_FLV_AUDIO_CODEC_MP3:
    case SR_FLV_AUDIO_MP3_8K:
        return SR_CODEC_MP3;
    case SR_FLV_AUDIO_G711A:
        return SR_CODEC_G711A;
    case SR_FLV_AUDIO_G711U:
        return SR_CODEC_G711U;
    case SR_FLV_AUDIO_EX_HEADER:
        if (size < 5) {
            return SR_CODEC_NONE;
        }
        *body_offset = 5;
        return sr_flv_codec_of_fourcc(sr_get_be32(data + 1));
    default:
        return SR_CODEC_NONE;
    }
}

sr_codec_id_t sr_flv_codec_of(uint8_t type, const uint8_t *data, size_t size, uint32_t *body_offset)
{
    *body_offset = 0;
    if (size < 1 || (type != 8 && type != 9)) {
        return SR_CODEC_NONE;
    }
    *body_offset = 1;
    sr_codec_id_t codec =
        type == 9 ? sr_flv_video_codec_of(data, size, body_offset) : sr_flv_audio_codec_of(data, size, body_offset);
    if (*body_offset > size) {
        *body_offset = (uint32_t)size;
    }
    return codec;
}

static size_t sr_flv_video_header_write(uint8_t *out, sr_codec_id_t codec, bool is_keyframe, bool is_config,
                                        int32_t cts)
{
    uint8_t frame_type = is_keyframe || is_config ? 1 : 2;
    if (codec == SR_CODEC_H264) {
        out[0] = (uint8_t)(frame_type << 4 | SR_FLV_VIDEO_CODEC_AVC);
        out[1] = is_config ? 0 : 1;
        sr_put_be24(out + 2, (uint32_t)cts & 0xffffff);
        return 5;
    }
    bool has_cts = codec == SR_CODEC_H265 && !is_config;
    int packet_type = is_config ? SR_FLV_EX_SEQUENCE_START
                      : has_cts ? SR_FLV_EX_CODED_FRAMES
                                : SR_FLV_EX_CODED_FRAMES_X;
    out[0] = (uint8_t)(SR_FLV_EX_HEADER | frame_type << 4 | packet_type);
    sr_put_be32(out + 1, sr_flv_fourcc_of_codec(codec));
    if (!has_cts) {
        return 5;
    }
    sr_put_be24(out + 5, (uint32_t)cts & 0xffffff);
    return 8;
}

size_t sr_flv_frame_header_write(uint8_t out[SR_FLV_FRAME_HEADER_MAX], sr_codec_id_t codec, bool is_keyframe,
                                 bool is_config, int32_t cts)
{
    /* Audio: SoundRate 44 kHz, 16-bit, stereo bits as FLV requires for AAC; decoders
     * take the real values from the config. */
    switch (codec) {
    case SR_CODEC_NONE:
        return 0;
    case SR_CODEC_AAC:
        out[0] = SR_FLV_AUDIO_CODEC_AAC << 4 | 0x0f;
        out[1] = is_config ? 0 : 1;
        return 2;
    case SR_CODEC_MP3:
        out[0] = SR_FLV_AUDIO_CODEC_MP3 << 4 | 0x0f;
        return 1;
    case SR_CODEC_G711A:
    case SR_CODEC_G711U:
        /* G.711 in FLV is 8 kHz mono 16-bit by definition. */
        out[0] = (uint8_t)((codec == SR_CODEC_G711A ? SR_FLV_AUDIO_G711A : SR_FLV_AUDIO_G711U) << 4 | 0x02);
        return 1;
    case SR_CODEC_OPUS:
        out[0] = SR_FLV_AUDIO_EX_HEADER << 4 | (is_config ? SR_FLV_EX_SEQUENCE_START : SR_FLV_EX_CODED_FRAMES);
        sr_put_be32(out + 1, sr_flv_fourcc_of_codec(codec));
        return 5;
    default:
        return sr_flv_video_header_write(out, codec, is_keyframe, is_config, cts);
    }
}
