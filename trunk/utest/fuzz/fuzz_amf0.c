// SPDX-License-Identifier: MIT
// fuzz_amf0.c: libFuzzer harness for the AMF0 decoder (kernel/sr_amf0.h).
// Invariants: decode_all either fails cleanly or gives values whose encoding decodes
// again to the same number of values, and encoding is then a fixed point (encode,
// decode, encode gives the same bytes). Single values through sr_amf0_decode leave the
// reader where it was on failure.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_amf0.h"
#include "sr_error.h"

#include "fuzz.h"

static bool same_bytes(const sr_buf_t *a, const sr_buf_t *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static void encode_all(sr_amf0_t **values, size_t count, sr_buf_t *out)
{
    for (size_t i = 0; i < count; i++) {
        sr_amf0_encode(values[i], out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_amf0_t **values = NULL;
    size_t count = 99;
    int rc = sr_amf0_decode_all(data, size, &values, &count);
    if (rc != SR_OK) {
        FUZZ_CHECK(rc == -SR_ERTMP_AMF0);
        FUZZ_CHECK(values == NULL && count == 0);
    } else {
        FUZZ_CHECK((count == 0) == (values == NULL));
        FUZZ_CHECK(size == 0 || count > 0);

        // A deep copy encodes to the same bytes as the original.
        sr_buf_t enc1, enc2, encc;
        sr_buf_init(&enc1);
        sr_buf_init(&enc2);
        sr_buf_init(&encc);
        encode_all(values, count, &enc1);
        for (size_t i = 0; i < count; i++) {
            sr_amf0_t *c = sr_amf0_clone(values[i]);
            sr_amf0_encode(c, &encc);
            sr_amf0_free(c);
        }
        FUZZ_CHECK(same_bytes(&encc, &enc1));

        sr_amf0_t **again = NULL;
        size_t again_count = 0;
        rc = sr_amf0_decode_all(enc1.data, enc1.len, &again, &again_count);
        FUZZ_CHECK(rc == SR_OK);
        FUZZ_CHECK(again_count == count);
        for (size_t i = 0; i < count; i++) {
            FUZZ_CHECK(sr_amf0_type(again[i]) == sr_amf0_type(values[i]));
        }
        encode_all(again, again_count, &enc2);
        FUZZ_CHECK(same_bytes(&enc2, &enc1));

        sr_amf0_free_all(again, again_count);
        sr_buf_deinit(&enc1);
        sr_buf_deinit(&enc2);
        sr_buf_deinit(&encc);
        sr_amf0_free_all(values, count);
    }

    // One value at a time: on failure the reader has not moved and nothing came out.
    sr_reader_t r;
    sr_reader_init(&r, data, size);
    while (sr_reader_left(&r) > 0) {
        size_t pos = r.pos;
        sr_amf0_t *v = (sr_amf0_t *)&r; // poison: must become NULL on failure
        rc = sr_amf0_decode(&r, &v);
        if (rc != SR_OK) {
            FUZZ_CHECK(rc == -SR_ERTMP_AMF0 && v == NULL && r.pos == pos);
            break;
        }
        FUZZ_CHECK(r.pos > pos && r.pos <= size);
        // Touch the accessors on whatever came out.
        size_t n = sr_amf0_object_count(v);
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(sr_amf0_object_key_at(v, i) != NULL);
            FUZZ_CHECK(sr_amf0_object_value_at(v, i) != NULL);
        }
        FUZZ_CHECK(sr_amf0_object_key_at(v, n) == NULL);
        n = sr_amf0_array_count(v);
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(sr_amf0_array_at(v, i) != NULL);
        }
        size_t len = 0;
        const char *s = sr_amf0_string(v, &len);
        FUZZ_CHECK(s == NULL || s[len] == '\0');
        sr_amf0_free(v);
    }
    sr_err_clear();
    return 0;
}
