// SPDX-License-Identifier: MIT
// fuzz_http_request.c: libFuzzer harness for the HTTP request reader
// (protocol/sr_http.h) over an in-memory io, reading pipelined requests until an error.
// Input: byte 0 sets max_read (0 unlimited), byte 1 bit 0 picks small limits (so 431 and
// 413 are reachable in a short input); the rest is what the client sends.
// Invariants: only the documented codes come back; every request has its strings, at
// most max_header_count headers each findable by name, a body within max_body_bytes, a
// path starting with '/' (or '*'); the path normalizes to one that starts with '/',
// holds no "//", "/./" or "/../" segment, and normalizes to itself.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"
#include "sr_http.h"
#include "sr_io.h"

#include "fuzz.h"

static bool has_segment(const char *p, const char *seg)
{
    // seg like "/../": also matches at the end without the trailing '/'
    size_t n = strlen(seg);
    if (strstr(p, seg)) {
        return true;
    }
    size_t len = strlen(p);
    return len >= n - 1 && memcmp(p + len - (n - 1), seg, n - 1) == 0;
}

static void check_normalize(const char *path)
{
    char out[512];
    int rc = sr_http_path_normalize(path, out, sizeof(out));
    if (rc != SR_OK) {
        FUZZ_CHECK(rc == -SR_EHTTP_PARSE);
        return;
    }
    FUZZ_CHECK(path[0] == '/' && out[0] == '/');
    FUZZ_CHECK(strlen(out) < sizeof(out));
    FUZZ_CHECK(!has_segment(out, "/../") && !has_segment(out, "/./") && strstr(out, "//") == NULL);
    char again[512];
    FUZZ_CHECK(sr_http_path_normalize(out, again, sizeof(again)) == SR_OK);
    FUZZ_CHECK(strcmp(out, again) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    sr_http_limits_t limits = sr_http_limits_default();
    if (data[1] & 1) {
        limits.max_header_bytes = 256;
        limits.max_header_count = 4;
        limits.max_body_bytes = 64;
    }
    sr_mem_io_t io;
    sr_mem_io_init(&io, data + 2, size - 2, data[0]);
    sr_http_reader_t *r = sr_http_reader_new(&io.io, &limits);
    int rc;
    for (int n = 0;; n++) {
        sr_http_request_t req;
        rc = sr_http_reader_read(r, &req);
        if (rc != SR_OK) {
            sr_http_request_deinit(&req);
            break;
        }
        FUZZ_CHECK(req.method_name && req.target && req.path && req.query);
        // http-parser also takes "*anything" as a target (not only OPTIONS *): such a
        // path never starts with '/', so the normalizer (and every route) refuses it
        FUZZ_CHECK(req.path[0] == '/' || req.path[0] == '*');
        FUZZ_CHECK(req.header_count <= limits.max_header_count);
        FUZZ_CHECK(req.body.len <= limits.max_body_bytes);
        for (size_t i = 0; i < req.header_count; i++) {
            FUZZ_CHECK(req.headers[i].name != NULL && req.headers[i].value != NULL);
            FUZZ_CHECK(sr_http_request_header(&req, req.headers[i].name) != NULL);
        }
        check_normalize(req.path);
        bool upgrade = req.is_upgrade;
        sr_http_request_deinit(&req);
        sr_http_request_deinit(&req); // idempotent
        if (upgrade) {
            rc = -SR_EPEER_CLOSED; // the bytes that follow are not HTTP
            break;
        }
    }
    FUZZ_CHECK(rc == -SR_EPEER_CLOSED || rc == -SR_EHTTP_PARSE || rc == -SR_EHTTP_HEADERS_TOO_LARGE ||
               rc == -SR_EHTTP_BODY_TOO_LARGE);
    sr_http_reader_free(r);
    sr_mem_io_deinit(&io);
    sr_err_clear();
    return 0;
}
