/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_head.h: the RTSP 1.0 headers a server and a camera client need beyond the
 * message parser (sr_rtsp_msg.h): Transport (RFC 2326 12.39), Session (12.37), the
 * request URL with its track control suffix, the reply writer and the interleaved
 * frame header (10.12). Pure bytes, no I/O, no logging, no error trail.
 */
#ifndef SR_RTSP_HEAD_H
#define SR_RTSP_HEAD_H

#include "sr_bytes.h"
#include "sr_core.h"

SR_BEGIN_DECLS

/* One transport spec of a Transport header: "RTP/AVP[/UDP|/TCP];unicast;..." */
typedef struct sr_rtsp_transport {
    bool is_tcp;       /* RTP/AVP/TCP: RTP and RTCP interleaved on the RTSP connection */
    bool is_multicast; /* "multicast" (we serve unicast only) */
    bool is_record;    /* mode=record / mode="RECORD": the client sends media */
    bool has_interleaved, has_client_port, has_server_port, has_ssrc;
    uint8_t interleaved[2]; /* RTP, RTCP channels */
    uint16_t client_port[2];
    uint16_t server_port[2];
    uint32_t ssrc;
} sr_rtsp_transport_t;

#define SR_RTSP_TRANSPORT_MAX 4 /* alternatives of one header that are looked at */

/* Parse the comma-separated transport specs of a Transport header value v[0..len)
 * into out (at most max), in the client's order of preference, skipping specs that
 * are not RTP/AVP. Returns how many were stored (0: none usable); -SR_EFORMAT for a
 * malformed port or channel pair. */
int sr_rtsp_transport_parse(const char *v, size_t len, sr_rtsp_transport_t *out, int max);
/* Append t as a Transport header value ("RTP/AVP/TCP;unicast;interleaved=0-1" ...). */
void sr_rtsp_transport_write(const sr_rtsp_transport_t *t, sr_buf_t *b);

/* The session id of a Session header value v[0..len) ("ID[;timeout=N]") into
 * out[0..size), false when empty or longer than size - 1. */
bool sr_rtsp_session_id(const char *v, size_t len, char *out, size_t size);

/* What a request URL (absolute "rtsp://host[:port]/path[?query]" or a bare path)
 * names: the path without its leading '/', the query without '?', and the track
 * number of a "trackID=N" or "streamid=N" last segment (-1 when none). ffmpeg appends
 * the control to the whole URL, query included ("...?a=1/streamid=0"), so the suffix
 * is looked for after the query too. The host, if any, into host (may be "").
 * -SR_EFORMAT for another scheme, -SR_ENAME_TOO_LONG when a part does not fit. */
typedef struct sr_rtsp_url {
    char host[256];
    char path[512];
    char query[512];
    int track;
} sr_rtsp_url_t;
int sr_rtsp_url_parse(const char *url, size_t len, sr_rtsp_url_t *out);

/* The reason phrase of an RTSP status code ("OK", "Not Found", ...). */
const char *sr_rtsp_reason(int status);
/* Start a reply in b (reset first): the status line, CSeq (when >= 0) and Server. Add
 * headers with sr_buf_printf("Name: value\r\n"), then end it. */
void sr_rtsp_reply_begin(sr_buf_t *b, int status, long cseq);
/* End the head, with Content-Type/Content-Length and the body when body_len > 0. */
void sr_rtsp_reply_end(sr_buf_t *b, const char *content_type, const void *body, size_t body_len);

#define SR_RTSP_INTERLEAVED_HEADER 4
/* The "$" channel length header of an interleaved frame of len bytes (<= 65535). */
static inline void sr_rtsp_interleaved_header(uint8_t out[SR_RTSP_INTERLEAVED_HEADER], uint8_t channel, size_t len)
{
    out[0] = '$';
    out[1] = channel;
    sr_put_be16(out + 2, (uint16_t)len);
}

SR_END_DECLS

#endif
