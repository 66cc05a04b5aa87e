/* SPDX-License-Identifier: MIT */
/*
 * sr_flv.h: FLV tag-body facts (video/audio tag headers, E-RTMP extended video
 * headers) and the FLV file framing (file header, tag header, previous tag size).
 * Pure bytes: no I/O.
 */
#ifndef SR_FLV_H
#define SR_FLV_H

#include "sr_codec_id.h"
#include "sr_core.h"

SR_BEGIN_DECLS

enum {
    SR_FLV_TAG_AUDIO = 8,
    SR_FLV_TAG_VIDEO = 9,
    SR_FLV_VIDEO_FRAME_KEY = 1,
    SR_FLV_VIDEO_CODEC_AVC = 7,
    SR_FLV_VIDEO_CODEC_HEVC = 12,
    SR_FLV_AUDIO_CODEC_MP3 = 2,
    SR_FLV_AUDIO_CODEC_AAC = 10,
};

#define SR_FLV_FILE_HEADER_BYTES 13 /* 9-byte header + PreviousTagSize0 */
#define SR_FLV_TAG_HEADER_BYTES 11

/* Video tag body starts a keyframe (frame type 1), legacy or E-RTMP. */
bool sr_flv_video_is_keyframe(const uint8_t *data, size_t size);
/* Video tag body is a codec configuration record (AVC/HEVC sequence header or E-RTMP SequenceStart). */
bool sr_flv_video_is_sequence_header(const uint8_t *data, size_t size);
/* Audio tag body is an AAC AudioSpecificConfig. */
bool sr_flv_audio_is_sequence_header(const uint8_t *data, size_t size);
/* Composition time offset in ms of an AVC/HEVC NALU packet, 0 otherwise. */
int32_t sr_flv_video_cts(const uint8_t *data, size_t size);
/* Video codec id (7 AVC, 12 HEVC; E-RTMP FourCC hvc1/avc1 mapped), 0 if unknown. */
int sr_flv_video_codec(const uint8_t *data, size_t size);
/* Audio sound format (10 AAC, 2 MP3, ...), -1 if empty. */
int sr_flv_audio_codec(const uint8_t *data, size_t size);

/* The codec of an FLV audio (type 8) or video (type 9) tag body, legacy or E-RTMP, and
 * where the codec's own bytes start in it (*body_offset: after the tag-body header and,
 * for AVC/HEVC, the packet type and composition time). SR_CODEC_NONE with the offset
 * after the header byte for codecs we carry without knowing them, and for data tags. */
sr_codec_id_t sr_flv_codec_of(uint8_t type, const uint8_t *data, size_t size, uint32_t *body_offset);

#define SR_FLV_FRAME_HEADER_MAX 8

/* Write the tag-body header that puts a canonical frame of codec into FLV: legacy AVC
 * (0x17/0x27, packet type, cts), E-RTMP for HEVC/AV1/VP9 (FourCC, CodedFrames with cts)
 * and Opus (E-RTMP audio FourCC), legacy AAC (0xaf, packet type), MP3 and G.711 (one
 * byte). is_config makes it the sequence header. Returns the bytes written (<=
 * SR_FLV_FRAME_HEADER_MAX), 0 for SR_CODEC_NONE. */
size_t sr_flv_frame_header_write(uint8_t out[SR_FLV_FRAME_HEADER_MAX], sr_codec_id_t codec, bool is_keyframe,
                                 bool is_config, int32_t cts);

/* Write the 13-byte FLV file header (with PreviousTagSize0) into out. */
void sr_flv_write_file_header(uint8_t out[SR_FLV_FILE_HEADER_BYTES], bool has_audio, bool has_video);
/* Write an 11-byte tag header for a body of size bytes at timestamp ms. */
void sr_flv_write_tag_header(uint8_t out[SR_FLV_TAG_HEADER_BYTES], uint8_t type, uint32_t size, int64_t timestamp);

SR_END_DECLS

#endif
