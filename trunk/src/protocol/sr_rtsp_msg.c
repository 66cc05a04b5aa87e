/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_msg.c: the RTSP 1.0 stream parser (RFC 2326 6, 7, 10.12). It is stateless:
 * the caller keeps unparsed bytes and calls again with more, so a partial message costs
 * a rescan of the head only, which the head limit keeps small.
 */
#include "sr_rtsp_msg.h"

#include <string.h>
#include <strings.h>

#include "sr_error.h"

static int sr_rtsp_msg_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static sr_rtsp_str_t sr_rtsp_msg_trim(const char *p, size_t len)
{
    while (len > 0 && sr_rtsp_msg_is_blank(*p)) {
        p++;
        len--;
    }
    while (len > 0 && sr_rtsp_msg_is_blank(p[len - 1]))
        len--;
    sr_rtsp_str_t s = {p, len};
    return s;
}

/* Decimal digits only, at most 9 of them, so the value fits a long everywhere. */
static int sr_rtsp_msg_number(const sr_rtsp_str_t *s, long *out)
{
    if (s->len == 0 || s->len > 9)
        return -SR_EFORMAT;
    long v = 0;
    for (size_t i = 0; i < s->len; i++) {
        if (s->p[i] < '0' || s->p[i] > '9')
            return -SR_EFORMAT;
        v = v * 10 + (s->p[i] - '0');
    }
    *out = v;
    return SR_OK;
}

/* Finds the end of the head ("\r\n\r\n"; a bare "\n\n" is accepted as some cameras send it).
 * Returns the head length including the blank line, 0 when not there yet. */
static size_t sr_rtsp_msg_head_end(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\n')
            continue;
        if (i + 1 < n && p[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* Next line in [*pos, end): returns its view without CR/LF and moves *pos past it. */
static sr_rtsp_str_t sr_rtsp_msg_line(const char *p, size_t end, size_t *pos)
{
    size_t s = *pos, e = s;
    while (e < end && p[e] != '\n')
        e++;
    *pos = e < end ? e + 1 : end;
    if (e > s && p[e - 1] == '\r')
        e--;
    sr_rtsp_str_t l = {p + s, e - s};
    return l;
}

static int sr_rtsp_msg_token_ok(const sr_rtsp_str_t *t)
{
    if (t->len == 0)
        return 0;
    for (size_t i = 0; i < t->len; i++) {
        unsigned char c = (unsigned char)t->p[i];
        if (c <= 0x20 || c >= 0x7f)
            return 0;
    }
    return 1;
}

/* "METHOD URL RTSP/1.0" or "RTSP/1.0 200 OK". */
static int sr_rtsp_msg_start_line(sr_rtsp_str_t l, sr_rtsp_msg_t *m)
{
    const char *sp1 = memchr(l.p, ' ', l.len);
    if (!sp1)
        return -SR_EFORMAT;
    sr_rtsp_str_t first = {l.p, (size_t)(sp1 - l.p)};
    const char *rest = sp1 + 1;
    size_t rest_len = l.len - first.len - 1;
    const char *sp2 = memchr(rest, ' ', rest_len);
    sr_rtsp_str_t second = {rest, sp2 ? (size_t)(sp2 - rest) : rest_len};
    sr_rtsp_str_t third = {sp2 ? sp2 + 1 : rest + rest_len, sp2 ? rest_len - second.len - 1 : 0};
    if (first.len == 8 && memcmp(first.p, "RTSP/1.0", 8) == 0) {
        long st;
        if (second.len != 3 || sr_rtsp_msg_number(&second, &st) != SR_OK || st < 100)
            return -SR_EFORMAT;
        m->kind = SR_RTSP_MSG_RESPONSE;
        m->status = (int)st;
        m->reason = third;
        return SR_OK;
    }
    if (!sp2 || third.len != 8 || memcmp(third.p, "RTSP/1.0", 8) != 0)
        return -SR_EFORMAT;
    if (!sr_rtsp_msg_token_ok(&first) || !sr_rtsp_msg_token_ok(&second))
        return -SR_EFORMAT;
    m->kind = SR_RTSP_MSG_REQUEST;
    m->method = first;
    m->url = second;
    return SR_OK;
}

static int sr_rtsp_msg_headers(const char *p, size_t pos, size_t end, sr_rtsp_msg_t *m)
{
    while (pos < end) {
        sr_rtsp_str_t l = sr_rtsp_msg_line(p, end, &pos);
        if (l.len == 0)
            break;
        const char *colon = memchr(l.p, ':', l.len);
        if (!colon || colon == l.p)
            return -SR_EFORMAT;
        if (m->header_count == SR_RTSP_MAX_HEADERS)
            return -SR_EHTTP_HEADERS_TOO_LARGE;
        sr_rtsp_header_t *h = &m->headers[m->header_count++];
        h->name = sr_rtsp_msg_trim(l.p, (size_t)(colon - l.p));
        h->value = sr_rtsp_msg_trim(colon + 1, l.len - (size_t)(colon - l.p) - 1);
        if (!sr_rtsp_msg_token_ok(&h->name))
            return -SR_EFORMAT;
    }
    return SR_OK;
}

static int sr_rtsp_msg_interleaved(const uint8_t *p, size_t n, sr_rtsp_msg_t *m)
{
    if (n < 4)
        return 0;
    size_t len = ((size_t)p[2] << 8) | p[3];
    if (n < 4 + len)
        return 0;
    m->kind = SR_RTSP_MSG_INTERLEAVED;
    m->channel = p[1];
    m->body = p + 4;
    m->body_len = len;
    return (int)(4 + len);
}

int sr_rtsp_msg_parse(const uint8_t *p, size_t n, sr_rtsp_msg_t *m)
{
    memset(m, 0, sizeof(*m));
    m->cseq = -1;
    if (n == 0)
        return 0;
    if (p[0] == '$')
        return sr_rtsp_msg_interleaved(p, n, m);
    const char *s = (const char *)p;
    size_t scan = n < SR_RTSP_MAX_HEADER_BYTES ? n : SR_RTSP_MAX_HEADER_BYTES;
    size_t head = sr_rtsp_msg_head_end(s, scan);
    if (head == 0)
        return n >= SR_RTSP_MAX_HEADER_BYTES ? -SR_EHTTP_HEADERS_TOO_LARGE : 0;
    size_t pos = 0;
    int rc = sr_rtsp_msg_start_line(sr_rtsp_msg_line(s, head, &pos), m);
    if (rc != SR_OK)
        return rc;
    if ((rc = sr_rtsp_msg_headers(s, pos, head, m)) != SR_OK)
        return rc;
    long v = 0;
    const sr_rtsp_str_t *h = sr_rtsp_msg_header(m, "CSeq");
    if (h) {
        if (sr_rtsp_msg_number(h, &v) != SR_OK)
            return -SR_EFORMAT;
        m->cseq = v;
    }
    v = 0;
    if ((h = sr_rtsp_msg_header(m, "Content-Length")) && sr_rtsp_msg_number(h, &v) != SR_OK)
        return -SR_EFORMAT;
    if (v > SR_RTSP_MAX_BODY_BYTES)
        return -SR_EHTTP_BODY_TOO_LARGE;
    if (n - head < (size_t)v)
        return 0;
    m->body = p + head;
    m->body_len = (size_t)v;
    return (int)(head + (size_t)v);
}

const sr_rtsp_str_t *sr_rtsp_msg_header(const sr_rtsp_msg_t *m, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < m->header_count; i++) {
        const sr_rtsp_header_t *h = &m->headers[i];
        if (h->name.len == len && strncasecmp(h->name.p, name, len) == 0)
            return &h->value;
    }
    return NULL;
}
