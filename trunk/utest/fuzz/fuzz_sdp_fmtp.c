// SPDX-License-Identifier: MIT
// fuzz_sdp_fmtp.c: libFuzzer harness for the SDP fmtp config builder
// (kernel/sr_codec_config.h sr_codec_fmtp_config) and the base64 decoder under it
// (core/sr_base64.h), with the input as one fmtp parameter list for H.264, H.265, AAC
// and Opus. Invariants: a built config parses with the matching sr_codec.h parser (or
// sr_opus_head_parse); failures are codec codes; a found parameter value lies inside
// the input; whatever base64 decodes, encoding it and decoding again gives it back.
#include <stdlib.h>
#include <string.h>

#include "sr_base64.h"
#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"

#include "fuzz.h"

static bool fmtp_rc(int rc)
{
    return rc == -SR_ENOT_FOUND || rc == -SR_EFORMAT || rc == -SR_ETRUNCATED || rc == -SR_EUNSUPPORTED ||
           rc == -SR_EOVERFLOW || rc == -SR_EINVAL;
}

static void check_config(sr_codec_id_t codec, const char *text, size_t size, uint8_t channels)
{
    static uint8_t out[8192];
    size_t n = 0;
    int rc = sr_codec_fmtp_config(codec, text, size, channels, out, sizeof(out), &n);
    if (rc != SR_OK) {
        FUZZ_CHECK(fmtp_rc(rc) && n == 0);
        return;
    }
    FUZZ_CHECK(n > 0 && n <= sizeof(out));
    uint8_t *copy = malloc(n); /* exact size, so ASan sees a parser overread */
    memcpy(copy, out, n);
    if (codec == SR_CODEC_H264) {
        sr_avc_config_t c;
        FUZZ_CHECK(sr_avc_parse_config(copy, n, &c) == SR_OK);
    } else if (codec == SR_CODEC_H265) {
        sr_hevc_config_t c;
        FUZZ_CHECK(sr_hevc_parse_config(copy, n, &c) == SR_OK);
    } else if (codec == SR_CODEC_AAC) {
        sr_aac_config_t c;
        FUZZ_CHECK(sr_aac_parse_config(copy, n, &c) == SR_OK);
    } else {
        sr_opus_head_t h;
        FUZZ_CHECK(sr_opus_head_parse(copy, n, &h) == SR_OK && h.channels == (channels ? channels : 2));
    }
    free(copy);
}

static void check_base64(const char *text, size_t size)
{
    size_t cap = sr_base64_decoded_max(size), n = 0, again_n = 0;
    uint8_t *bin = malloc(cap + 1);
    if (sr_base64_decode(text, size, bin, cap, &n) == SR_OK) {
        FUZZ_CHECK(n <= cap);
        char *enc = malloc(sr_base64_encoded_len(n) + 1);
        sr_base64_encode(bin, n, enc);
        uint8_t *again = malloc(n + 1);
        FUZZ_CHECK(sr_base64_decode(enc, strlen(enc), again, n, &again_n) == SR_OK);
        FUZZ_CHECK(again_n == n && memcmp(again, bin, n) == 0);
        free(again);
        free(enc);
    }
    free(bin);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    static const char *keys[] = {"sprop-parameter-sets", "sprop-sps", "config", "packetization-mode"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v;
        size_t vlen;
        if (sr_codec_fmtp_find(text, size, keys[i], &v, &vlen)) {
            FUZZ_CHECK(v >= text && v + vlen <= text + size);
        }
    }
    check_config(SR_CODEC_H264, text, size, 0);
    check_config(SR_CODEC_H265, text, size, 0);
    check_config(SR_CODEC_AAC, text, size, 0);
    check_config(SR_CODEC_OPUS, text, size, size > 0 ? (uint8_t)(data[0] & 3) : 0);
    check_base64(text, size);
    return 0;
}
