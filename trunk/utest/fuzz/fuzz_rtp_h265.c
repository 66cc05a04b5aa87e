// SPDX-License-Identifier: MIT
// fuzz_rtp_h265.c: libFuzzer harness for the H.265 side of the NAL depacketizer
// (kernel/sr_rtp_nal.h with SR_CODEC_H265: single NAL units, APs, FUs). The input is a
// run of records: a 1-byte length, a flags byte (marker, timestamp step, sequence
// skip), then that many payload bytes. Invariants: every frame is canonical (4-byte
// lengths that fill it, each NAL unit at least its 2-byte header, no VPS/SPS/PPS/AUD
// or filler, no type of RFC 7798's own); a delivered config parses as an
// HEVCDecoderConfigurationRecord; a keyframe that came with a config, packetized again
// (sr_rtp_h265_packetize) and depacketized in order, comes back byte for byte. ASan checks that all is freed.
#include <stdlib.h>
#include <string.h>

#include "sr_bytes.h"
#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_rtp.h"
#include "sr_rtp_h265.h"
#include "sr_rtp_nal.h"

#include "fuzz.h"

static uint8_t *again;
static size_t again_size;

static void on_again(void *arg, const sr_rtp_nal_frame_t *f)
{
    free(again);
    again = malloc(f->size);
    memcpy(again, f->data, f->size);
    again_size = f->size;
}

static void check_frame(const sr_rtp_nal_frame_t *f)
{
    size_t pos = 0;
    while (pos < f->size) {
        FUZZ_CHECK(f->size - pos >= 4);
        size_t len = sr_get_be32(f->data + pos);
        pos += 4;
        FUZZ_CHECK(len >= 2 && len <= f->size - pos);
        uint8_t type = (f->data[pos] >> 1) & 0x3f;
        FUZZ_CHECK(type < 48 && !(type >= 32 && type <= 35) && type != 38);
        pos += len;
    }
    FUZZ_CHECK(f->size > 0);
}

static void on_frame(void *arg, const sr_rtp_nal_frame_t *f)
{
    check_frame(f);
    sr_hevc_config_t cfg, *cp = NULL;
    if (f->config) {
        FUZZ_CHECK(sr_hevc_parse_config(f->config, f->config_size, &cfg) == SR_OK);
        cp = &cfg;
    }
    sr_rtp_payloads_t out = {NULL, 0, NULL, 0, 0, 0};
    int rc;
    while ((rc = sr_rtp_h265_packetize(f->data, f->size, cp, false, 300, &out)) == -SR_EOVERFLOW) {
        sr_rtp_payloads_grow(&out);
    }
    FUZZ_CHECK(rc == SR_OK);
    sr_rtp_nal_depack_t *d = sr_rtp_nal_depack_new(SR_CODEC_H265, 64, 0, on_again, NULL);
    if (cp) {
        FUZZ_CHECK(sr_rtp_nal_depack_set_config(d, f->config, f->config_size) == SR_OK);
    }
    again_size = 0;
    for (size_t i = 0; i < out.nb_items; i++) {
        sr_rtp_packet_t p = {0};
        p.seq = (uint16_t)i;
        p.ts = 1;
        p.is_marker = out.items[i].is_marker;
        p.payload = out.data + out.items[i].offset;
        p.payload_size = out.items[i].size;
        sr_rtp_nal_depack_push(d, &p, 0);
    }
    /* a fresh depacketizer starts at a keyframe with a config: such a frame comes back */
    if (cp && f->is_keyframe) {
        FUZZ_CHECK(again_size == f->size && memcmp(again, f->data, f->size) == 0);
    }
    sr_rtp_nal_depack_free(d);
    sr_rtp_payloads_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_rtp_nal_depack_t *d = sr_rtp_nal_depack_new(SR_CODEC_H265, 16, 20000, on_frame, NULL);
    size_t at = 0;
    uint16_t seq = 100;
    uint32_t ts = 0;
    int64_t now = 0;
    while (at + 2 <= size) {
        size_t n = data[at];
        uint8_t flags = data[at + 1];
        at += 2;
        n = n > size - at ? size - at : n;
        uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees an overread */
        memcpy(copy, data + at, n);
        ts += flags & 0x02 ? 3000 : 0;
        seq += flags & 0x04 ? 2 : 1;
        now += (flags >> 4) * 5000;
        sr_rtp_packet_t p = {0};
        p.seq = seq;
        p.ts = ts;
        p.is_marker = flags & 0x01;
        p.payload = copy;
        p.payload_size = n;
        sr_rtp_nal_depack_push(d, &p, now);
        free(copy);
        at += n;
    }
    sr_rtp_nal_depack_flush(d);
    sr_rtp_nal_depack_free(d);
    free(again);
    again = NULL;
    return 0;
}
