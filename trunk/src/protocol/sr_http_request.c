/* SPDX-License-Identifier: MIT */
/*
 * sr_http_request.c: reading HTTP/1.x requests from an sr_io_t with http-parser, one
 * request per call, and the path helpers (percent-decoding, normalizing for static
 * files). The reader owns a small read buffer; http-parser is paused at the end of each
 * message so the bytes of a pipelined request stay in that buffer for the next call.
 * Strings of a request (target, header names and values, path, query) go into one
 * growable arena in the request; during parsing they are kept as offsets, because the
 * arena may move, and turned into pointers once the headers are complete.
 * Not here: what to answer (app/), response writing (sr_http_response.c).
 */
#include "sr_http.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <http_parser.h>

#include "sr_alloc.h"
#include "sr_error.h"

#define SR_HTTP_READ_BUF_BYTES 8192

/* What the last string callback was, so split callbacks extend the same string. */
enum { SR_HTTP_IN_URL, SR_HTTP_IN_FIELD, SR_HTTP_IN_VALUE };

struct sr_http_reader {
    sr_io_t *io;
    sr_http_limits_t limits;
    http_parser parser;
    sr_http_request_t *req; /* the request being read, NULL between calls */
    int rc;                 /* set by a callback that failed */
    int in;                 /* SR_HTTP_IN_* */
    size_t header_bytes;    /* bytes fed to the parser before the headers completed */
    size_t url_len;
    size_t header_count;
    size_t *header_offs; /* name and value offsets into req->_arena, 2 per header */
    bool is_started;     /* on_message_begin ran */
    bool is_headers_done;
    bool is_complete;
    size_t pos; /* buf[pos..len) is read but not parsed */
    size_t len;
    /* Held only while a request is read or pipelined bytes wait: a connection that
     * streams a long response (HTTP-FLV) should not keep them. */
    uint8_t *buf; /* SR_HTTP_READ_BUF_BYTES */
};

sr_http_limits_t sr_http_limits_default(void)
{
    sr_http_limits_t l = {SR_HTTP_MAX_HEADER_BYTES, SR_HTTP_MAX_HEADER_COUNT, SR_HTTP_MAX_BODY_BYTES};
    return l;
}

/* ---- request ---- */

void sr_http_request_init(sr_http_request_t *req)
{
    memset(req, 0, sizeof(*req));
    sr_buf_init(&req->body);
    sr_buf_init(&req->_arena);
}

void sr_http_request_deinit(sr_http_request_t *req)
{
    sr_free(req->headers);
    sr_buf_deinit(&req->body);
    sr_buf_deinit(&req->_arena);
    sr_http_request_init(req);
}

const char *sr_http_request_header(const sr_http_request_t *req, const char *name)
{
    for (size_t i = 0; i < req->header_count; i++) {
        if (strcasecmp(req->headers[i].name, name) == 0) {
            return req->headers[i].value;
        }
    }
    return NULL;
}

/* ---- paths ---- */

static int sr_http_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int sr_http_path_decode(const char *raw, size_t len, char *out, size_t out_size)
{
    if (len > INT_MAX) {
        return sr_err_new(SR_EOVERFLOW, "path of %zu bytes", len);
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)raw[i];
        if (c == '%') {
            int h = i + 2 < len ? sr_http_hex((unsigned char)raw[i + 1]) : -1;
            int l = h < 0 ? -1 : sr_http_hex((unsigned char)raw[i + 2]);
            if (l < 0) {
                return sr_err_new(SR_EHTTP_PARSE, "bad percent escape at byte %zu of the path", i);
            }
            c = h * 16 + l;
            if (c == 0) {
                return sr_err_new(SR_EHTTP_PARSE, "escaped NUL (%%00) in the path");
            }
            i += 2;
        }
        if (o + 1 >= out_size) {
            return sr_err_new(SR_EOVERFLOW, "decoded path does not fit in %zu bytes", out_size);
        }
        out[o++] = (char)c;
    }
    if (out_size == 0) {
        return sr_err_new(SR_EOVERFLOW, "no room for the decoded path");
    }
    out[o] = '\0';
    return (int)o;
}

static bool sr_http_path_segment_ok(const char *seg, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)seg[i];
        if (c == '\\' || c < 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

int sr_http_path_normalize(const char *decoded_path, char *out, size_t out_size)
{
    if (decoded_path[0] != '/') {
        return sr_err_new(SR_EHTTP_PARSE, "path does not start with '/'");
    }
    if (out_size < 2) {
        return sr_err_new(SR_EHTTP_PARSE, "no room for the normalized path");
    }
    /* out holds "/" followed by kept segments, each with a trailing '/' */
    size_t o = 0;
    out[o++] = '/';
    bool is_dir = true; /* the last segment was empty, "." or "..": keep the trailing '/' */
    const char *p = decoded_path + 1;
    for (;;) {
        size_t n = strcspn(p, "/");
        if (!sr_http_path_segment_ok(p, n)) {
            return sr_err_new(SR_EHTTP_PARSE, "backslash or control character in the path");
        }
        is_dir = n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.');
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (o == 1) {
                return sr_err_new(SR_EHTTP_PARSE, "path climbs above the root");
            }
            /* drop the last kept segment and its '/' */
            o--;
            while (out[o - 1] != '/') {
                o--;
            }
        } else if (!is_dir) {
            if (o + n + 1 >= out_size) {
                return sr_err_new(SR_EHTTP_PARSE, "normalized path does not fit in %zu bytes", out_size);
            }
            memcpy(out + o, p, n);
            o += n;
            out[o++] = '/';
        }
        if (p[n] == '\0') {
            break;
        }
        p += n + 1;
    }
    if (!is_dir && o > 1) {
        o--;
    }
    out[o] = '\0';
    return SR_OK;
}

/* ---- parser callbacks ---- */

static sr_http_reader_t *sr_http_reader_of(http_parser *p)
{
    return (sr_http_reader_t *)p->data;
}

/* Fail the parse from a callback: keep the code and trail, stop the parser. */
static int sr_http_reader_fail(sr_http_reader_t *r, int rc)
{
    r->rc = rc;
    return -1;
}

static int sr_http_on_message_begin(http_parser *p)
{
    sr_http_reader_of(p)->is_started = true;
    return 0;
}

static int sr_http_on_url(http_parser *p, const char *at, size_t len)
{
    sr_http_reader_t *r = sr_http_reader_of(p);
    sr_buf_put_bytes(&r->req->_arena, at, len);
    r->url_len += len;
    return 0;
}

/* NUL-terminate the string being collected (the URL, a name or a value). A name with no
 * value callback gets an empty value. */
static void sr_http_reader_end_string(sr_http_reader_t *r)
{
    sr_buf_t *a = &r->req->_arena;
    sr_buf_put_u8(a, 0);
    if (r->in == SR_HTTP_IN_FIELD) {
        r->header_offs[2 * (r->header_count - 1) + 1] = a->len;
        sr_buf_put_u8(a, 0);
    }
}

static int sr_http_on_header_field(http_parser *p, const char *at, size_t len)
{
    sr_http_reader_t *r = sr_http_reader_of(p);
    /* trailer fields of a chunked body are dropped (RFC 9110 6.5.1): the request's
     * strings point into the arena, which must not grow after the headers */
    if (r->is_headers_done) {
        return 0;
    }
    /* http-parser built non-strict (Debian) lets spaces into names; RFC 9112 5.1 says 400 */
    if (memchr(at, ' ', len) || memchr(at, '\t', len)) {
        return sr_http_reader_fail(r, sr_err_new(SR_EHTTP_PARSE, "whitespace in a header name"));
    }
    if (r->in != SR_HTTP_IN_FIELD) {
        sr_http_reader_end_string(r);
        if (r->header_count == r->limits.max_header_count) {
            return sr_http_reader_fail(
                r, sr_err_new(SR_EHTTP_HEADERS_TOO_LARGE, "more than %zu headers", r->limits.max_header_count));
        }
        r->header_offs[2 * r->header_count] = r->req->_arena.len;
        r->header_count++;
        r->in = SR_HTTP_IN_FIELD;
    }
    sr_buf_put_bytes(&r->req->_arena, at, len);
    return 0;
}

static int sr_http_on_header_value(http_parser *p, const char *at, size_t len)
{
    sr_http_reader_t *r = sr_http_reader_of(p);
    if (r->is_headers_done) {
        return 0; /* a trailer field's value: dropped with its name */
    }
    if (r->in != SR_HTTP_IN_VALUE) {
        sr_buf_put_u8(&r->req->_arena, 0); /* end the name */
        r->header_offs[2 * (r->header_count - 1) + 1] = r->req->_arena.len;
        r->in = SR_HTTP_IN_VALUE;
    }
    sr_buf_put_bytes(&r->req->_arena, at, len);
    return 0;
}

/* Split the target into the decoded path and the raw query, appended to the arena. */
static int sr_http_reader_split_target(sr_http_reader_t *r, size_t *path_off, size_t *query_off)
{
    sr_buf_t *a = &r->req->_arena;
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url((const char *)a->data, r->url_len, r->parser.method == HTTP_CONNECT, &u) != 0) {
        return sr_err_new(SR_EHTTP_PARSE, "bad request target '%.64s'", (const char *)a->data);
    }
    size_t po = u.field_data[UF_PATH].off, pn = u.field_data[UF_PATH].len;
    size_t qo = u.field_data[UF_QUERY].off, qn = u.field_data[UF_QUERY].len;
    if (!(u.field_set & (1 << UF_PATH)) || pn == 0) {
        po = 0;
        pn = 0;
    }
    if (!(u.field_set & (1 << UF_QUERY))) {
        qn = 0;
    }
    /* decode into the arena's tail; the decoded path is never longer than the raw one */
    sr_buf_reserve(a, pn + qn + 3);
    *path_off = a->len;
    int n = pn ? sr_http_path_decode((const char *)a->data + po, pn, (char *)a->data + a->len, pn + 1) : 1;
    if (n < 0) {
        return n;
    }
    if (pn == 0) {
        a->data[a->len] = '/';
    }
    a->len += (size_t)n;
    sr_buf_put_u8(a, 0);
    *query_off = a->len;
    sr_buf_put_bytes(a, a->data + qo, qn);
    sr_buf_put_u8(a, 0);
    return SR_OK;
}

/* Turn the arena offsets into the request's pointers; the arena does not grow after this. */
static void sr_http_reader_fill_request(sr_http_reader_t *r, size_t path_off, size_t query_off)
{
    sr_http_request_t *req = r->req;
    const char *base = (const char *)req->_arena.data;
    req->method = r->parser.method;
    req->method_name = http_method_str((enum http_method)r->parser.method);
    req->target = base;
    req->path = base + path_off;
    req->query = base + query_off;
    req->version_major = r->parser.http_major;
    req->version_minor = r->parser.http_minor;
    req->is_keep_alive = http_should_keep_alive(&r->parser) != 0;
    req->is_upgrade = r->parser.upgrade != 0;
    req->header_count = r->header_count;
    if (r->header_count > 0) {
        req->headers = sr_malloc(r->header_count * sizeof(sr_http_header_t));
    }
    for (size_t i = 0; i < r->header_count; i++) {
        req->headers[i].name = base + r->header_offs[2 * i];
        req->headers[i].value = base + r->header_offs[2 * i + 1];
    }
}

static int sr_http_on_headers_complete(http_parser *p)
{
    sr_http_reader_t *r = sr_http_reader_of(p);
    r->is_headers_done = true;
    sr_http_reader_end_string(r);
    if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX && p->content_length > r->limits.max_body_bytes) {
        return sr_http_reader_fail(r, sr_err_new(SR_EHTTP_BODY_TOO_LARGE, "Content-Length %llu over %zu",
                                                 (unsigned long long)p->content_length, r->limits.max_body_bytes));
    }
    size_t path_off = 0, query_off = 0;
    int rc = sr_http_reader_split_target(r, &path_off, &query_off);
    if (rc != SR_OK) {
        return sr_http_reader_fail(r, rc);
    }
    sr_http_reader_fill_request(r, path_off, query_off);
    return 0;
}

static int sr_http_on_body(http_parser *p, const char *at, size_t len)
{
    sr_http_reader_t *r = sr_http_reader_of(p);
    sr_buf_t *b = &r->req->body;
    if (len > r->limits.max_body_bytes - b->len) {
        return sr_http_reader_fail(
            r, sr_err_new(SR_EHTTP_BODY_TOO_LARGE, "body over %zu bytes", r->limits.max_body_bytes));
    }
    sr_buf_put_bytes(b, at, len);
    return 0;
}

/* Pause, so http_parser_execute returns right after this message and the next
 * request's bytes stay in the buffer. */
static int sr_http_on_message_complete(http_parser *p)
{
    sr_http_reader_of(p)->is_complete = true;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings sr_http_request_settings = {
    .on_message_begin = sr_http_on_message_begin,
    .on_url = sr_http_on_url,
    .on_header_field = sr_http_on_header_field,
    .on_header_value = sr_http_on_header_value,
    .on_headers_complete = sr_http_on_headers_complete,
    .on_body = sr_http_on_body,
    .on_message_complete = sr_http_on_message_complete,
};

/* ---- reader ---- */

sr_http_reader_t *sr_http_reader_new(sr_io_t *io, const sr_http_limits_t *limits)
{
    sr_http_reader_t *r = SR_NEW(sr_http_reader_t);
    r->io = io;
    r->limits = limits ? *limits : sr_http_limits_default();
    return r;
}

void sr_http_reader_free(sr_http_reader_t *r)
{
    if (!r) {
        return;
    }
    sr_free(r->header_offs);
    sr_free(r->buf);
    sr_free(r);
}

static void sr_http_reader_begin(sr_http_reader_t *r, sr_http_request_t *req)
{
    /* a fresh parser per request: no state leaks from the previous one (or an upgrade) */
    http_parser_init(&r->parser, HTTP_REQUEST);
    r->parser.data = r;
    if (!r->header_offs) {
        r->header_offs = sr_malloc((2 * r->limits.max_header_count + 2) * sizeof(size_t));
    }
    if (!r->buf) {
        r->buf = sr_malloc(SR_HTTP_READ_BUF_BYTES);
    }
    r->req = req;
    r->rc = SR_OK;
    r->in = SR_HTTP_IN_URL;
    r->header_bytes = 0;
    r->url_len = 0;
    r->header_count = 0;
    r->is_started = false;
    r->is_headers_done = false;
    r->is_complete = false;
}

static int sr_http_reader_parse_error(sr_http_reader_t *r)
{
    enum http_errno e = HTTP_PARSER_ERRNO(&r->parser);
    if (r->rc != SR_OK) {
        return r->rc;
    }
    if (e == HPE_HEADER_OVERFLOW) {
        return sr_err_new(SR_EHTTP_HEADERS_TOO_LARGE, "%s", http_errno_description(e));
    }
    return sr_err_new(SR_EHTTP_PARSE, "%s: %s", http_errno_name(e), http_errno_description(e));
}

/* Parse buffered bytes. Before the headers complete, the parser gets no more than what
 * is left of max_header_bytes, so the limit is exact whatever the read sizes. */
static int sr_http_reader_feed(sr_http_reader_t *r)
{
    size_t avail = r->len - r->pos;
    if (!r->is_headers_done) {
        avail = SR_MIN(avail, r->limits.max_header_bytes - r->header_bytes);
    }
    size_t n = http_parser_execute(&r->parser, &sr_http_request_settings, (const char *)r->buf + r->pos, avail);
    r->pos += n;
    enum http_errno e = HTTP_PARSER_ERRNO(&r->parser);
    if (e == HPE_PAUSED) {
        http_parser_pause(&r->parser, 0);
    } else if (e != HPE_OK) {
        return sr_http_reader_parse_error(r);
    }
    if (r->is_complete) {
        return SR_OK;
    }
    if (!r->is_headers_done) {
        r->header_bytes += n;
        if (r->header_bytes >= r->limits.max_header_bytes) {
            return sr_err_new(SR_EHTTP_HEADERS_TOO_LARGE, "request line and headers over %zu bytes",
                              r->limits.max_header_bytes);
        }
    }
    if (n < avail) {
        return sr_err_new(SR_EHTTP_PARSE, "parser stopped at byte %zu of %zu", n, avail);
    }
    return SR_OK;
}

/* Read more bytes; only called once every buffered byte was parsed. */
static int sr_http_reader_fill(sr_http_reader_t *r)
{
    r->pos = 0;
    r->len = 0;
    size_t n = 0;
    int rc = sr_io_read(r->io, r->buf, SR_HTTP_READ_BUF_BYTES, &n);
    if (rc == -SR_EPEER_CLOSED) {
        if (!r->is_started) {
            return sr_err_new(SR_EPEER_CLOSED, "peer closed between requests");
        }
        return sr_err_new(SR_EPEER_CLOSED, "peer closed mid-request");
    }
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "read http request");
    }
    r->len = n;
    return SR_OK;
}

int sr_http_reader_read(sr_http_reader_t *r, sr_http_request_t *req)
{
    sr_http_request_init(req);
    sr_http_reader_begin(r, req);
    int rc = SR_OK;
    while (rc == SR_OK && !r->is_complete) {
        rc = r->pos < r->len ? sr_http_reader_feed(r) : sr_http_reader_fill(r);
    }
    r->req = NULL;
    sr_free(r->header_offs);
    r->header_offs = NULL;
    if (r->pos == r->len) {
        sr_free(r->buf);
        r->buf = NULL;
        r->pos = r->len = 0;
    }
    return rc;
}
