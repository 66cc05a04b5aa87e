/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_msg.h: incremental parser for an RTSP 1.0 TCP stream (RFC 2326), which mixes
 * requests, responses and interleaved binary frames ("$" channel u16-length payload,
 * RFC 2326 10.12). Pure bytes on caller storage: every string is a view into the input,
 * valid while the caller keeps those bytes. No I/O, no allocation, no error trail.
 * Not here: Transport/Range/auth headers, writers (later work on issue 14).
 */
#ifndef SR_RTSP_MSG_H
#define SR_RTSP_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_RTSP_MAX_HEADERS 32
#define SR_RTSP_MAX_HEADER_BYTES 8192
#define SR_RTSP_MAX_BODY_BYTES 65536

typedef enum { SR_RTSP_MSG_REQUEST = 1, SR_RTSP_MSG_RESPONSE, SR_RTSP_MSG_INTERLEAVED } sr_rtsp_msg_kind_t;

typedef struct sr_rtsp_str {
    const char *p;
    size_t len;
} sr_rtsp_str_t;

typedef struct sr_rtsp_header {
    sr_rtsp_str_t name;
    sr_rtsp_str_t value; /* leading and trailing blanks removed */
} sr_rtsp_header_t;

typedef struct sr_rtsp_msg {
    sr_rtsp_msg_kind_t kind;
    sr_rtsp_str_t method; /* request */
    sr_rtsp_str_t url;    /* request */
    int status;           /* response */
    sr_rtsp_str_t reason; /* response */
    long cseq;            /* -1 when absent */
    size_t header_count;
    sr_rtsp_header_t headers[SR_RTSP_MAX_HEADERS];
    const uint8_t *body; /* Content-Length bytes, or the interleaved payload */
    size_t body_len;
    uint8_t channel; /* interleaved */
} sr_rtsp_msg_t;

/* Parses one message from the start of p[0..n). Returns the bytes it takes (> 0) and fills
 * *m; 0 when more bytes are needed; -SR_EFORMAT for malformed input (bad start line,
 * header line without a colon, bad CSeq or Content-Length); -SR_EHTTP_HEADERS_TOO_LARGE
 * when the head passes SR_RTSP_MAX_HEADER_BYTES or SR_RTSP_MAX_HEADERS;
 * -SR_EHTTP_BODY_TOO_LARGE when Content-Length passes SR_RTSP_MAX_BODY_BYTES. */
int sr_rtsp_msg_parse(const uint8_t *p, size_t n, sr_rtsp_msg_t *m);

/* The value of header name (case-insensitive) in m, or NULL. */
const sr_rtsp_str_t *sr_rtsp_msg_header(const sr_rtsp_msg_t *m, const char *name);

SR_END_DECLS

#endif
