/* SPDX-License-Identifier: MIT */
/*
 * sr_codec.c: what the codec module knows beyond the configuration records: FLV
 * audio tag-header facts (FLV spec v10.1 E.4.2.1: SoundFormat, SoundRate, SoundSize,
 * SoundType), SRS's codec names, and the one-call summaries the HTTP API reports
 * (SRS /api/v1/streams video{codec, profile, level, width, height} and audio{codec,
 * sample_rate, channel, profile}). Sequence-header detection lives in sr_flv.c.
 */
#include "sr_codec.h"

#include <string.h>

#include "sr_bytes.h"
#include "sr_codec_config.h"
#include "sr_codec_id.h"
#include "sr_codec_internal.h"
#include "sr_error.h"
#include "sr_flv.h"

enum {
    SR_CODEC_FLV_PCM = 0,
    SR_CODEC_FLV_PCM_LE = 3,
    SR_CODEC_FLV_NELLYMOSER_16K = 4,
    SR_CODEC_FLV_NELLYMOSER_8K = 5,
    SR_CODEC_FLV_NELLYMOSER = 6,
    SR_CODEC_FLV_G711A = 7,
    SR_CODEC_FLV_G711U = 8,
    SR_CODEC_FLV_EX_HEADER = 9, /* E-RTMP: a FourCC names the codec (Opus here) */
    SR_CODEC_FLV_SPEEX = 11,
};

uint32_t sr_codec_flv_audio_sample_rate(uint8_t flv_audio_byte)
{
    static const uint32_t rates[4] = {5512, 11025, 22050, 44100};
    switch (flv_audio_byte >> 4) {
    case SR_CODEC_FLV_NELLYMOSER_8K:
        return 8000;
    case SR_CODEC_FLV_NELLYMOSER_16K:
    case SR_CODEC_FLV_SPEEX:
        return 16000;
    default:
        return rates[(flv_audio_byte >> 2) & 3];
    }
}

uint8_t sr_codec_flv_audio_channels(uint8_t flv_audio_byte)
{
    return (flv_audio_byte & 1) ? 2 : 1;
}

uint8_t sr_codec_flv_audio_bits(uint8_t flv_audio_byte)
{
    return (flv_audio_byte & 2) ? 16 : 8;
}

const char *sr_codec_video_name(int flv_video_codec)
{
    switch (flv_video_codec) {
    case SR_FLV_VIDEO_CODEC_AVC:
        return "H264";
    case SR_FLV_VIDEO_CODEC_HEVC:
        return "H265";
    default:
        return "Other";
    }
}

const char *sr_codec_audio_name(int flv_audio_codec)
{
    switch (flv_audio_codec) {
    case SR_FLV_AUDIO_CODEC_AAC:
        return "AAC";
    case SR_FLV_AUDIO_CODEC_MP3:
        return "MP3";
    case SR_CODEC_FLV_SPEEX:
        return "Speex";
    case SR_CODEC_FLV_NELLYMOSER_16K:
    case SR_CODEC_FLV_NELLYMOSER_8K:
    case SR_CODEC_FLV_NELLYMOSER:
        return "Nellymoser";
    case SR_CODEC_FLV_PCM:
    case SR_CODEC_FLV_PCM_LE:
        return "PCM";
    case SR_CODEC_FLV_G711A:
        return "G711A";
    case SR_CODEC_FLV_G711U:
        return "G711U";
    default:
        return "Other";
    }
}

bool sr_codec__flv_is_video_config(const uint8_t *body, size_t size, int codec, uint32_t fourcc)
{
    if (size < SR_CODEC_FLV_VIDEO_PREFIX_BYTES) {
        return false;
    }
    if (body[0] & 0x80) {
        /* Enhanced RTMP: IsExHeader, PacketType SequenceStart (0), then the FourCC */
        return (body[0] & 0x0f) == 0 && sr_get_be32(body + 1) == fourcc;
    }
    /* legacy: CodecID, then AVCPacketType 0 (sequence header) */
    return (body[0] & 0x0f) == codec && body[1] == 0;
}

int sr_codec_video_info_parse_header(const uint8_t *body, size_t size, sr_codec_video_info_t *out)
{
    memset(out, 0, sizeof(*out));
    int codec = sr_flv_video_codec(body, size);
    const uint8_t *rec = body + SR_CODEC_FLV_VIDEO_PREFIX_BYTES;
    size_t left = size > SR_CODEC_FLV_VIDEO_PREFIX_BYTES ? size - SR_CODEC_FLV_VIDEO_PREFIX_BYTES : 0;
    if (codec == SR_FLV_VIDEO_CODEC_AVC) {
        /* ISO/IEC 14496-15 5.2.4.1: version, AVCProfileIndication, compatibility, AVCLevelIndication */
        if (!sr_codec__flv_is_video_config(body, size, codec, SR_AVC_EX_FOURCC) || left < 4 || rec[0] != 1) {
            return left < 4 ? -SR_ETRUNCATED : -SR_EFORMAT;
        }
        out->profile_name = sr_avc_profile_name(rec[1]);
        out->level_name = sr_avc_level_name(rec[3]);
    } else if (codec == SR_FLV_VIDEO_CODEC_HEVC) {
        /* 8.3.3.1: version, profile_space/tier/general_profile_idc, ..., general_level_idc at 12 */
        if (!sr_codec__flv_is_video_config(body, size, codec, SR_HEVC_EX_FOURCC) || left < 13 || rec[0] != 1) {
            return left < 13 ? -SR_ETRUNCATED : -SR_EFORMAT;
        }
        out->profile_name = sr_hevc_profile_name(rec[1] & 0x1f);
        out->level_name = sr_hevc_level_name(rec[12]);
    } else {
        return -SR_EUNSUPPORTED;
    }
    out->codec = codec;
    out->codec_name = sr_codec_video_name(codec);
    return SR_OK;
}

int sr_codec_video_info_parse(const uint8_t *body, size_t size, sr_codec_video_info_t *out)
{
    memset(out, 0, sizeof(*out));
    int codec = sr_flv_video_codec(body, size);
    if (codec == SR_FLV_VIDEO_CODEC_AVC) {
        sr_avc_config_t c;
        SR_CODEC_TRY(sr_avc_parse_flv(body, size, &c));
        out->profile_name = sr_avc_profile_name(c.info.profile_idc);
        out->level_name = sr_avc_level_name(c.info.level_idc);
        out->width = c.info.width;
        out->height = c.info.height;
    } else if (codec == SR_FLV_VIDEO_CODEC_HEVC) {
        sr_hevc_config_t c;
        SR_CODEC_TRY(sr_hevc_parse_flv(body, size, &c));
        out->profile_name = sr_hevc_profile_name(c.info.profile_idc);
        out->level_name = sr_hevc_level_name(c.info.level_idc);
        out->width = c.info.width;
        out->height = c.info.height;
    } else {
        return -SR_EUNSUPPORTED;
    }
    out->codec = codec;
    out->codec_name = sr_codec_video_name(codec);
    return SR_OK;
}

int sr_codec_audio_info_parse(const uint8_t *body, size_t size, sr_codec_audio_info_t *out)
{
    memset(out, 0, sizeof(*out));
    if (size < 1) {
        return -SR_ETRUNCATED;
    }
    int codec = body[0] >> 4;
    if (codec == SR_FLV_AUDIO_CODEC_AAC) {
        sr_aac_config_t c;
        SR_CODEC_TRY(sr_aac_parse_flv(body, size, &c));
        /* SRS reports the first object type and the rate of the core coder */
        out->profile_name = sr_aac_profile_name(c.object_type);
        out->sample_rate = c.sample_rate;
        out->channels = c.channels;
    } else if (codec == SR_CODEC_FLV_EX_HEADER) {
        /* Opus always decodes at 48 kHz (RFC 7587 4): that is its rate, not the input's */
        uint32_t off = 0;
        sr_opus_head_t head;
        if (sr_flv_codec_of(SR_FLV_TAG_AUDIO, body, size, &off) != SR_CODEC_OPUS) {
            return -SR_EUNSUPPORTED;
        }
        SR_CODEC_TRY(sr_opus_head_parse(body + off, size - off, &head));
        out->profile_name = "";
        out->sample_rate = 48000;
        out->channels = head.channels;
        out->codec = codec;
        out->codec_name = sr_codec_id_name(SR_CODEC_OPUS);
        return SR_OK;
    } else {
        out->profile_name = "";
        out->sample_rate = sr_codec_flv_audio_sample_rate(body[0]);
        out->channels = sr_codec_flv_audio_channels(body[0]);
    }
    out->codec = codec;
    out->codec_name = sr_codec_audio_name(codec);
    return SR_OK;
}

const char *sr_codec_id_name(sr_codec_id_t id)
{
    static const char *const names[] = {
        [SR_CODEC_NONE] = "",       [SR_CODEC_H264] = "H264",   [SR_CODEC_H265] = "H265", [SR_CODEC_AV1] = "AV1",
        [SR_CODEC_VP9] = "VP9",     [SR_CODEC_AAC] = "AAC",     [SR_CODEC_MP3] = "MP3",   [SR_CODEC_OPUS] = "Opus",
        [SR_CODEC_G711A] = "G711A", [SR_CODEC_G711U] = "G711U",
    };
    return (unsigned)id < sizeof(names) / sizeof(names[0]) ? names[id] : "";
}
