/* SPDX-License-Identifier: MIT */
/*
 * sr_codec_config.h: codec configurations from any origin, not only FLV sequence
 * headers. The canonical config of a codec (sr_codec_id.h) is its ISO record:
 *   H.264  AVCDecoderConfigurationRecord   ISO/IEC 14496-15 5.2.4.1
 *   H.265  HEVCDecoderConfigurationRecord  ISO/IEC 14496-15 8.3.3.1
 *   AAC    AudioSpecificConfig             ISO/IEC 14496-3 1.6.2.1
 *   Opus   OpusHead                        RFC 7845 5.1
 * This header builds them from Annex-B parameter sets (MPEG-TS, SRT, RTP), ADTS
 * headers and SDP fmtp lines, and turns Annex-B access units into the canonical
 * length-prefixed frames. sr_codec.h parses what is built here.
 *
 * Kernel rules: bytes in, bytes out, on caller storage. No allocation, no logging, no
 * error trail. Borrowed results (sr_codec_nalu_t) point into the caller's input.
 * Code: sr_annexb.c (byte streams), sr_codec_record.c (AVC/HEVC records),
 * sr_aac_adts.c (ADTS, AudioSpecificConfig writer), sr_opus.c (OpusHead),
 * sr_codec_fmtp.c (SDP fmtp).
 *
 * Error codes: -SR_ETRUNCATED input ends inside a field; -SR_EFORMAT malformed input
 * or a NAL unit of the wrong kind; -SR_EOVERFLOW the output capacity is too small;
 * -SR_EINVAL an argument outside the function's contract; -SR_EUNSUPPORTED valid
 * input this code does not handle (noted per function).
 */
#ifndef SR_CODEC_CONFIG_H
#define SR_CODEC_CONFIG_H

#include "sr_codec.h"
#include "sr_codec_id.h"

SR_BEGIN_DECLS

/* ==== Annex-B byte streams (sr_annexb.c), ITU-T H.264 / H.265 Annex B ==== */

/* NAL unit types the configs and frames care about. */
#define SR_AVC_NAL_IDR 5
#define SR_AVC_NAL_SPS 7
#define SR_AVC_NAL_PPS 8
#define SR_AVC_NAL_AUD 9
#define SR_HEVC_NAL_IRAP_FIRST 16 /* BLA_W_LP */
#define SR_HEVC_NAL_IRAP_LAST 23  /* RSV_IRAP_VCL23 */
#define SR_HEVC_NAL_VPS 32
#define SR_HEVC_NAL_SPS 33
#define SR_HEVC_NAL_PPS 34
#define SR_HEVC_NAL_AUD 35

/* A set of NAL unit types (H.265 has 64, H.264 32): bit t stands for type t. */
#define SR_NAL_TYPE_BIT(t) (UINT64_C(1) << (t))
/* What travels in the config record, not in frames: SPS, PPS and the access unit
 * delimiter for H.264; VPS, SPS, PPS and AUD for H.265. */
#define SR_AVC_NAL_CONFIG_TYPES                                                                                        \
    (SR_NAL_TYPE_BIT(SR_AVC_NAL_SPS) | SR_NAL_TYPE_BIT(SR_AVC_NAL_PPS) | SR_NAL_TYPE_BIT(SR_AVC_NAL_AUD))
#define SR_HEVC_NAL_CONFIG_TYPES                                                                                       \
    (SR_NAL_TYPE_BIT(SR_HEVC_NAL_VPS) | SR_NAL_TYPE_BIT(SR_HEVC_NAL_SPS) | SR_NAL_TYPE_BIT(SR_HEVC_NAL_PPS) |          \
     SR_NAL_TYPE_BIT(SR_HEVC_NAL_AUD))

/* Bytes of the length field before each NAL unit of a canonical frame. */
#define SR_CODEC_NAL_LENGTH_BYTES 4

/* Walks the NAL units of an Annex-B byte stream. Plain value: init, then next. */
typedef struct sr_annexb_iter {
    const uint8_t *data;
    size_t size;
    size_t pos; /* first byte after the last start code found, or size at the end */
    bool _started;
} sr_annexb_iter_t;

/* Walk data[0..size), which is borrowed for the iterator's lifetime. */
void sr_annexb_iter_init(sr_annexb_iter_t *it, const uint8_t *data, size_t size);
/* The next NAL unit into *nal (borrowed from the input, size >= 1): the bytes after a
 * 3- or 4-byte start code (0x000001, 0x00000001) up to the next start code or the
 * end, without trailing zero bytes (trailing_zero_8bits, B.2). Empty NAL units (two
 * start codes in a row) are skipped. Returns SR_OK, -SR_ENOT_FOUND after the last
 * one, or -SR_EFORMAT when a byte other than zero comes before the first start code
 * (not an Annex-B stream, e.g. length-prefixed data). */
int sr_annexb_next(sr_annexb_iter_t *it, sr_codec_nalu_t *nal);

/* nal_unit_type of a NAL unit's first byte: bits 1..6 for H.265, 0..4 otherwise. */
uint8_t sr_annexb_nal_type(sr_codec_id_t codec, uint8_t first_byte);

/* Bytes the canonical frame of an Annex-B access unit takes: each NAL unit whose type
 * is not in drop_types (SR_NAL_TYPE_BIT set, e.g. SR_AVC_NAL_CONFIG_TYPES) with a
 * 4-byte big-endian length before it. codec is SR_CODEC_H264 or SR_CODEC_H265, else
 * -SR_EINVAL. au is only read during the call. -SR_EFORMAT if au holds no NAL unit
 * or is not Annex-B (sr_annexb_next); a frame whose every NAL unit is dropped is
 * SR_OK with 0 bytes. */
int sr_annexb_frame_size(sr_codec_id_t codec, const uint8_t *au, size_t size, uint64_t drop_types, size_t *out_bytes);
/* Write that frame into out[0..cap) and set *written. au and out must not overlap.
 * Same codes, plus -SR_EOVERFLOW when cap is too small (out is then unspecified). */
int sr_annexb_frame_write(sr_codec_id_t codec, const uint8_t *au, size_t size, uint64_t drop_types, uint8_t *out,
                          size_t cap, size_t *written);

/* Parameter sets of a codec, borrowed from some input (vps unused for H.264). */
typedef struct sr_codec_param_sets {
    uint8_t nb_vps, nb_sps, nb_pps;
    sr_codec_nalu_t vps[SR_CODEC_MAX_PARAM_SETS];
    sr_codec_nalu_t sps[SR_CODEC_MAX_PARAM_SETS];
    sr_codec_nalu_t pps[SR_CODEC_MAX_PARAM_SETS];
} sr_codec_param_sets_t;

/* What one Annex-B access unit holds. */
typedef struct sr_annexb_au {
    bool has_irap;            /* an IDR (H.264 type 5) or IRAP (H.265 types 16..23) picture */
    bool has_more_param_sets; /* more than SR_CODEC_MAX_PARAM_SETS of a kind: extra not kept */
    sr_codec_param_sets_t ps; /* H.264 SPS 7 / PPS 8; H.265 VPS 32 / SPS 33 / PPS 34 */
} sr_annexb_au_t;

/* Scan an Annex-B access unit: keyframe or not, and its parameter sets in order of
 * appearance (the first SR_CODEC_MAX_PARAM_SETS of each kind, borrowed from au, which
 * must outlive *out). The parameter sets are not parsed. Codes as
 * sr_annexb_frame_size(). */
int sr_annexb_scan(sr_codec_id_t codec, const uint8_t *au, size_t size, sr_annexb_au_t *out);

/* ==== AVC and HEVC decoder configuration records (sr_codec_record.c) ==== */

/* Build an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.2.4.1) into out[0..cap)
 * and set *written: version 1, profile, compatibility and level copied from the first
 * SPS, lengthSizeMinusOne 3, the SPS and PPS lists in the given order, and for the
 * profiles whose SPS carries chroma_format_idc (100, 110, 122, 244, ...) the
 * chroma_format/bit depth extension from the parsed first SPS, with no SPS extension
 * NAL units. The NAL units are whole (header byte included, emulation prevention in
 * place) and only read during the call. Needs 1..31 SPS and 0..255 PPS, each 1..65535
 * bytes of the right nal_unit_type (-SR_EFORMAT otherwise); the first SPS must parse
 * (sr_avc_parse_sps codes). -SR_EOVERFLOW when cap is too small (out unspecified). */
int sr_avc_config_write(const sr_codec_nalu_t *sps, size_t nb_sps, const sr_codec_nalu_t *pps, size_t nb_pps,
                        uint8_t *out, size_t cap, size_t *written);
/* Build an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1) into out[0..cap):
 * general profile space, tier, profile idc, compatibility flags, the 48 constraint
 * flag bits and level from the first SPS's profile_tier_level; chroma format and bit
 * depths from sr_hevc_parse_sps(); numTemporalLayers and temporalIdNested from the
 * SPS; lengthSizeMinusOne 3; min_spatial_segmentation_idc, parallelismType and the
 * frame rate fields 0 (unknown). One array per non-empty kind, VPS, SPS, PPS, each
 * with array_completeness 1. Needs 1..65535 SPS and 0..65535 VPS/PPS, each 2..65535
 * bytes of the right type (-SR_EFORMAT otherwise); the first SPS must parse.
 * -SR_EOVERFLOW when cap is too small. All inputs only read during the call. */
int sr_hevc_config_write(const sr_codec_nalu_t *vps, size_t nb_vps, const sr_codec_nalu_t *sps, size_t nb_sps,
                         const sr_codec_nalu_t *pps, size_t nb_pps, uint8_t *out, size_t cap, size_t *written);

/* ==== AAC: ADTS headers and the AudioSpecificConfig writer (sr_aac_adts.c) ==== */

/* One ADTS header, ISO/IEC 14496-3 1.A.2.2. */
typedef struct sr_aac_adts {
    size_t header_bytes;    /* 7, or with CRC 9 (more with several raw data blocks) */
    size_t frame_bytes;     /* aac_frame_length: header and raw data blocks */
    uint8_t raw_blocks;     /* number_of_raw_data_blocks_in_frame + 1: 1..4 */
    bool has_crc;           /* protection_absent == 0 */
    bool is_mpeg2;          /* ID bit: MPEG-2 AAC (the profiles map to the same types) */
    sr_aac_config_t config; /* object type = profile + 1, no SBR (ADTS has no such field) */
} sr_aac_adts_t;

/* Parse the ADTS header at data[0..size) into *out; only the header must be there
 * (the caller checks size >= frame_bytes before taking the payload). data is only read
 * during the call. -SR_ETRUNCATED when fewer than 7 (or header_bytes) bytes;
 * -SR_EFORMAT for a wrong syncword, a non-zero layer, sampling index 13..15, or an
 * aac_frame_length smaller than the header. */
int sr_aac_adts_parse(const uint8_t *data, size_t size, sr_aac_adts_t *out);

/* Write the AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) of *c into out[0..cap) and
 * set *written: audioObjectType, samplingFrequencyIndex (15 and the 24-bit
 * sample_rate when sample_rate_index is 15), channelConfiguration; for object types 5
 * and 29 (explicit SBR/PS) the extension rate and core_object_type; then a
 * GASpecificConfig with every flag 0 (1024-sample frames, no core coder, no
 * extension). For object types 1..4 with has_sbr set, the backward-compatible SBR
 * (and PS) signalling follows. Plain LC is 2 bytes. sample_rate is only read with
 * index 15; ext_sample_rate only with SBR. -SR_EINVAL for what this cannot express:
 * a (core) object type other than 1..4 (AAC Main, LC, SSR, LTP), channel_config 0
 * (needs a program_config_element) or above 7, rate index 13/14, a rate above 24
 * bits or zero where needed; -SR_EOVERFLOW if cap is too small. The result parses
 * with sr_aac_parse_config() to the same fields. */
int sr_aac_config_write(const sr_aac_config_t *c, uint8_t *out, size_t cap, size_t *written);

/* ==== Opus (sr_opus.c) ==== */

#define SR_OPUS_HEAD_MIN_BYTES 19 /* mapping family 0 */

/* OpusHead, RFC 7845 5.1. */
typedef struct sr_opus_head {
    uint8_t version;            /* 1; parsing accepts 1..15 (same major version) */
    uint8_t channels;           /* output channel count, >= 1 */
    uint16_t pre_skip;          /* 48 kHz samples to drop at the start of the stream */
    uint32_t input_sample_rate; /* Hz of the original input, informational; 0 unknown */
    int16_t output_gain;        /* Q7.8 dB */
    uint8_t mapping_family;     /* 0: mono/stereo, 1: Vorbis order up to 8 channels, 255... */
    uint8_t streams;            /* family != 0: N streams; family 0: 1 */
    uint8_t coupled;            /* family != 0: M coupled streams; family 0: channels - 1 */
    uint8_t mapping[255];       /* family != 0: channel -> stream index, 255 silent */
} sr_opus_head_t;

/* Parse an OpusHead packet into *out. data is only read during the call; bytes after
 * the mapping table are ignored (later minor versions may add fields). -SR_EFORMAT for
 * a wrong magic, version 0, zero channels, family 0 with more than 2 channels, family
 * 1 with more than 8, no streams, more coupled streams than streams, more than 255
 * streams in all, or a mapping entry naming no stream; -SR_EUNSUPPORTED for a major
 * version above 0 (version 16 and up); -SR_ETRUNCATED when short. */
int sr_opus_head_parse(const uint8_t *data, size_t size, sr_opus_head_t *out);
/* Write *h as an OpusHead into out[0..cap) and set *written (19 bytes for family 0,
 * 21 + channels otherwise). The same checks as sr_opus_head_parse give -SR_EINVAL;
 * -SR_EOVERFLOW when cap is too small. */
int sr_opus_head_write(const sr_opus_head_t *h, uint8_t *out, size_t cap, size_t *written);
/* The OpusHead of an RTP stream (RFC 7587), which carries none: version 1, channels
 * (1 or 2), family 0, pre-skip 0, input rate 48000, gain 0. Pre-skip is 0 because a
 * live stream joined mid-way has no encoder priming to trim: a non-zero value would
 * make MP4/Ogg players drop real audio at the start. -SR_EINVAL for other counts. */
int sr_opus_head_default(uint8_t channels, sr_opus_head_t *out);

/* ==== SDP fmtp (sr_codec_fmtp.c) ==== */

/* Find parameter key (case-insensitive) in an a=fmtp parameter list
 * "k1=v1; k2=v2" (the text after "a=fmtp:<pt> "), fmtp[0..len). On success *value
 * points into fmtp, without surrounding spaces. False when absent. */
bool sr_codec_fmtp_find(const char *fmtp, size_t len, const char *key, const char **value, size_t *value_len);

/* The hex value of parameter key (config=40002420) decoded into out[0..cap), its length
 * in *written. -SR_ENOT_FOUND when absent, -SR_EFORMAT for an odd length or a non-hex
 * digit, -SR_EOVERFLOW when it does not fit. */
int sr_codec_fmtp_hex(const char *fmtp, size_t len, const char *key, uint8_t *out, size_t cap, size_t *written);

/* Most bytes of parameter sets one fmtp line may carry, decoded (stack scratch). */
#define SR_CODEC_FMTP_MAX_PARAM_BYTES 2048

/* Build the canonical config of codec (see the top of this header) from SDP into
 * out[0..cap) and set *written. fmtp[0..len) is the parameter list (may be NULL with
 * len 0), channels the rtpmap channel count (0: the default). Both only read during
 * the call.
 *   H.264: sprop-parameter-sets (RFC 6184 8.1), base64 NAL units, comma-separated.
 *   H.265: sprop-vps, sprop-sps, sprop-pps (RFC 7798 7.1).
 *   AAC:   config=HEX, the AudioSpecificConfig of mpeg4-generic (RFC 3640 4.1); it
 *          must parse. MP4A-LATM (cpresent=0, RFC 6416) is -SR_EUNSUPPORTED.
 *   Opus:  no fmtp needed: sr_opus_head_default(channels, default 2: RFC 7587 7).
 * -SR_ENOT_FOUND when the parameters are absent (the config then comes in-band);
 * -SR_EFORMAT for bad base64/hex, parameter sets of the wrong kind, or some but no SPS; -SR_EUNSUPPORTED
 * for other codecs, more than SR_CODEC_MAX_PARAM_SETS parameter sets of a kind or
 * more than SR_CODEC_FMTP_MAX_PARAM_BYTES of them; else the record writer's code. */
int sr_codec_fmtp_config(sr_codec_id_t codec, const char *fmtp, size_t len, uint8_t channels, uint8_t *out, size_t cap,
                         size_t *written);

SR_END_DECLS

#endif
