/* SPDX-License-Identifier: MIT */
/*
 * sr_http.h: HTTP/1.1 on an sr_io_t, built on http-parser (nodejs, 2.9). Three parts:
 *   - the request reader: one request at a time from a connection, with limits on
 *     header and body size, keeping pipelined bytes for the next call
 *     (sr_http_request.c, which also has the path decoder and normalizer);
 *   - the response writer: status line and headers from a bounded buffer, bodies with
 *     Content-Length, chunked or close-delimited framing, writev without copying the
 *     payload (the HTTP-FLV hot path) (sr_http_response.c);
 *   - a small client for HTTP hooks: numeric hosts only, one request per connection,
 *     one overall deadline (sr_http_client.c).
 * Not here: routing, static files, the JSON API, CORS, or any server policy (app/).
 * Not supported: TLS, HTTP/2, WebSocket (is_upgrade only reports the request).
 */
#ifndef SR_HTTP_H
#define SR_HTTP_H

#include <sys/uio.h>

#include "sr_bytes.h"
#include "sr_core.h"
#include "sr_io.h"
#include "sr_time.h"

SR_BEGIN_DECLS

/* ---- limits ---- */

typedef struct sr_http_limits {
    size_t max_header_bytes; /* request line + headers, blank line included; over it: 431 */
    size_t max_header_count; /* over it: 431 */
    size_t max_body_bytes;   /* decoded body (after chunked decoding); over it: 413 */
} sr_http_limits_t;

#define SR_HTTP_MAX_HEADER_BYTES (16 * 1024)
#define SR_HTTP_MAX_HEADER_COUNT 64
#define SR_HTTP_MAX_BODY_BYTES (1024 * 1024)

/* The defaults above: 16 KiB of request line and headers, 64 headers, 1 MiB of body. */
sr_http_limits_t sr_http_limits_default(void);

/* ---- request ---- */

typedef struct sr_http_header {
    const char *name; /* as the peer spelled it */
    const char *value;
} sr_http_header_t;

/* A parsed request. Every string is NUL-terminated and owned by the request until
 * sr_http_request_deinit. */
typedef struct sr_http_request {
    int method;              /* enum http_method (http_parser.h), e.g. HTTP_GET */
    const char *method_name; /* "GET"; static */
    const char *target;      /* raw request-target: "/live/a.flv?token=1" */
    const char *path;        /* percent-decoded path ("/" when the target has none, "*" for OPTIONS *) */
    const char *query;       /* raw query without '?' ("" when none) */
    sr_http_header_t *headers;
    size_t header_count;
    sr_buf_t body; /* decoded body (chunked framing removed) */
    int version_major;
    int version_minor;
    bool is_keep_alive; /* http_should_keep_alive: another request may follow */
    bool is_upgrade;    /* Upgrade/CONNECT: bytes after the headers are not HTTP */
    sr_buf_t _arena;    /* backing store of every string above */
} sr_http_request_t;

/* Zero req, so sr_http_request_deinit is safe on it. */
void sr_http_request_init(sr_http_request_t *req);
/* Free what req owns and zero it. Idempotent. */
void sr_http_request_deinit(sr_http_request_t *req);
/* The value of the first header named name (case-insensitive), or NULL. Borrowed from req. */
const char *sr_http_request_header(const sr_http_request_t *req, const char *name);

/* ---- request reader ---- */

typedef struct sr_http_reader sr_http_reader_t;

/* A reader of the requests arriving on io. io is borrowed and must outlive the reader;
 * limits is copied (NULL: sr_http_limits_default()). */
sr_http_reader_t *sr_http_reader_new(sr_io_t *io, const sr_http_limits_t *limits);
/* NULL ok. */
void sr_http_reader_free(sr_http_reader_t *r);

/* Read exactly one request into req (initialised here; the caller deinits it, also on
 * error). Bytes after it (a pipelined request) stay in r for the next call.
 * Returns SR_OK or:
 *   -SR_EPEER_CLOSED            the peer closed. Before any byte of a new request this is
 *                               the clean end of a keep-alive connection; after part of a
 *                               request it is the same code (nothing useful can be sent to
 *                               a closed peer), and the trail says "mid-request".
 *   -SR_EHTTP_PARSE             malformed request, bad chunked body, bad escape or NUL in
 *                               the path: answer 400 and close
 *   -SR_EHTTP_HEADERS_TOO_LARGE over max_header_bytes or max_header_count: answer 431, close
 *   -SR_EHTTP_BODY_TOO_LARGE    body over max_body_bytes: answer 413 and close
 *   and the io's codes (-SR_ETIMEOUT, -SR_EINTERRUPTED, -SR_ESOCKET_READ).
 * After any error the reader is spent: close the connection. After an is_upgrade request
 * the bytes that follow are not HTTP and the reader must not be used again.
 * The io's timeout bounds each read, not the whole request. May yield. */
int sr_http_reader_read(sr_http_reader_t *r, sr_http_request_t *req);

/* ---- paths ---- */

/* Percent-decode the len bytes of raw into out (NUL-terminated). '+' stays '+'.
 * Returns the decoded length, or -SR_EHTTP_PARSE on a bad escape or an escaped NUL
 * (%00), or -SR_EOVERFLOW when out is too small (it never needs more than len + 1). */
int sr_http_path_decode(const char *raw, size_t len, char *out, size_t out_size);

/* Normalize a decoded absolute path for serving files under a root: "//" and "/./"
 * collapse, "x/.." removes x, a trailing '/' (also from a final "." or "..") is kept.
 * "/a/b/../c" -> "/a/c", "//a///b/" -> "/a/b/", "/./a" -> "/a", "/a/.." -> "/".
 * Returns SR_OK, or -SR_EHTTP_PARSE (answer 400, or 403/404 to hide it) when the path
 * does not start with '/', holds a backslash or control character, would climb above
 * the root ("/../etc/passwd"), or does not fit in out_size. out is caller storage. */
int sr_http_path_normalize(const char *decoded_path, char *out, size_t out_size);

/* ---- response writer ---- */

/* Bytes for headers added with sr_http_response_add_header. */
#define SR_HTTP_RESPONSE_HEADER_BYTES 2048

/* One response, in caller storage. Fields starting with '_' are private. */
typedef struct sr_http_response {
    sr_io_t *_io;
    int status;
    int version_minor;  /* the request's: 0 allows no chunked body (the status line says HTTP/1.1) */
    bool is_head;       /* headers only; body writes are dropped */
    bool is_keep_alive; /* final after sr_http_response_write_header */
    bool is_chunked;    /* set by sr_http_response_write_header */
    bool _is_no_body;   /* HEAD, 1xx, 204, 304 */
    bool _is_header_sent;
    bool _is_ended;
    int64_t _content_length; /* -1 when chunked or close-delimited */
    uint64_t _body_bytes;    /* payload bytes written so far */
    size_t _header_len;
    char _headers[SR_HTTP_RESPONSE_HEADER_BYTES];
} sr_http_response_t;

/* Start a 200 response to req on io. Both are borrowed for the response's life. req
 * gives keep-alive, HEAD and the version; it may be NULL (answering a request that
 * failed to parse): then HTTP/1.1 with Connection: close. */
void sr_http_response_init(sr_http_response_t *resp, sr_io_t *io, const sr_http_request_t *req);
void sr_http_response_set_status(sr_http_response_t *resp, int code);
/* Force Connection: close (e.g. the server is stopping). Before write_header only. */
void sr_http_response_set_close(sr_http_response_t *resp);
/* Add "name: value" (both copied). Returns -SR_EINVAL for an empty name, CR/LF or
 * ':' where they do not belong, a framing header (Content-Length, Transfer-Encoding,
 * Connection: write_header owns them) or when the header was already sent;
 * -SR_EOVERFLOW when the bounded header buffer is full. */
int sr_http_response_add_header(sr_http_response_t *resp, const char *name, const char *value);
/* Send the status line, the added headers, Server, Date, Connection and the framing:
 * content_length >= 0 gives Content-Length; -1 gives Transfer-Encoding: chunked on
 * HTTP/1.1 and a close-delimited body (Connection: close) on HTTP/1.0. Returns SR_OK,
 * -SR_EINVAL when called twice, or the io's write codes. May yield. */
int sr_http_response_write_header(sr_http_response_t *resp, int64_t content_length);
/* The header with Content-Length len and the whole body (borrowed for the call; may be
 * NULL when len is 0) in one writev, then end: a small or memory-held answer costs one
 * system call. The body is dropped for HEAD/204/304. Returns as write_header and end. */
int sr_http_response_write_whole(sr_http_response_t *resp, const void *body, size_t len);
/* Write body bytes (borrowed for the call), framed as a chunk when chunked. Dropped
 * for HEAD/204/304. Zero bytes write nothing (an empty chunk would end the body).
 * Returns SR_OK, -SR_EINVAL before write_header or after end, -SR_EOVERFLOW past the
 * Content-Length, or the io's write codes. May yield. */
int sr_http_response_write(sr_http_response_t *resp, const void *data, size_t len);
/* Same for iov: when chunked, the chunk-size line and the trailing CRLF go out as
 * their own iovecs, so the payload is never copied. May yield. */
int sr_http_response_writev(sr_http_response_t *resp, const struct iovec *iov, int iovcnt);
/* Count len body bytes the caller sent on the connection itself (sr_sock_sendfile), so
 * that end checks the Content-Length. */
void sr_http_response_wrote(sr_http_response_t *resp, uint64_t len);
/* Finish the body: the last chunk "0\r\n\r\n" when chunked. Returns -SR_ETRUNCATED
 * (and clears is_keep_alive) when fewer than Content-Length bytes were written. A
 * close-delimited body ends when the caller closes the connection. May yield. */
int sr_http_response_end(sr_http_response_t *resp);
/* Whether the connection may carry another request after this response. */
bool sr_http_response_is_keep_alive(const sr_http_response_t *resp);

/* A whole response in one call: status code, Content-Type (NULL: none), and body
 * (borrowed; len bytes, may be NULL when len is 0) with Content-Length. Used for error
 * pages too, with req NULL when the request did not parse (then Connection: close).
 * The connection may carry another request when req->is_keep_alive and this returned
 * SR_OK. Returns the codes of the calls above. May yield. */
int sr_http_response_send(sr_io_t *io, const sr_http_request_t *req, int code, const char *content_type,
                          const void *body, size_t len);
/* "OK", "Not Found" ...; "Unknown" for codes not in the table. Static. */
const char *sr_http_status_text(int code);

/* ---- client (HTTP hooks) ---- */

/* Bytes of response body the client keeps. */
#define SR_HTTP_CLIENT_MAX_BODY_BYTES (64 * 1024)

/* Send one request to url ("http://host[:port]/path?query") and read the response.
 * method, url, content_type (NULL: no Content-Type) and body (len bytes; NULL when len
 * is 0) are borrowed. The host must be an IPv4/IPv6 literal or "localhost"
 * (127.0.0.1): resolving names would block the ST thread. The request carries Host,
 * User-Agent, Content-Type, Content-Length (when there is a body or the method is POST
 * or PUT) and Connection: close. The response body (decoded, at most
 * SR_HTTP_CLIENT_MAX_BODY_BYTES) is appended to resp_body (caller-initialised; NULL to
 * drop it) and the status code stored in *status (NULL ok). timeout_us (finite) bounds
 * the whole exchange, connect included. A non-2xx status is not an error here.
 * Returns SR_OK or: -SR_EUNSUPPORTED (https), -SR_EINVAL (bad URL, non-numeric host),
 * -SR_ETIMEOUT, -SR_ESOCKET_CONNECT (refused), -SR_EHTTP_CLIENT (malformed or truncated
 * response), -SR_EHTTP_BODY_TOO_LARGE, -SR_EINTERRUPTED and the socket codes; on error
 * resp_body may hold part of the body and *status is unchanged. May yield. */
int sr_http_client_request(const char *method, const char *url, const char *content_type, const void *body, size_t len,
                           sr_utime_t timeout_us, int *status, sr_buf_t *resp_body);
/* The same with extra request headers after Content-Type: headers[0..header_count-1]
 * (borrowed; NULL when header_count is 0). -SR_EINVAL when a name is empty or holds a
 * control character, a space or ':', or a value holds CR or LF. May yield. */
int sr_http_client_request_headers(const char *method, const char *url, const char *content_type,
                                   const sr_http_header_t *headers, size_t header_count, const void *body, size_t len,
                                   sr_utime_t timeout_us, int *status, sr_buf_t *resp_body);

SR_END_DECLS

#endif
