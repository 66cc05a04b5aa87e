// SPDX-License-Identifier: MIT
// fuzz_rtp_aac.c: libFuzzer harness for the RFC 3640 AAC and RFC 6416 MP4A-LATM
// depacketizers and the LATM config reader (kernel/sr_rtp_aac.h). The input is a run of RTP payloads, each prefixed
// with a length byte, a flags byte (the lost count, whether the timestamp moves) and a format byte for the first.
// Invariants: every AU handed out lies in the pushed bytes (a single payload) or the reassembly buffer, is at most
// SR_RTP_AAC_MAX_AU bytes, and packetizing it and depacketizing the result gives it back byte for byte.
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"
#include "sr_rtp_aac.h"

#include "fuzz.h"

static const uint8_t *cur_lo, *cur_hi;
static sr_rtp_aac_depack_t d, check_d;
static sr_rtp_latm_depack_t latm;
static const uint8_t *want;
static size_t want_size;
static int got;

static void on_check(void *arg, const uint8_t *au, size_t size, uint32_t ts)
{
    FUZZ_CHECK(size == want_size && memcmp(au, want, size) == 0);
    got++;
}

static void on_au(void *arg, const uint8_t *au, size_t size, uint32_t ts)
{
    bool in_payload = au >= cur_lo && au + size <= cur_hi;
    bool in_frag = au == d.frag && size <= sizeof(d.frag);
    FUZZ_CHECK(size > 0 && size < SR_RTP_AAC_MAX_AU + 1 && (in_payload || in_frag));
    static uint8_t data[1 << 16];
    static sr_rtp_payload_t items[64];
    sr_rtp_payloads_t out = {data, sizeof(data), items, 64, 0, 0};
    if (size >= SR_RTP_AAC_MAX_AU || sr_rtp_aac_packetize(au, size, 200, &out) != SR_OK) {
        return;
    }
    sr_rtp_aac_format_t hbr = {13, 3, 3};
    sr_rtp_aac_depack_init(&check_d, &hbr, 1024, on_check, NULL);
    want = au;
    want_size = size;
    got = 0;
    for (size_t i = 0; i < out.nb_items; i++) {
        sr_rtp_packet_t p = {0};
        p.ts = 1000;
        p.payload = data + items[i].offset;
        p.payload_size = items[i].size;
        sr_rtp_aac_depack_push(&check_d, &p, 0);
    }
    FUZZ_CHECK(got == 1);
}

static void on_latm_au(void *arg, const uint8_t *au, size_t size, uint32_t ts)
{
    bool in_payload = au >= cur_lo && au + size <= cur_hi;
    bool in_buf = au >= latm.buf && au + size <= latm.buf + sizeof(latm.buf);
    FUZZ_CHECK(size > 0 && (in_payload || in_buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    sr_rtp_aac_format_t f = {(uint8_t)(1 + data[0] % 16), (uint8_t)(data[0] >> 4 & 7), (uint8_t)(data[0] >> 4 & 7)};
    sr_rtp_aac_depack_init(&d, &f, 1024, on_au, NULL);
    sr_rtp_latm_depack_init(&latm, 1024, on_latm_au, NULL);
    uint8_t asc[64];
    size_t asc_n = 0;
    sr_rtp_latm_config((const char *)data, size, asc, sizeof(asc), &asc_n); /* any text as an fmtp */
    size_t at = 1;
    uint32_t ts = 0;
    while (at + 2 <= size) {
        size_t n = data[at];
        uint8_t flags = data[at + 1];
        at += 2;
        n = n > size - at ? size - at : n;
        uint8_t *copy = malloc(n ? n : 1); // exact size, so ASan sees an overread
        memcpy(copy, data + at, n);
        ts += flags & 0x80 ? 1024 : 0;
        sr_rtp_packet_t p = {0};
        p.ts = ts;
        p.payload = copy;
        p.payload_size = n;
        cur_lo = copy;
        cur_hi = copy + n;
        sr_rtp_aac_depack_push(&d, &p, flags & 3);
        p.is_marker = (flags & 0x40) != 0;
        sr_rtp_latm_depack_push(&latm, &p, flags & 3);
        free(copy);
        at += n;
    }
    return 0;
}
