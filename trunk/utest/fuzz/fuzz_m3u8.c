// SPDX-License-Identifier: MIT
// fuzz_m3u8.c: libFuzzer harness for the HLS playlist reader (kernel/sr_m3u8.h), which
// reads the playlist a republish continues from disk. Invariants: only SR_OK or
// -SR_EFORMAT; on error the playlist is empty; on success every URI is terminated and
// not empty, every duration is finite and not negative, and encoding then parsing the
// result gives the same count, sequence and discontinuities (a round trip) when the URIs
// hold no control characters.
#include <math.h>
#include <string.h>

#include "sr_error.h"
#include "sr_m3u8.h"

#include "fuzz.h"

static bool printable(const sr_m3u8_t *pl)
{
    for (size_t i = 0; i < pl->count; i++) {
        for (const char *p = pl->entries[i].uri; *p; p++) {
            if ((unsigned char)*p < 0x20 || *p == 0x7f) {
                return false;
            }
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_m3u8_t a, b;
    sr_m3u8_init(&a);
    sr_m3u8_init(&b);
    int rc = sr_m3u8_parse((const char *)data, size, "", &a);
    FUZZ_CHECK(rc == SR_OK || rc == -SR_EFORMAT);
    if (rc != SR_OK) {
        FUZZ_CHECK(a.count == 0);
        sr_err_clear();
    } else {
        for (size_t i = 0; i < a.count; i++) {
            const sr_m3u8_entry_t *e = &a.entries[i];
            FUZZ_CHECK(memchr(e->uri, '\0', sizeof(e->uri)) != NULL && e->uri[0]);
            FUZZ_CHECK(isfinite(e->duration_s) && e->duration_s >= 0);
        }
        sr_buf_t text;
        sr_buf_init(&text);
        sr_m3u8_encode(&a, sr_m3u8_target_duration(&a, 1), "", &text);
        rc = sr_m3u8_parse((const char *)text.data, text.len, "", &b);
        sr_buf_deinit(&text);
        if (rc == SR_OK && printable(&a)) { /* control characters in a URI need not survive */
            FUZZ_CHECK(b.count == a.count && b.media_sequence == a.media_sequence);
            for (size_t i = 0; i < a.count; i++) {
                FUZZ_CHECK(b.entries[i].is_discontinuity == a.entries[i].is_discontinuity || i == 0);
            }
        }
        sr_err_clear();
    }
    sr_m3u8_deinit(&a);
    sr_m3u8_deinit(&b);
    return 0;
}
