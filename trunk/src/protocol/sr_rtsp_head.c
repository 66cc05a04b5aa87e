/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_head.c: Transport, Session, URL and reply of RTSP 1.0 (RFC 2326). Clients
 * differ in details the RFC leaves open: ffmpeg writes mode=record, GStreamer
 * mode="RECORD", VLC lists several transports; all of them are read here.
 */
#include "sr_rtsp_head.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sr_error.h"

typedef struct sr_rtsp_span {
    const char *p;
    size_t n;
} sr_rtsp_span_t;

static sr_rtsp_span_t sr_rtsp_trim(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
        n--;
    }
    return (sr_rtsp_span_t){p, n};
}

/* The next piece of *s up to sep (removed from *s); false when *s is empty. */
static bool sr_rtsp_next(sr_rtsp_span_t *s, char sep, sr_rtsp_span_t *piece)
{
    if (s->n == 0) {
        return false;
    }
    const char *e = memchr(s->p, sep, s->n);
    size_t k = e ? (size_t)(e - s->p) : s->n;
    *piece = sr_rtsp_trim(s->p, k);
    s->p += e ? k + 1 : k;
    s->n -= e ? k + 1 : k;
    return true;
}

static bool sr_rtsp_is(sr_rtsp_span_t s, const char *word)
{
    return s.n == strlen(word) && strncasecmp(s.p, word, s.n) == 0;
}

/* A decimal number <= max. */
static bool sr_rtsp_number(sr_rtsp_span_t s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    if (s.n == 0 || s.n > 10) {
        return false;
    }
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
        v = v * 10 + (unsigned long)(s.p[i] - '0');
    }
    *out = v;
    return v <= max;
}

/* "A-B" or "A" (then B = A + 1, RFC 2326 12.39). */
static bool sr_rtsp_pair(sr_rtsp_span_t s, unsigned long max, unsigned long out[2])
{
    sr_rtsp_span_t a;
    if (!sr_rtsp_next(&s, '-', &a) || !sr_rtsp_number(a, max, &out[0])) {
        return false;
    }
    if (s.n == 0) {
        out[1] = out[0] + 1;
        return out[1] <= max;
    }
    return sr_rtsp_number(sr_rtsp_trim(s.p, s.n), max, &out[1]);
}

static int sr_rtsp_transport_param(sr_rtsp_transport_t *t, sr_rtsp_span_t name, sr_rtsp_span_t value)
{
    unsigned long v[2];
    if (sr_rtsp_is(name, "multicast")) {
        t->is_multicast = true;
    } else if (sr_rtsp_is(name, "mode")) {
        if (value.n >= 2 && value.p[0] == '"' && value.p[value.n - 1] == '"') {
            value = (sr_rtsp_span_t){value.p + 1, value.n - 2};
        }
        t->is_record = sr_rtsp_is(value, "record");
    } else if (sr_rtsp_is(name, "interleaved")) {
        if (!sr_rtsp_pair(value, 255, v)) {
            return -SR_EFORMAT;
        }
        t->has_interleaved = true;
        t->interleaved[0] = (uint8_t)v[0];
        t->interleaved[1] = (uint8_t)v[1];
    } else if (sr_rtsp_is(name, "client_port") || sr_rtsp_is(name, "server_port")) {
        if (!sr_rtsp_pair(value, 65535, v)) {
            return -SR_EFORMAT;
        }
        bool is_client = name.p[0] == 'c' || name.p[0] == 'C';
        uint16_t *ports = is_client ? t->client_port : t->server_port;
        ports[0] = (uint16_t)v[0];
        ports[1] = (uint16_t)v[1];
        *(is_client ? &t->has_client_port : &t->has_server_port) = true;
    } else if (sr_rtsp_is(name, "ssrc")) {
        unsigned long x = 0;
        for (size_t i = 0; i < value.n && i < 8; i++) {
            char c = value.p[i];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0) {
                return SR_OK; /* an ssrc we cannot read is only advice */
            }
            x = x << 4 | (unsigned long)d;
        }
        t->ssrc = (uint32_t)x;
        t->has_ssrc = value.n > 0 && value.n <= 8;
    }
    return SR_OK;
}

/* One spec "RTP/AVP/TCP;unicast;interleaved=0-1"; 0 when it is not RTP/AVP. */
static int sr_rtsp_transport_one(sr_rtsp_span_t spec, sr_rtsp_transport_t *t)
{
    sr_rtsp_span_t part;
    memset(t, 0, sizeof(*t));
    if (!sr_rtsp_next(&spec, ';', &part)) {
        return 0;
    }
    if (sr_rtsp_is(part, "RTP/AVP/TCP")) {
        t->is_tcp = true;
    } else if (!sr_rtsp_is(part, "RTP/AVP") && !sr_rtsp_is(part, "RTP/AVP/UDP")) {
        return 0;
    }
    while (sr_rtsp_next(&spec, ';', &part)) {
        sr_rtsp_span_t name = part, value = {part.p + part.n, 0};
        const char *eq = memchr(part.p, '=', part.n);
        if (eq) {
            name = sr_rtsp_trim(part.p, (size_t)(eq - part.p));
            value = sr_rtsp_trim(eq + 1, part.n - (size_t)(eq - part.p) - 1);
        }
        int rc = sr_rtsp_transport_param(t, name, value);
        if (rc != SR_OK) {
            return rc;
        }
    }
    return 1;
}

int sr_rtsp_transport_parse(const char *v, size_t len, sr_rtsp_transport_t *out, int max)
{
    sr_rtsp_span_t s = {v, len}, spec;
    int n = 0;
    while (n < max && sr_rtsp_next(&s, ',', &spec)) {
        int rc = sr_rtsp_transport_one(spec, &out[n]);
        if (rc < 0) {
            return rc;
        }
        n += rc;
    }
    return n;
}

void sr_rtsp_transport_write(const sr_rtsp_transport_t *t, sr_buf_t *b)
{
    sr_buf_put_str(b, t->is_tcp ? "RTP/AVP/TCP;unicast" : "RTP/AVP;unicast");
    if (t->has_interleaved) {
        sr_buf_printf(b, ";interleaved=%u-%u", t->interleaved[0], t->interleaved[1]);
    }
    if (t->has_client_port) {
        sr_buf_printf(b, ";client_port=%u-%u", t->client_port[0], t->client_port[1]);
    }
    if (t->has_server_port) {
        sr_buf_printf(b, ";server_port=%u-%u", t->server_port[0], t->server_port[1]);
    }
    if (t->has_ssrc) {
        sr_buf_printf(b, ";ssrc=%08X", (unsigned)t->ssrc);
    }
    if (t->is_record) {
        sr_buf_put_str(b, ";mode=record");
    }
}

bool sr_rtsp_session_id(const char *v, size_t len, char *out, size_t size)
{
    sr_rtsp_span_t s = {v, len}, id;
    if (!sr_rtsp_next(&s, ';', &id) || id.n == 0 || id.n >= size) {
        return false;
    }
    memcpy(out, id.p, id.n);
    out[id.n] = '\0';
    return true;
}

/* "trackID=N" / "streamid=N" at the end of s[0..*n): its number, *n cut before its '/'. */
static int sr_rtsp_url_track(const char *s, size_t *n)
{
    const char *slash = NULL;
    for (size_t i = *n; i > 0; i--) {
        if (s[i - 1] == '/') {
            slash = s + i - 1;
            break;
        }
    }
    if (!slash) {
        return -1;
    }
    sr_rtsp_span_t seg = {slash + 1, (size_t)(s + *n - slash - 1)}, name;
    unsigned long track = 0;
    if (!sr_rtsp_next(&seg, '=', &name) || (!sr_rtsp_is(name, "trackID") && !sr_rtsp_is(name, "streamid")) ||
        !sr_rtsp_number(seg, 255, &track)) {
        return -1;
    }
    *n = (size_t)(slash - s);
    return (int)track;
}

static int sr_rtsp_copy(char *out, size_t size, const char *p, size_t n)
{
    if (n >= size) {
        return -SR_ENAME_TOO_LONG;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return SR_OK;
}

int sr_rtsp_url_parse(const char *url, size_t len, sr_rtsp_url_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *p = url, *end = url + len;
    const char *scheme = memchr(url, ':', len);
    if (scheme && scheme + 2 < end && scheme[1] == '/' && scheme[2] == '/') {
        size_t sn = (size_t)(scheme - url);
        if (!((sn == 4 && strncasecmp(url, "rtsp", 4) == 0) || (sn == 5 && strncasecmp(url, "rtsps", 5) == 0))) {
            return -SR_EFORMAT;
        }
        const char *host = scheme + 3;
        const char *slash = memchr(host, '/', (size_t)(end - host));
        const char *hend = slash ? slash : end;
        const char *at = memchr(host, '@', (size_t)(hend - host)); /* user:pass@ */
        host = at ? at + 1 : host;
        const char *colon = memchr(host, ':', (size_t)(hend - host));
        if (host < hend && *host == '[') {
            const char *rb = memchr(host, ']', (size_t)(hend - host));
            colon = rb ? memchr(rb, ':', (size_t)(hend - rb)) : NULL;
        }
        int rc = sr_rtsp_copy(out->host, sizeof(out->host), host, (size_t)((colon ? colon : hend) - host));
        if (rc != SR_OK) {
            return rc;
        }
        p = hend;
    }
    while (p < end && *p == '/') {
        p++;
    }
    size_t n = (size_t)(end - p);
    out->track = sr_rtsp_url_track(p, &n);
    while (n && p[n - 1] == '/') {
        n--;
    }
    const char *q = memchr(p, '?', n);
    size_t path_n = q ? (size_t)(q - p) : n;
    while (path_n && p[path_n - 1] == '/') {
        path_n--;
    }
    int rc = sr_rtsp_copy(out->path, sizeof(out->path), p, path_n);
    if (rc == SR_OK && q) {
        rc = sr_rtsp_copy(out->query, sizeof(out->query), q + 1, (size_t)(p + n - q - 1));
    }
    return rc;
}

const char *sr_rtsp_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 415:
        return "Unsupported Media Type";
    case 453:
        return "Not Enough Bandwidth";
    case 454:
        return "Session Not Found";
    case 455:
        return "Method Not Valid in This State";
    case 459:
        return "Aggregate Operation Not Allowed";
    case 461:
        return "Unsupported Transport";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return status < 300 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
    }
}

void sr_rtsp_reply_begin(sr_buf_t *b, int status, long cseq)
{
    sr_buf_reset(b);
    sr_buf_printf(b, "RTSP/1.0 %d %s\r\n", status, sr_rtsp_reason(status));
    if (cseq >= 0) {
        sr_buf_printf(b, "CSeq: %ld\r\n", cseq);
    }
    sr_buf_put_str(b, "Server: Strand\r\n");
}

void sr_rtsp_reply_end(sr_buf_t *b, const char *content_type, const void *body, size_t body_len)
{
    if (body_len > 0) {
        sr_buf_printf(b, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n", content_type, body_len);
        sr_buf_put_bytes(b, body, body_len);
        return;
    }
    sr_buf_put_str(b, "\r\n");
}
