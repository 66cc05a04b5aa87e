/* SPDX-License-Identifier: MIT */
/*
 * sr_http_response.c: writing HTTP/1.1 responses to an sr_io_t. Headers the caller adds
 * go into a fixed buffer inside the response (no growth, no allocation); the status line,
 * the server's own headers and the body framing are written with them in one writev.
 * Bodies are framed by Content-Length, by chunked encoding (HTTP/1.1, length unknown:
 * live HTTP-FLV), or by closing the connection (HTTP/1.0, length unknown). Chunk framing
 * goes out as separate iovecs around the caller's payload, so a shared media payload is
 * never copied. A body known in full (an error page, an HLS file from memory) goes out
 * in the same writev as the headers. Not here: what the body is (app/), request parsing (sr_http_request.c).
 */
#include "sr_http.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <http_parser.h>

#include "sr_error.h"

/* iovecs per writev when chunk framing is added around the caller's iovecs */
#define SR_HTTP_IOV_BATCH 64

static const char sr_http_crlf[] = "\r\n";
static const char sr_http_last_chunk[] = "0\r\n\r\n";

const char *sr_http_status_text(int code)
{
    const char *s = code >= 100 && code <= 999 ? http_status_str((enum http_status)code) : "<unknown>";
    return strcmp(s, "<unknown>") == 0 ? "Unknown" : s;
}

void sr_http_response_init(sr_http_response_t *resp, sr_io_t *io, const sr_http_request_t *req)
{
    memset(resp, 0, sizeof(*resp));
    resp->_io = io;
    resp->status = 200;
    resp->version_minor = req ? SR_MIN(req->version_minor, 1) : 1;
    if (req && req->version_major != 1) {
        resp->version_minor = 1;
    }
    resp->is_head = req && req->method == HTTP_HEAD;
    resp->is_keep_alive = req && req->is_keep_alive;
    resp->_content_length = -1;
}

void sr_http_response_set_status(sr_http_response_t *resp, int code)
{
    resp->status = code;
}

void sr_http_response_set_close(sr_http_response_t *resp)
{
    resp->is_keep_alive = false;
}

bool sr_http_response_is_keep_alive(const sr_http_response_t *resp)
{
    return resp->is_keep_alive;
}

static bool sr_http_is_framing_header(const char *name)
{
    return strcasecmp(name, "Content-Length") == 0 || strcasecmp(name, "Transfer-Encoding") == 0 ||
           strcasecmp(name, "Connection") == 0;
}

/* RFC 9110 5.1 token for names; values may not hold CR, LF or NUL (response splitting). */
static bool sr_http_header_ok(const char *name, const char *value)
{
    if (!name[0] || strpbrk(name, " \t\r\n:") || strpbrk(value, "\r\n")) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e) {
            return false;
        }
    }
    return true;
}

int sr_http_response_add_header(sr_http_response_t *resp, const char *name, const char *value)
{
    if (resp->_is_header_sent) {
        return sr_err_new(SR_EINVAL, "header %s added after the header was sent", name);
    }
    if (!sr_http_header_ok(name, value) || sr_http_is_framing_header(name)) {
        return sr_err_new(SR_EINVAL, "refused response header '%.64s'", name);
    }
    size_t left = sizeof(resp->_headers) - resp->_header_len;
    int n = snprintf(resp->_headers + resp->_header_len, left, "%s: %s\r\n", name, value);
    if (n < 0 || (size_t)n >= left) {
        resp->_headers[resp->_header_len] = '\0';
        return sr_err_new(SR_EOVERFLOW, "response headers over %zu bytes at '%.64s'", sizeof(resp->_headers), name);
    }
    resp->_header_len += (size_t)n;
    return SR_OK;
}

/* RFC 9110 6.4.1: 1xx, 204 and 304 responses have no body, HEAD responses neither. */
static bool sr_http_status_has_body(int code)
{
    return code >= 200 && code != 204 && code != 304;
}

/* Decide the framing and write "Content-Length"/"Transfer-Encoding" and "Connection". */
static int sr_http_response_framing(sr_http_response_t *resp, int64_t content_length, char *out, size_t size)
{
    bool has_body = sr_http_status_has_body(resp->status);
    resp->_is_no_body = resp->is_head || !has_body;
    int n = 0;
    if (has_body && content_length >= 0) {
        resp->_content_length = content_length;
        n = snprintf(out, size, "Content-Length: %" PRId64 "\r\n", content_length);
    } else if (has_body && resp->version_minor >= 1) {
        resp->is_chunked = true;
        n = snprintf(out, size, "Transfer-Encoding: chunked\r\n");
    } else if (has_body) {
        resp->is_keep_alive = false; /* HTTP/1.0: the body ends when we close */
    }
    n += snprintf(out + n, size - (size_t)n, "Connection: %s\r\n\r\n", resp->is_keep_alive ? "keep-alive" : "close");
    return n;
}

/* The status line, headers and framing, followed in the same writev by body (len
 * bytes, may be NULL when 0) when the response has one. */
static int sr_http_response_write_head_and(sr_http_response_t *resp, int64_t content_length, const void *body,
                                           size_t len)
{
    if (resp->_is_header_sent) {
        return sr_err_new(SR_EINVAL, "response header written twice");
    }
    resp->_is_header_sent = true;
    char date[64];
    struct tm tm;
    time_t now = (time_t)(sr_time_wall_us() / (int64_t)SR_UTIME_S);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&now, &tm));
    char head[256];
    int hn = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nServer: Strand/1.0\r\nDate: %s\r\n", resp->status,
                      sr_http_status_text(resp->status), date);
    char tail[128];
    int tn = sr_http_response_framing(resp, content_length, tail, sizeof(tail));
    struct iovec iov[4] = {
        {head, (size_t)hn},
        {resp->_headers, resp->_header_len},
        {tail, (size_t)tn},
        {(void *)body, resp->_is_no_body ? 0 : len},
    };
    int rc = sr_io_writev(resp->_io, iov, iov[3].iov_len ? 4 : 3);
    if (rc != SR_OK) {
        resp->is_keep_alive = false;
        return sr_err_wrap(rc, "write http response header %d", resp->status);
    }
    resp->_body_bytes += iov[3].iov_len;
    return SR_OK;
}

int sr_http_response_write_header(sr_http_response_t *resp, int64_t content_length)
{
    return sr_http_response_write_head_and(resp, content_length, NULL, 0);
}

int sr_http_response_write_whole(sr_http_response_t *resp, const void *body, size_t len)
{
    int rc = sr_http_response_write_head_and(resp, (int64_t)len, body, len);
    return rc == SR_OK ? sr_http_response_end(resp) : rc;
}

int sr_http_response_write(sr_http_response_t *resp, const void *data, size_t len)
{
    struct iovec iov = {(void *)data, len};
    return sr_http_response_writev(resp, &iov, 1);
}

/* One chunk: size line, the caller's iovecs (in batches), CRLF. */
static int sr_http_response_writev_chunk(sr_http_response_t *resp, const struct iovec *iov, int iovcnt, size_t total)
{
    char size_line[24]; /* hex digits, CRLF: by hand, this runs for every write of a live stream */
    int sn = 0;
    for (int shift = (int)sizeof(total) * 8 - 4; shift >= 0; shift -= 4) {
        unsigned digit = (unsigned)(total >> shift) & 0xf;
        if (digit || sn || shift == 0) {
            size_line[sn++] = "0123456789abcdef"[digit];
        }
    }
    size_line[sn++] = '\r';
    size_line[sn++] = '\n';
    struct iovec out[SR_HTTP_IOV_BATCH];
    int n = 0;
    out[n++] = (struct iovec){size_line, (size_t)sn};
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len == 0) {
            continue;
        }
        if (n == SR_HTTP_IOV_BATCH) {
            int rc = sr_io_writev(resp->_io, out, n);
            if (rc != SR_OK) {
                return rc;
            }
            n = 0;
        }
        out[n++] = iov[i];
    }
    if (n == SR_HTTP_IOV_BATCH) {
        int rc = sr_io_writev(resp->_io, out, n);
        if (rc != SR_OK) {
            return rc;
        }
        n = 0;
    }
    out[n++] = (struct iovec){(void *)sr_http_crlf, 2};
    return sr_io_writev(resp->_io, out, n);
}

int sr_http_response_writev(sr_http_response_t *resp, const struct iovec *iov, int iovcnt)
{
    if (!resp->_is_header_sent || resp->_is_ended) {
        return sr_err_new(SR_EINVAL, "http body written %s", resp->_is_ended ? "after end" : "before the header");
    }
    if (resp->_is_no_body) {
        return SR_OK;
    }
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++) {
        total += iov[i].iov_len;
    }
    if (total == 0) {
        return SR_OK;
    }
    if (resp->_content_length >= 0 && total > (uint64_t)resp->_content_length - resp->_body_bytes) {
        return sr_err_new(SR_EOVERFLOW, "http body over Content-Length %" PRId64, resp->_content_length);
    }
    int rc = resp->is_chunked ? sr_http_response_writev_chunk(resp, iov, iovcnt, total)
                              : sr_io_writev(resp->_io, iov, iovcnt);
    if (rc != SR_OK) {
        resp->is_keep_alive = false;
        return sr_err_wrap(rc, "write http body (%zu bytes)", total);
    }
    resp->_body_bytes += total;
    return SR_OK;
}

void sr_http_response_wrote(sr_http_response_t *resp, uint64_t len)
{
    resp->_body_bytes += len;
}

int sr_http_response_end(sr_http_response_t *resp)
{
    if (!resp->_is_header_sent) {
        return sr_err_new(SR_EINVAL, "http response ended before the header");
    }
    if (resp->_is_ended) {
        return SR_OK;
    }
    resp->_is_ended = true;
    if (resp->_is_no_body) {
        return SR_OK;
    }
    if (resp->is_chunked) {
        int rc = sr_io_write(resp->_io, sr_http_last_chunk, sizeof(sr_http_last_chunk) - 1);
        if (rc != SR_OK) {
            resp->is_keep_alive = false;
            return sr_err_wrap(rc, "write last chunk");
        }
    }
    if (resp->_content_length >= 0 && resp->_body_bytes < (uint64_t)resp->_content_length) {
        resp->is_keep_alive = false;
        return sr_err_new(SR_ETRUNCATED, "http body of %" PRIu64 " bytes, Content-Length %" PRId64, resp->_body_bytes,
                          resp->_content_length);
    }
    return SR_OK;
}

int sr_http_response_send(sr_io_t *io, const sr_http_request_t *req, int code, const char *content_type,
                          const void *body, size_t len)
{
    sr_http_response_t resp;
    sr_http_response_init(&resp, io, req);
    sr_http_response_set_status(&resp, code);
    int rc = content_type ? sr_http_response_add_header(&resp, "Content-Type", content_type) : SR_OK;
    return rc == SR_OK ? sr_http_response_write_whole(&resp, body, len) : rc;
}
