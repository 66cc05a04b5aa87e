// SPDX-License-Identifier: MIT
// fuzz_rtmp_chunk.c: libFuzzer harness for the RTMP chunk stream reader
// (protocol/sr_rtmp_chunk.h) over an in-memory io.
// Input: byte 0 sets max_read (how many bytes each io read hands out; 0 unlimited),
// byte 1 the writer's chunk size for the round trip, the rest is the chunk stream.
// The harness acts like the connection: it applies Set Chunk Size and Abort messages,
// reads until an error, and frees every payload.
// Invariants: the reader ends only with the io's end (-SR_EPEER_CLOSED) or
// -SR_ERTMP_CHUNK; every message has a payload, a csid in 2..65599 and at most
// 0xFFFFFF bytes; recv_bytes never passes the input; the messages written back through
// sr_rtmp_writer read back identical; no payload outlives the run.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"
#include "sr_io.h"
#include "sr_payload.h"
#include "sr_rtmp_chunk.h"
#include "sr_rtmp_control.h"

#include "fuzz.h"

#define MAX_KEPT 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    long live_before = sr_payload_live_count();
    size_t max_read = data[0];
    uint32_t out_chunk_size = data[1] < 2 ? 128 : (uint32_t)data[1] * 16;
    const uint8_t *in = data + 2;
    size_t in_size = size - 2;

    sr_mem_io_t io;
    sr_mem_io_init(&io, in, in_size, max_read);
    sr_rtmp_reader_t *r = sr_rtmp_reader_new(&io.io);
    sr_rtmp_msg_t kept[MAX_KEPT];
    size_t nkept = 0;
    int rc;
    for (;;) {
        sr_rtmp_msg_t msg;
        memset(&msg, 0xa5, sizeof(msg));
        rc = sr_rtmp_reader_read(r, &msg);
        FUZZ_CHECK(sr_rtmp_reader_recv_bytes(r) <= in_size);
        if (rc != SR_OK) {
            break;
        }
        FUZZ_CHECK(msg.payload != NULL && msg.payload->refs == 1);
        FUZZ_CHECK(msg.payload->size <= SR_RTMP_MAX_MESSAGE_SIZE);
        FUZZ_CHECK(msg.csid >= SR_RTMP_CSID_MIN && msg.csid <= SR_RTMP_CSID_MAX);
        uint32_t v;
        if (msg.type == SR_RTMP_MSG_SET_CHUNK_SIZE &&
            sr_rtmp_control_parse_u32(msg.payload->data, msg.payload->size, &v) == SR_OK) {
            // as the connection does: top bit cleared, then a refused size closes it
            if (sr_rtmp_reader_set_chunk_size(r, v & 0x7fffffff) != SR_OK) {
                sr_payload_unref(msg.payload);
                rc = -SR_ERTMP_CHUNK;
                break;
            }
            FUZZ_CHECK(sr_rtmp_reader_chunk_size(r) == (v & 0x7fffffff));
        } else if (msg.type == SR_RTMP_MSG_ABORT &&
                   sr_rtmp_control_parse_u32(msg.payload->data, msg.payload->size, &v) == SR_OK) {
            sr_rtmp_reader_abort(r, v);
        }
        if (nkept < MAX_KEPT) {
            kept[nkept++] = msg;
        } else {
            sr_payload_unref(msg.payload);
        }
    }
    FUZZ_CHECK(rc == -SR_EPEER_CLOSED || rc == -SR_ERTMP_CHUNK);
    FUZZ_CHECK(rc != -SR_EPEER_CLOSED || io.in_pos == in_size);
    sr_rtmp_reader_free(r);
    sr_mem_io_deinit(&io);

    // Round trip: write the kept messages, read them back with a fresh reader.
    if (nkept > 0) {
        sr_mem_io_t wio;
        sr_mem_io_init(&wio, NULL, 0, 0);
        sr_rtmp_writer_t *w = sr_rtmp_writer_new(&wio.io);
        sr_rtmp_writer_set_chunk_size(w, out_chunk_size);
        for (size_t i = 0; i < nkept; i++) {
            FUZZ_CHECK(sr_rtmp_writer_add(w, kept[i].csid, kept[i].type, kept[i].stream_id, kept[i].timestamp,
                                          kept[i].payload) == SR_OK);
        }
        FUZZ_CHECK(sr_rtmp_writer_flush(w) == SR_OK);
        FUZZ_CHECK(sr_rtmp_writer_pending_bytes(w) == 0);
        sr_rtmp_writer_free(w);

        sr_mem_io_t rio;
        sr_mem_io_init(&rio, wio.out.data, wio.out.len, max_read);
        sr_rtmp_reader_t *r2 = sr_rtmp_reader_new(&rio.io);
        FUZZ_CHECK(sr_rtmp_reader_set_chunk_size(r2, out_chunk_size) == SR_OK);
        for (size_t i = 0; i < nkept; i++) {
            sr_rtmp_msg_t m;
            FUZZ_CHECK(sr_rtmp_reader_read(r2, &m) == SR_OK);
            FUZZ_CHECK(m.type == kept[i].type && m.stream_id == kept[i].stream_id && m.timestamp == kept[i].timestamp &&
                       m.csid == kept[i].csid);
            FUZZ_CHECK(m.payload->size == kept[i].payload->size);
            FUZZ_CHECK(memcmp(m.payload->data, kept[i].payload->data, m.payload->size) == 0);
            sr_payload_unref(m.payload);
        }
        sr_rtmp_msg_t m;
        FUZZ_CHECK(sr_rtmp_reader_read(r2, &m) == -SR_EPEER_CLOSED);
        sr_rtmp_reader_free(r2);
        sr_mem_io_deinit(&rio);
        sr_mem_io_deinit(&wio);
    }
    for (size_t i = 0; i < nkept; i++) {
        sr_payload_unref(kept[i].payload);
    }
    FUZZ_CHECK(sr_payload_live_count() == live_before);
    sr_err_clear();
    return 0;
}
