// SPDX-License-Identifier: MIT
// fuzz_rtmp_handshake.c: libFuzzer harness for the RTMP handshake
// (protocol/sr_rtmp_handshake.h), server side (the input is C0 C1 C2) and client side
// (the input is S0 S1 S2), over an in-memory io handing out at most max_read bytes per
// read (the low 4 bits of the last input byte, 0 unlimited).
// Invariants: only the documented codes come back; a server that succeeds wrote exactly
// S0 S1 S2 with S0 = 3, and a simple reply's S2 echoes C1; info is complex iff it has a
// schema; a client that succeeds wrote C0 C1 C2.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"
#include "sr_io.h"
#include "sr_rtmp_handshake.h"

#include "fuzz.h"

#define HS SR_RTMP_HANDSHAKE_SIZE

static void check_server(const uint8_t *data, size_t size, size_t max_read)
{
    sr_mem_io_t io;
    sr_mem_io_init(&io, data, size, max_read);
    sr_rtmp_handshake_info_t info;
    memset(&info, 0xa5, sizeof(info));
    int rc = sr_rtmp_handshake_server(&io.io, &info);
    FUZZ_CHECK(rc == SR_OK || rc == -SR_ERTMP_HANDSHAKE || rc == -SR_EUNSUPPORTED || rc == -SR_EPEER_CLOSED);
    FUZZ_CHECK(info.is_complex == (info.schema != SR_RTMP_HANDSHAKE_SCHEMA_NONE));
    FUZZ_CHECK(info.schema == SR_RTMP_HANDSHAKE_SCHEMA_NONE || info.schema == SR_RTMP_HANDSHAKE_SCHEMA0 ||
               info.schema == SR_RTMP_HANDSHAKE_SCHEMA1);
    if (rc == -SR_ERTMP_HANDSHAKE || rc == -SR_EUNSUPPORTED) {
        FUZZ_CHECK(size > 0 && data[0] != SR_RTMP_HANDSHAKE_VERSION);
        FUZZ_CHECK(io.out.len == 0);
    }
    if (io.out.len > 0) {
        // S0 S1 S2 go out together once C0 C1 are in
        FUZZ_CHECK(size >= 1 + HS && io.out.len == 1 + 2 * HS && io.out.data[0] == SR_RTMP_HANDSHAKE_VERSION);
        FUZZ_CHECK(info.client_time == sr_get_be32(data + 1));
        FUZZ_CHECK(memcmp(info.client_version, data + 5, 4) == 0);
        if (!info.is_complex) {
            FUZZ_CHECK(memcmp(io.out.data + 1 + HS, data + 1, HS) == 0);
        }
    }
    if (rc == SR_OK) {
        FUZZ_CHECK(size >= 1 + 2 * HS && io.in_pos == 1 + 2 * HS);
    }
    sr_mem_io_deinit(&io);
}

static void check_client(const uint8_t *data, size_t size, size_t max_read, bool complex)
{
    sr_mem_io_t io;
    sr_mem_io_init(&io, data, size, max_read);
    int rc = sr_rtmp_handshake_client(&io.io, complex);
    // -SR_EUNSUPPORTED: an S0 of 0x06/0x08 (RTMPE), as on the server side
    FUZZ_CHECK(rc == SR_OK || rc == -SR_ERTMP_HANDSHAKE || rc == -SR_EUNSUPPORTED || rc == -SR_EPEER_CLOSED);
    FUZZ_CHECK(io.out.len >= 1 + HS && io.out.data[0] == SR_RTMP_HANDSHAKE_VERSION);
    if (rc == SR_OK) {
        FUZZ_CHECK(io.out.len == 1 + 2 * HS && io.in_pos == 1 + 2 * HS);
        FUZZ_CHECK(data[0] == SR_RTMP_HANDSHAKE_VERSION);
    }
    sr_mem_io_deinit(&io);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t max_read = size > 0 ? (data[size - 1] & 0x0f) : 0;
    check_server(data, size, max_read);
    check_client(data, size, max_read, false);
    check_client(data, size, max_read, true);
    sr_err_clear();
    return 0;
}
