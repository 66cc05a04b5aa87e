/* SPDX-License-Identifier: MIT */
/*
 * sr_codec.h: codec configuration parsing for the kernel: the H.264 and H.265 decoder
 * configuration records and parameter sets, the AAC AudioSpecificConfig and its ADTS
 * header, and FLV audio header facts. The HTTP API reports stream details from these
 * (SRS video{codec, profile, level, width, height}, audio{codec, sample_rate, channel,
 * profile}); the MPEG-TS and MP4 muxers take parameter sets and ADTS headers from them.
 *
 * Not a decoder: slice headers, SEI and the VUI beyond timing info are not parsed.
 * Everything borrows: parsed structs point into the caller's bytes (sr_codec_nalu_t),
 * so the input must outlive the struct. No allocation, no logging, no error trail.
 *
 * Error codes, for every parser here: -SR_ETRUNCATED when the input ends before a
 * field it must hold, -SR_EFORMAT when a field is out of range or the wrong kind
 * (version, NAL type, length size), -SR_EUNSUPPORTED for valid input this code does
 * not handle (noted per function). Code lives in sr_bits.c (bit reader), sr_avc.c,
 * sr_hevc.c, sr_aac.c and sr_codec.c (FLV facts, SRS-style names, summaries).
 * Building these configs from Annex-B, ADTS, OpusHead or SDP: sr_codec_config.h.
 */
#ifndef SR_CODEC_H
#define SR_CODEC_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* A NAL unit (or any byte range) borrowed from the parsed input. */
typedef struct sr_codec_nalu {
    const uint8_t *data;
    size_t size;
} sr_codec_nalu_t;

/* Parameter sets kept per kind; a record may list more (they are checked, not kept). */
#define SR_CODEC_MAX_PARAM_SETS 4

/* ==== bit reader (sr_bits.c) ==== */

/* MSB-first bit reader over borrowed bytes. Initialised with sr_bits_init_rbsp() it
 * drops emulation_prevention_three_byte (the 0x03 of 0x000003, H.264 7.4.1 / H.265
 * 7.4.2), so it reads the RBSP of a NAL unit in place. Never reads past size. */
typedef struct sr_bits {
    const uint8_t *data;
    size_t size;
    size_t pos;    /* next byte to load */
    uint8_t cache; /* the loaded byte */
    uint8_t left;  /* unread bits in cache */
    uint8_t zeros; /* consecutive 0x00 bytes loaded (emulation prevention) */
    bool is_rbsp;  /* drop 0x03 after two 0x00 */
} sr_bits_t;

/* Read data[0..size) as plain bits. data is borrowed for the reader's lifetime. */
void sr_bits_init(sr_bits_t *b, const uint8_t *data, size_t size);
/* Read data[0..size) as NAL bytes, dropping emulation-prevention bytes. Borrowed. */
void sr_bits_init_rbsp(sr_bits_t *b, const uint8_t *data, size_t size);
/* Read n bits (0..32) MSB first into *v. -SR_ETRUNCATED at the end (position then
 * unspecified: stop parsing), -SR_EINVAL if n > 32. */
int sr_bits_read(sr_bits_t *b, unsigned n, uint32_t *v);
/* Read one bit as a flag. -SR_ETRUNCATED at the end. */
int sr_bits_flag(sr_bits_t *b, bool *v);
/* Skip n bits. -SR_ETRUNCATED if fewer remain. */
int sr_bits_skip(sr_bits_t *b, size_t n);
/* Unsigned Exp-Golomb ue(v) (H.264 9.1). -SR_EFORMAT for more than 31 leading zero
 * bits (the value would not fit 32 bits), -SR_ETRUNCATED at the end. */
int sr_bits_ue(sr_bits_t *b, uint32_t *v);
/* ue(v) that must be <= max, else -SR_EFORMAT. */
int sr_bits_ue_max(sr_bits_t *b, uint32_t max, uint32_t *v);
/* Signed Exp-Golomb se(v) (H.264 9.1.1). Errors as sr_bits_ue(). */
int sr_bits_se(sr_bits_t *b, int32_t *v);
/* True when no bit is left (emulation prevention not counted). */
bool sr_bits_is_empty(const sr_bits_t *b);

/* ==== H.264 / AVC (sr_avc.c) ==== */

/* Fields of a sequence parameter set, ITU-T H.264 7.3.2.1.1. */
typedef struct sr_avc_sps {
    uint8_t profile_idc;       /* 66 Baseline, 77 Main, 100 High, ... */
    uint8_t constraint_flags;  /* constraint_set0..5 in bits 7..2 */
    uint8_t level_idc;         /* 31 means level 3.1 */
    uint8_t chroma_format_idc; /* 0 mono, 1 4:2:0, 2 4:2:2, 3 4:4:4 */
    bool separate_colour_plane;
    uint8_t bit_depth_luma; /* 8..14 */
    uint8_t bit_depth_chroma;
    uint8_t log2_max_frame_num;
    uint8_t pic_order_cnt_type; /* 0..2 */
    uint32_t max_num_ref_frames;
    uint32_t pic_width_in_mbs;
    uint32_t pic_height_in_map_units;
    bool frame_mbs_only;
    uint32_t crop_left, crop_right, crop_top, crop_bottom; /* frame_crop_*_offset */
    uint32_t width;                                        /* luma pixels after cropping */
    uint32_t height;
    bool has_timing; /* VUI timing_info_present_flag */
    uint32_t num_units_in_tick;
    uint32_t time_scale;            /* frame rate = time_scale / (2 * num_units_in_tick) */
    bool has_reorder;               /* VUI bitstream_restriction_flag */
    uint8_t max_num_reorder_frames; /* how many frames B-frames present after (0..16) */
} sr_avc_sps_t;

/* AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.2.4.1, plus its first SPS parsed. */
typedef struct sr_avc_config {
    uint8_t version;         /* always 1 */
    uint8_t profile;         /* AVCProfileIndication */
    uint8_t compat;          /* profile_compatibility */
    uint8_t level;           /* AVCLevelIndication */
    uint8_t nal_length_size; /* 1, 2 or 4 */
    uint8_t nb_sps;          /* kept in sps[], <= SR_CODEC_MAX_PARAM_SETS */
    uint8_t nb_pps;
    sr_codec_nalu_t sps[SR_CODEC_MAX_PARAM_SETS]; /* whole NAL units, header byte included */
    sr_codec_nalu_t pps[SR_CODEC_MAX_PARAM_SETS];
    sr_avc_sps_t info; /* from sps[0] */
} sr_avc_config_t;

/* Parse one SPS NAL unit (header byte included, emulation prevention in place) into
 * *out. nal is borrowed. -SR_EFORMAT if not nal_unit_type 7 or a field is out of
 * range; -SR_ETRUNCATED if it ends before the frame cropping fields. A broken or
 * short VUI is not an error: has_timing stays false. */
int sr_avc_parse_sps(const uint8_t *nal, size_t size, sr_avc_sps_t *out);
/* Parse an AVCDecoderConfigurationRecord into *out, including its first SPS. record
 * is borrowed and must outlive *out (sps/pps point into it). Needs one SPS; more than
 * SR_CODEC_MAX_PARAM_SETS SPS/PPS are checked but not kept. The high-profile
 * extension after the PPS list is optional but, when started, must be complete. */
int sr_avc_parse_config(const uint8_t *record, size_t size, sr_avc_config_t *out);
/* Parse an FLV/RTMP AVC sequence header tag body: legacy (0x17, AVCPacketType 0,
 * 3-byte composition time) or Enhanced RTMP (SequenceStart, FourCC avc1), both a
 * 5-byte prefix before the record. -SR_EFORMAT if the body is not an AVC sequence
 * header. body is borrowed and must outlive *out. */
int sr_avc_parse_flv(const uint8_t *body, size_t size, sr_avc_config_t *out);
/* "Baseline" (66, constrained too), "Main", "Extended", "High", "High 10",
 * "High 4:2:2", "High 4:4:4", else "Other", as SRS reports them. Static string. */
const char *sr_avc_profile_name(uint8_t profile_idc);
/* "1b" (9), "1", "1.1" ... "6.2" for the H.264 Table A-1 levels, else "Other". Static. */
const char *sr_avc_level_name(uint8_t level_idc);

/* ==== H.265 / HEVC (sr_hevc.c) ==== */

/* Fields of a sequence parameter set, ITU-T H.265 7.3.2.2.1, up to the bit depths. */
typedef struct sr_hevc_sps {
    uint8_t max_sub_layers; /* sps_max_sub_layers_minus1 + 1 */
    uint8_t profile_space;
    bool tier;                 /* general_tier_flag: false Main, true High */
    uint8_t profile_idc;       /* 1 Main, 2 Main 10, 3 Main Still Picture, 4 RExt */
    uint8_t level_idc;         /* 30 x level: 93 means 3.1 */
    uint8_t chroma_format_idc; /* 0 mono, 1 4:2:0, 2 4:2:2, 3 4:4:4 */
    bool separate_colour_plane;
    uint32_t pic_width; /* pic_width_in_luma_samples */
    uint32_t pic_height;
    uint32_t conf_left, conf_right, conf_top, conf_bottom; /* conf_win_*_offset */
    uint32_t width;                                        /* luma pixels after the conformance window */
    uint32_t height;
    uint8_t bit_depth_luma;
    uint8_t bit_depth_chroma;
} sr_hevc_sps_t;

/* HEVCDecoderConfigurationRecord, ISO/IEC 14496-15 8.3.3.1, plus its first SPS parsed. */
typedef struct sr_hevc_config {
    uint8_t version; /* always 1 */
    uint8_t profile_space;
    bool tier;
    uint8_t profile_idc;
    uint32_t profile_compat_flags;
    uint8_t level_idc;
    uint8_t chroma_format_idc;
    uint8_t bit_depth_luma;
    uint8_t bit_depth_chroma;
    uint16_t avg_frame_rate; /* frames per 256 s, 0 unspecified */
    uint8_t nal_length_size; /* 1, 2 or 4 */
    uint8_t nb_vps, nb_sps, nb_pps;
    sr_codec_nalu_t vps[SR_CODEC_MAX_PARAM_SETS]; /* whole NAL units, 2-byte header included */
    sr_codec_nalu_t sps[SR_CODEC_MAX_PARAM_SETS];
    sr_codec_nalu_t pps[SR_CODEC_MAX_PARAM_SETS];
    sr_hevc_sps_t info; /* from sps[0] */
} sr_hevc_config_t;

/* Parse one SPS NAL unit (2-byte header included) into *out. nal is borrowed.
 * -SR_EFORMAT if not nal_unit_type 33 or a field is out of range, -SR_ETRUNCATED if
 * it ends before the bit depths. */
int sr_hevc_parse_sps(const uint8_t *nal, size_t size, sr_hevc_sps_t *out);
/* Parse an HEVCDecoderConfigurationRecord into *out, including its first SPS. record is
 * borrowed and must outlive *out. Needs one SPS. Arrays of other NAL types (SEI) are
 * skipped; more than SR_CODEC_MAX_PARAM_SETS VPS/SPS/PPS are checked but not kept. */
int sr_hevc_parse_config(const uint8_t *record, size_t size, sr_hevc_config_t *out);
/* Parse an FLV/RTMP HEVC sequence header tag body: legacy codec id 12 (0x1c, packet
 * type 0, composition time) or Enhanced RTMP (SequenceStart, FourCC hvc1). Both have a
 * 5-byte prefix. -SR_EFORMAT if not an HEVC sequence header. body is borrowed. */
int sr_hevc_parse_flv(const uint8_t *body, size_t size, sr_hevc_config_t *out);
/* "Main" (1), "Main 10" (2), "Main Still Picture" (3), "Rext" (4), else "Other". Static. */
const char *sr_hevc_profile_name(uint8_t profile_idc);
/* "1", "2", "2.1" ... "6.2" for general_level_idc 30, 60, 63 ... 186, else "Other". Static. */
const char *sr_hevc_level_name(uint8_t level_idc);

/* ==== AAC (sr_aac.c) ==== */

/* AudioSpecificConfig, ISO/IEC 14496-3 1.6.2.1. */
typedef struct sr_aac_config {
    uint8_t object_type;       /* first audioObjectType: 2 LC, 5 SBR (HE), 29 PS (HEv2) */
    uint8_t core_object_type;  /* the coder under SBR/PS, e.g. 2; equals object_type otherwise */
    uint8_t sample_rate_index; /* 0..12, or 15 when the rate is explicit */
    uint32_t sample_rate;      /* Hz of the core coder */
    uint8_t channel_config;    /* channelConfiguration 0..7 (0: in a program config element) */
    uint8_t channels;          /* channel count from channel_config (7 means 8), 0 if unknown */
    bool has_sbr;              /* explicit (object type 5/29) or backward-compatible signalling */
    bool has_ps;
    uint32_t ext_sample_rate; /* SBR output rate in Hz, 0 without SBR */
} sr_aac_config_t;

/* Parse an AudioSpecificConfig into *out. asc is borrowed. Reads the backward-
 * compatible SBR/PS extension after a GASpecificConfig when it is there. -SR_EFORMAT
 * for reserved sampling indexes or a zero rate, -SR_ETRUNCATED when short. */
int sr_aac_parse_config(const uint8_t *asc, size_t size, sr_aac_config_t *out);
/* Parse an FLV AAC sequence header tag body (0xaX, AACPacketType 0, then the
 * AudioSpecificConfig). -SR_EFORMAT if it is not one. body is borrowed. */
int sr_aac_parse_flv(const uint8_t *body, size_t size, sr_aac_config_t *out);
/* "Main" (1), "LC" (2), "SSR" (3), "LTP" (4), "HE" (5), "HEv2" (29), else "Other",
 * as SRS names them. Static. */
const char *sr_aac_profile_name(uint8_t object_type);

#define SR_AAC_ADTS_HEADER_BYTES 7

/* Write the 7-byte ADTS header (ISO/IEC 14496-3 1.A.2.2, no CRC, one raw data block)
 * that precedes a raw AAC frame of frame_bytes bytes; aac_frame_length is frame_bytes
 * + 7. With SBR/PS the header carries the core object type (implicit signalling).
 * -SR_EINVAL when ADTS cannot express it: core object type not 1..4, explicit rate
 * (index 15), channel_config > 7, or frame_bytes + 7 > 8191. out is then untouched. */
int sr_aac_adts_header(const sr_aac_config_t *c, size_t frame_bytes, uint8_t out[SR_AAC_ADTS_HEADER_BYTES]);

/* ==== FLV tag-header facts and SRS-style summaries (sr_codec.c) ==== */

/* Sample rate in Hz from an FLV audio tag's first byte: the SoundRate field (5512,
 * 11025, 22050, 44100), except the fixed-rate formats Nellymoser 8 kHz (8000),
 * Nellymoser 16 kHz and Speex (16000). For AAC the real rate is in the ASC. */
uint32_t sr_codec_flv_audio_sample_rate(uint8_t flv_audio_byte);
/* 1 or 2 from the SoundType bit of an FLV audio tag's first byte. */
uint8_t sr_codec_flv_audio_channels(uint8_t flv_audio_byte);
/* 8 or 16 from the SoundSize bit. */
uint8_t sr_codec_flv_audio_bits(uint8_t flv_audio_byte);
/* SRS codec names: "H264" (7), "H265" (12), else "Other". Static. */
const char *sr_codec_video_name(int flv_video_codec);
/* SRS codec names: "AAC" (10), "MP3" (2), "Speex" (11), "Nellymoser" (4..6), "PCM"
 * (0, 3), "G711A" (7), "G711U" (8), else "Other". Static. */
const char *sr_codec_audio_name(int flv_audio_codec);

/* What the HTTP API reports for a stream's video. */
typedef struct sr_codec_video_info {
    int codec;              /* SR_FLV_VIDEO_CODEC_AVC or _HEVC */
    const char *codec_name; /* static strings */
    const char *profile_name;
    const char *level_name;
    uint32_t width;
    uint32_t height;
} sr_codec_video_info_t;

/* What the HTTP API reports for a stream's audio. */
typedef struct sr_codec_audio_info {
    int codec;                /* FLV SoundFormat */
    const char *codec_name;   /* static strings */
    const char *profile_name; /* AAC object type name, "" for other codecs */
    uint32_t sample_rate;
    uint8_t channels;
} sr_codec_audio_info_t;

/* Summarise an FLV video sequence header body (AVC or HEVC, legacy or Enhanced RTMP).
 * body is only read during the call. -SR_EUNSUPPORTED for other codecs, else the
 * parser's code. */
int sr_codec_video_info_parse(const uint8_t *body, size_t size, sr_codec_video_info_t *out);
/* The same from the configuration record's header alone (publish.parse_sps off): codec,
 * profile and level, width and height 0; the SPS is not parsed. Same codes. */
int sr_codec_video_info_parse_header(const uint8_t *body, size_t size, sr_codec_video_info_t *out);
/* Summarise an FLV audio tag body: for AAC it must be the sequence header (rate and
 * channels from the ASC); for other codecs any tag (from the header byte). */
int sr_codec_audio_info_parse(const uint8_t *body, size_t size, sr_codec_audio_info_t *out);

SR_END_DECLS

#endif
