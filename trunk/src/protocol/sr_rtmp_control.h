/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_control.h: bodies of the RTMP protocol control messages (RTMP 5.4: Set
 * Chunk Size, Abort, Acknowledgement, Window Acknowledgement Size, Set Peer
 * Bandwidth) and of User Control messages (RTMP 7.1.7). Pure byte builders and
 * bounds-checked parsers: no IO, no state. The caller sends the bodies on chunk
 * stream SR_RTMP_CSID_CONTROL, message stream 0, through sr_rtmp_writer_add_bytes,
 * and applies what it parses (e.g. sr_rtmp_reader_set_chunk_size).
 */
#ifndef SR_RTMP_CONTROL_H
#define SR_RTMP_CONTROL_H

#include "sr_core.h"

SR_BEGIN_DECLS

/* Set Peer Bandwidth limit types (RTMP 5.4.5). */
enum {
    SR_RTMP_LIMIT_HARD = 0,
    SR_RTMP_LIMIT_SOFT = 1,
    SR_RTMP_LIMIT_DYNAMIC = 2,
};

/* User Control event types (RTMP 7.1.7). */
enum {
    SR_RTMP_UC_STREAM_BEGIN = 0,
    SR_RTMP_UC_STREAM_EOF = 1,
    SR_RTMP_UC_STREAM_DRY = 2,
    SR_RTMP_UC_SET_BUFFER_LENGTH = 3,
    SR_RTMP_UC_STREAM_IS_RECORDED = 4,
    SR_RTMP_UC_PING_REQUEST = 6,
    SR_RTMP_UC_PING_RESPONSE = 7,
};

/* Body sizes. */
#define SR_RTMP_CONTROL_U32_BYTES 4
#define SR_RTMP_PEER_BANDWIDTH_BYTES 5
#define SR_RTMP_USER_CONTROL_MAX_BYTES 10

typedef struct sr_rtmp_user_control {
    uint16_t event;     /* SR_RTMP_UC_* or another value the peer sent */
    uint32_t data;      /* stream id, or timestamp for ping request/response */
    uint32_t buffer_ms; /* Set Buffer Length only */
} sr_rtmp_user_control_t;

/* Set Chunk Size body: the size with the top bit cleared (RTMP 5.4.1). */
void sr_rtmp_control_encode_set_chunk_size(uint8_t out[SR_RTMP_CONTROL_U32_BYTES], uint32_t size);
/* Abort body: the chunk stream id whose partial message to drop (RTMP 5.4.2). */
void sr_rtmp_control_encode_abort(uint8_t out[SR_RTMP_CONTROL_U32_BYTES], uint32_t csid);
/* Acknowledgement body: bytes received so far, modulo 2^32 (RTMP 5.4.3). */
void sr_rtmp_control_encode_ack(uint8_t out[SR_RTMP_CONTROL_U32_BYTES], uint32_t sequence);
/* Window Acknowledgement Size body (RTMP 5.4.4). */
void sr_rtmp_control_encode_window_ack_size(uint8_t out[SR_RTMP_CONTROL_U32_BYTES], uint32_t size);
/* Set Peer Bandwidth body: window size and SR_RTMP_LIMIT_* (RTMP 5.4.5). */
void sr_rtmp_control_encode_set_peer_bandwidth(uint8_t out[SR_RTMP_PEER_BANDWIDTH_BYTES], uint32_t size, uint8_t limit);
/* User Control body: event type, then data (and buffer_ms for Set Buffer Length).
 * Returns the body size: 6, or 10 for Set Buffer Length. */
size_t sr_rtmp_control_encode_user_control(uint8_t out[SR_RTMP_USER_CONTROL_MAX_BYTES],
                                           const sr_rtmp_user_control_t *uc);

/*
 * Parse the 4-byte body of Set Chunk Size, Abort, Acknowledgement or Window
 * Acknowledgement Size (data borrowed). The value is returned as sent; range checks
 * (e.g. sr_rtmp_reader_set_chunk_size) are the caller's. Returns SR_OK or
 * -SR_ERTMP_MESSAGE when size < 4.
 */
int sr_rtmp_control_parse_u32(const uint8_t *data, size_t size, uint32_t *value);
/* Parse a Set Peer Bandwidth body. Returns SR_OK or -SR_ERTMP_MESSAGE when size < 5. */
int sr_rtmp_control_parse_set_peer_bandwidth(const uint8_t *data, size_t size, uint32_t *window, uint8_t *limit);
/*
 * Parse a User Control body into *uc. The events listed above need their data (4 bytes,
 * 8 for Set Buffer Length); other events (e.g. SWF verification) are returned with data
 * 0 unless 4 bytes follow. Returns SR_OK or -SR_ERTMP_MESSAGE on a short body.
 */
int sr_rtmp_control_parse_user_control(const uint8_t *data, size_t size, sr_rtmp_user_control_t *uc);

SR_END_DECLS

#endif
