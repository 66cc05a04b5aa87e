// SPDX-License-Identifier: MIT
// fuzz_json.c: libFuzzer harness for the JSON parser (core/sr_json.h).
// Invariants: a failed parse returns -SR_EJSON and NULL; a parsed value written back
// with sr_json_writer is valid JSON (finish OK) that parses to the same tree (types,
// counts, keys, string bytes, numbers), and writing that gives the same bytes.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"
#include "sr_json.h"

#include "fuzz.h"

static void write_value(sr_json_writer_t *w, const sr_json_t *v, int depth)
{
    switch (sr_json_type(v)) {
    case SR_JSON_NULL:
        sr_json_writer_null(w);
        break;
    case SR_JSON_BOOL: {
        bool b = false;
        FUZZ_CHECK(sr_json_bool(v, &b));
        sr_json_writer_bool(w, b);
        break;
    }
    case SR_JSON_NUMBER: {
        double d = 0;
        int64_t i;
        FUZZ_CHECK(sr_json_number(v, &d));
        if (sr_json_int(v, &i)) {
            FUZZ_CHECK((double)i == d || d != d);
        }
        sr_json_writer_double(w, d);
        break;
    }
    case SR_JSON_STRING: {
        size_t len = 0;
        const char *s = sr_json_string(v, &len);
        FUZZ_CHECK(s != NULL && s[len] == '\0');
        sr_json_writer_stringn(w, s, len);
        break;
    }
    case SR_JSON_ARRAY: {
        FUZZ_CHECK(depth <= SR_JSON_MAX_DEPTH);
        sr_json_writer_array_start(w);
        size_t n = sr_json_array_count(v);
        for (size_t i = 0; i < n; i++) {
            const sr_json_t *e = sr_json_array_at(v, i);
            FUZZ_CHECK(e != NULL);
            write_value(w, e, depth + 1);
        }
        FUZZ_CHECK(sr_json_array_at(v, n) == NULL);
        sr_json_writer_array_end(w);
        break;
    }
    case SR_JSON_OBJECT: {
        FUZZ_CHECK(depth <= SR_JSON_MAX_DEPTH);
        sr_json_writer_object_start(w);
        size_t n = sr_json_object_count(v);
        for (size_t i = 0; i < n; i++) {
            const char *k = sr_json_object_key_at(v, i);
            const sr_json_t *e = sr_json_object_value_at(v, i);
            FUZZ_CHECK(k != NULL && e != NULL);
            (void)sr_json_get(v, k);
            sr_json_writer_key(w, k);
            write_value(w, e, depth + 1);
        }
        FUZZ_CHECK(sr_json_object_key_at(v, n) == NULL);
        sr_json_writer_object_end(w);
        break;
    }
    default:
        FUZZ_CHECK(!"bad type");
    }
}

static void check_same(const sr_json_t *a, const sr_json_t *b)
{
    FUZZ_CHECK(sr_json_type(a) == sr_json_type(b));
    switch (sr_json_type(a)) {
    case SR_JSON_BOOL: {
        bool x = false, y = true;
        sr_json_bool(a, &x);
        sr_json_bool(b, &y);
        FUZZ_CHECK(x == y);
        break;
    }
    case SR_JSON_NUMBER: {
        double x = 0, y = 1;
        sr_json_number(a, &x);
        sr_json_number(b, &y);
        FUZZ_CHECK(x == y); // -0 is written as 0, so compare values, not bits
        break;
    }
    case SR_JSON_STRING: {
        size_t lx = 0, ly = 0;
        const char *x = sr_json_string(a, &lx);
        const char *y = sr_json_string(b, &ly);
        FUZZ_CHECK(lx == ly && memcmp(x, y, lx) == 0);
        break;
    }
    case SR_JSON_ARRAY: {
        size_t n = sr_json_array_count(a);
        FUZZ_CHECK(n == sr_json_array_count(b));
        for (size_t i = 0; i < n; i++) {
            check_same(sr_json_array_at(a, i), sr_json_array_at(b, i));
        }
        break;
    }
    case SR_JSON_OBJECT: {
        size_t n = sr_json_object_count(a);
        FUZZ_CHECK(n == sr_json_object_count(b));
        for (size_t i = 0; i < n; i++) {
            // a key holding \u0000 is cut there, and written back cut
            FUZZ_CHECK(strcmp(sr_json_object_key_at(a, i), sr_json_object_key_at(b, i)) == 0);
            check_same(sr_json_object_value_at(a, i), sr_json_object_value_at(b, i));
        }
        break;
    }
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_json_t *v = (sr_json_t *)&size; // poison: must become NULL on failure
    int rc = sr_json_parse((const char *)data, size, &v);
    if (rc != SR_OK) {
        FUZZ_CHECK(rc == -SR_EJSON && v == NULL);
        return 0;
    }
    FUZZ_CHECK(v != NULL);
    sr_buf_t out1, out2;
    sr_buf_init(&out1);
    sr_buf_init(&out2);
    sr_json_writer_t w;
    sr_json_writer_init(&w, &out1);
    write_value(&w, v, 1);
    FUZZ_CHECK(sr_json_writer_finish(&w) == SR_OK);

    sr_json_t *again = NULL;
    rc = sr_json_parse((const char *)out1.data, out1.len, &again);
    if (rc != SR_OK) {
        fprintf(stderr, "writer output does not parse: %.*s\n", (int)out1.len, (const char *)out1.data);
    }
    FUZZ_CHECK(rc == SR_OK);
    check_same(v, again);
    sr_json_writer_init(&w, &out2);
    write_value(&w, again, 1);
    FUZZ_CHECK(sr_json_writer_finish(&w) == SR_OK);
    FUZZ_CHECK(out1.len == out2.len && memcmp(out1.data, out2.data, out1.len) == 0);

    sr_json_free(again);
    sr_json_free(v);
    sr_buf_deinit(&out1);
    sr_buf_deinit(&out2);
    return 0;
}
