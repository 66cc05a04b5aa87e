// SPDX-License-Identifier: MIT
// fuzz_rtsp_msg.c: libFuzzer harness for the RTSP stream parser (protocol/sr_rtsp_msg.h),
// fed the input as a TCP stream, message after message. Invariants: a message never takes
// more than the input; every view lies inside the input; failures are the documented codes;
// a complete message parses to the same length with any trailing bytes appended.
#include <string.h>

#include "sr_error.h"
#include "sr_rtsp_msg.h"

#include "fuzz.h"

static int inside(const void *p, size_t len, const uint8_t *data, size_t size)
{
    const uint8_t *b = p;
    return len == 0 || (b >= data && b + len <= data + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sr_rtsp_msg_t m, again;
    size_t off = 0;
    while (off < size) {
        int rc = sr_rtsp_msg_parse(data + off, size - off, &m);
        if (rc <= 0) {
            FUZZ_CHECK(rc == 0 || rc == -SR_EFORMAT || rc == -SR_EHTTP_HEADERS_TOO_LARGE ||
                       rc == -SR_EHTTP_BODY_TOO_LARGE);
            break;
        }
        FUZZ_CHECK((size_t)rc <= size - off);
        FUZZ_CHECK(inside(m.body, m.body_len, data + off, (size_t)rc));
        FUZZ_CHECK(inside(m.method.p, m.method.len, data, size) && inside(m.url.p, m.url.len, data, size));
        FUZZ_CHECK(m.header_count <= SR_RTSP_MAX_HEADERS);
        for (size_t i = 0; i < m.header_count; i++) {
            FUZZ_CHECK(inside(m.headers[i].name.p, m.headers[i].name.len, data + off, (size_t)rc));
            FUZZ_CHECK(inside(m.headers[i].value.p, m.headers[i].value.len, data + off, (size_t)rc));
        }
        if (off + (size_t)rc < size)
            FUZZ_CHECK(sr_rtsp_msg_parse(data + off, (size_t)rc, &again) == rc);
        off += (size_t)rc;
    }
    return 0;
}
