/* SPDX-License-Identifier: MIT */
/*
 * sr_http_client.c: a minimal HTTP/1.1 client for HTTP hooks (on_publish, on_play ...):
 * one request per connection (Connection: close), a response read with http-parser in
 * response mode (Content-Length, chunked, or until the server closes), a capped body,
 * and one deadline for the whole exchange. Hosts must be IP literals or "localhost":
 * getaddrinfo would block the one OS thread every coroutine runs on.
 * Not here: TLS, redirects, keep-alive pools, what a hook's answer means (app/).
 */
#include "sr_http.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <http_parser.h>

#include "sr_error.h"
#include "sr_st.h"
#include "sr_url.h"

#define SR_HTTP_CLIENT_READ_BYTES 4096

typedef struct sr_http_client_resp {
    http_parser parser;
    sr_buf_t *body; /* NULL: count but drop */
    size_t body_bytes;
    int status;
    int rc;
    bool is_head;
    bool is_complete;
} sr_http_client_resp_t;

/* ---- request ---- */

static bool sr_http_client_text_ok(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f) {
            return false;
        }
    }
    return true;
}

/* A header name is a token (RFC 9110 5.1); a value holds no CR, LF or NUL. */
static bool sr_http_client_header_ok(const sr_http_header_t *h)
{
    if (!h->name || !h->name[0] || !h->value || !sr_http_client_text_ok(h->name) || strchr(h->name, ':')) {
        return false;
    }
    return !strpbrk(h->value, "\r\n");
}

/* Check the URL, pick the address to connect to, and build the request head. */
static int sr_http_client_prepare(const char *method, const char *url, const char *content_type,
                                  const sr_http_header_t *headers, size_t header_count, size_t len, char *ip,
                                  size_t ip_size, int *port, sr_buf_t *head)
{
    sr_url_t u;
    if (sr_url_parse(url, &u) != SR_OK) {
        return sr_err_new(SR_EINVAL, "bad http url '%.200s'", url);
    }
    if (strcasecmp(u.scheme, "https") == 0) {
        return sr_err_new(SR_EUNSUPPORTED, "https is not supported (no TLS in the hook client): '%.200s'", url);
    }
    if (strcasecmp(u.scheme, "http") != 0) {
        return sr_err_new(SR_EINVAL, "not an http url: '%.200s'", url);
    }
    if (!method[0] || !sr_http_client_text_ok(method) || !sr_http_client_text_ok(u.path) ||
        !sr_http_client_text_ok(u.query) || (content_type && strpbrk(content_type, "\r\n"))) {
        return sr_err_new(SR_EINVAL, "bad character in http request to '%.200s'", url);
    }
    const char *host = strcasecmp(u.host, "localhost") == 0 ? "127.0.0.1" : u.host;
    uint8_t addr[16];
    bool is_v6 = inet_pton(AF_INET6, host, addr) == 1;
    if (!is_v6 && inet_pton(AF_INET, host, addr) != 1) {
        return sr_err_new(SR_EINVAL,
                          "host '%s' is not an IP address: name lookup would block the server, use an IP or localhost",
                          u.host);
    }
    snprintf(ip, ip_size, "%.*s", (int)SR_MIN(strlen(host), ip_size - 1), host); /* a literal fits: checked above */
    *port = u.port ? u.port : 80;
    /* RFC 9112 3.2: Host carries the port unless it is the default one */
    sr_buf_printf(head, "%s /%s%s%s HTTP/1.1\r\nHost: %s%s%s", method, u.path, u.query[0] ? "?" : "", u.query,
                  is_v6 ? "[" : "", u.host, is_v6 ? "]" : "");
    if (u.port && u.port != 80) {
        sr_buf_printf(head, ":%d", u.port);
    }
    sr_buf_printf(head, "\r\nUser-Agent: Strand/1.0\r\nAccept: */*\r\nConnection: close\r\n");
    if (content_type) {
        sr_buf_printf(head, "Content-Type: %s\r\n", content_type);
    }
    for (size_t i = 0; i < header_count; i++) {
        if (!sr_http_client_header_ok(&headers[i])) {
            return sr_err_new(SR_EINVAL, "bad extra header %zu in http request to '%.200s'", i, url);
        }
        sr_buf_printf(head, "%s: %s\r\n", headers[i].name, headers[i].value);
    }
    if (len > 0 || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        sr_buf_printf(head, "Content-Length: %zu\r\n", len);
    }
    sr_buf_put_str(head, "\r\n");
    return SR_OK;
}

/* Time left before the deadline, or -SR_ETIMEOUT. */
static int sr_http_client_left(sr_utime_t deadline, const char *what, sr_utime_t *left)
{
    sr_utime_t now = sr_time_mono_us();
    if (now >= deadline) {
        return sr_err_new(SR_ETIMEOUT, "http client deadline passed before %s", what);
    }
    *left = deadline - now;
    return SR_OK;
}

/* ---- response ---- */

static int sr_http_client_on_headers_complete(http_parser *p)
{
    sr_http_client_resp_t *c = p->data;
    c->status = (int)p->status_code;
    if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX &&
        p->content_length > SR_HTTP_CLIENT_MAX_BODY_BYTES) {
        c->rc = sr_err_new(SR_EHTTP_BODY_TOO_LARGE, "response Content-Length %llu over %d",
                           (unsigned long long)p->content_length, SR_HTTP_CLIENT_MAX_BODY_BYTES);
        return -1;
    }
    return c->is_head ? 1 : 0; /* 1: a HEAD response has no body whatever its headers say */
}

static int sr_http_client_on_body(http_parser *p, const char *at, size_t len)
{
    sr_http_client_resp_t *c = p->data;
    if (len > SR_HTTP_CLIENT_MAX_BODY_BYTES - c->body_bytes) {
        c->rc = sr_err_new(SR_EHTTP_BODY_TOO_LARGE, "response body over %d bytes", SR_HTTP_CLIENT_MAX_BODY_BYTES);
        return -1;
    }
    c->body_bytes += len;
    if (c->body) {
        sr_buf_put_bytes(c->body, at, len);
    }
    return 0;
}

static int sr_http_client_on_message_complete(http_parser *p)
{
    sr_http_client_resp_t *c = p->data;
    /* an interim 1xx response (e.g. 100 Continue) is followed by the real one */
    if (c->status >= 100 && c->status < 200 && c->status != 101) {
        return 0;
    }
    c->is_complete = true;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings sr_http_client_settings = {
    .on_headers_complete = sr_http_client_on_headers_complete,
    .on_body = sr_http_client_on_body,
    .on_message_complete = sr_http_client_on_message_complete,
};

/* Feed n bytes (n == 0: the server closed). */
static int sr_http_client_feed(sr_http_client_resp_t *c, const char *data, size_t n)
{
    http_parser_execute(&c->parser, &sr_http_client_settings, data, n);
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    if (e == HPE_OK || e == HPE_PAUSED) {
        return SR_OK;
    }
    if (c->rc != SR_OK) {
        return c->rc;
    }
    return sr_err_new(SR_EHTTP_CLIENT, "bad http response: %s", http_errno_description(e));
}

static int sr_http_client_read_response(sr_sock_t *s, sr_utime_t deadline, sr_http_client_resp_t *c)
{
    char buf[SR_HTTP_CLIENT_READ_BYTES];
    while (!c->is_complete) {
        sr_utime_t left = 0;
        int rc = sr_http_client_left(deadline, "the response ended", &left);
        if (rc != SR_OK) {
            return rc;
        }
        sr_sock_set_timeouts(s, left, left);
        size_t n = 0;
        rc = sr_io_read(sr_sock_io(s), buf, sizeof(buf), &n);
        if (rc == -SR_EPEER_CLOSED) {
            rc = sr_http_client_feed(c, NULL, 0);
            if (rc == SR_OK && !c->is_complete) {
                rc = sr_err_new(SR_EHTTP_CLIENT, "server closed before the response ended");
            }
            return rc;
        }
        if (rc != SR_OK) {
            return sr_err_wrap(rc, "read http response");
        }
        rc = sr_http_client_feed(c, buf, n);
        if (rc != SR_OK) {
            return rc;
        }
    }
    return SR_OK;
}

/* Connect, send head and body, read the response; the socket is closed here. */
static int sr_http_client_exchange(const char *ip, int port, const sr_buf_t *head, const void *body, size_t len,
                                   sr_utime_t deadline, sr_http_client_resp_t *c)
{
    sr_utime_t left = 0;
    int rc = sr_http_client_left(deadline, "connect", &left);
    if (rc != SR_OK) {
        return rc;
    }
    sr_sock_t *s = NULL;
    rc = sr_sock_connect_tcp(ip, port, left, &s);
    if (rc != SR_OK) {
        return rc;
    }
    rc = sr_http_client_left(deadline, "sending the request", &left);
    if (rc == SR_OK) {
        sr_sock_set_timeouts(s, left, left);
        struct iovec iov[2] = {{head->data, head->len}, {(void *)body, len}};
        rc = sr_io_writev(sr_sock_io(s), iov, len > 0 ? 2 : 1);
        if (rc != SR_OK) {
            rc = sr_err_wrap(rc, "send http request");
        }
    }
    if (rc == SR_OK) {
        rc = sr_http_client_read_response(s, deadline, c);
    }
    sr_sock_close(s);
    return rc;
}

int sr_http_client_request(const char *method, const char *url, const char *content_type, const void *body, size_t len,
                           sr_utime_t timeout_us, int *status, sr_buf_t *resp_body)
{
    return sr_http_client_request_headers(method, url, content_type, NULL, 0, body, len, timeout_us, status, resp_body);
}

int sr_http_client_request_headers(const char *method, const char *url, const char *content_type,
                                   const sr_http_header_t *headers, size_t header_count, const void *body, size_t len,
                                   sr_utime_t timeout_us, int *status, sr_buf_t *resp_body)
{
    /* an unbounded timeout wraps the deadline into the past: the call times out at once */
    sr_utime_t deadline = sr_time_mono_us() + timeout_us;
    char ip[64];
    int port = 0;
    sr_buf_t head;
    sr_buf_init(&head);
    int rc =
        sr_http_client_prepare(method, url, content_type, headers, header_count, len, ip, sizeof(ip), &port, &head);
    sr_http_client_resp_t c;
    memset(&c, 0, sizeof(c));
    http_parser_init(&c.parser, HTTP_RESPONSE);
    c.parser.data = &c;
    c.body = resp_body;
    c.is_head = strcmp(method, "HEAD") == 0;
    if (rc == SR_OK) {
        rc = sr_http_client_exchange(ip, port, &head, body, len, deadline, &c);
    }
    sr_buf_deinit(&head);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "%s %.200s", method, url);
    }
    if (status) {
        *status = c.status;
    }
    return SR_OK;
}
