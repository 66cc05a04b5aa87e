/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_flv.c: the HTTP-FLV player and the raw TCP reader of strand_bench. The
 * player writes a plain GET, reads the response head (status 200 required; chunked
 * transfer coding or a close-delimited body), then parses FLV tags as a stream:
 * 11-byte tag headers, the first SR_BENCH_HEAD bytes of each body, the rest skipped.
 * The TCP reader (for the floor) only counts bytes.
 *
 * Not for: full HTTP (redirects, keep-alive); this talks to our servers only.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_flv.h"

#define SR_BENCH_HTTP_HEAD_MAX 4096

enum { SR_BENCH_CK_SIZE = 0, SR_BENCH_CK_DATA, SR_BENCH_CK_CRLF, SR_BENCH_CK_END };

typedef struct sr_bench_flv {
    sr_bench_conn_t *conn;
    sr_sock_t *sock;
    bool is_chunked;
    int ck_state;
    uint32_t ck_left;
    uint32_t skip; /* bytes to skip: file header, previous tag size */
    bool in_body;
    uint8_t hdr[SR_FLV_TAG_HEADER_BYTES];
    uint8_t hdr_len;
    uint8_t type;
    uint32_t body_left;
    uint16_t got;
    uint8_t head[SR_BENCH_HEAD];
} sr_bench_flv_t;

/* ==== FLV tags ==== */

static void sr_bench_flv_tag_done(sr_bench_flv_t *f)
{
    sr_bench_stats_media(f->conn, f->type, (uint32_t)(sr_get_be24(f->hdr + 4) | (uint32_t)f->hdr[7] << 24), f->head,
                         f->got);
    f->in_body = false;
    f->skip = 4; /* PreviousTagSize */
}

/* Consume body bytes of the current tag; returns how many were used. */
static size_t sr_bench_flv_body(sr_bench_flv_t *f, const uint8_t *p, size_t n)
{
    size_t k = n < f->body_left ? n : f->body_left;
    if (f->got < SR_BENCH_HEAD) {
        size_t c = SR_BENCH_HEAD - f->got < k ? SR_BENCH_HEAD - f->got : k;
        memcpy(f->head + f->got, p, c);
        f->got = (uint16_t)(f->got + c);
    }
    f->body_left -= (uint32_t)k;
    if (f->body_left == 0) {
        sr_bench_flv_tag_done(f);
    }
    return k;
}

/* Parse n bytes of the FLV stream. Does not yield. */
static void sr_bench_flv_feed(sr_bench_flv_t *f, const uint8_t *p, size_t n)
{
    size_t pos = 0;
    while (pos < n) {
        if (f->skip > 0) {
            size_t k = n - pos < f->skip ? n - pos : f->skip;
            f->skip -= (uint32_t)k;
            pos += k;
        } else if (f->in_body) {
            pos += sr_bench_flv_body(f, p + pos, n - pos);
        } else {
            f->hdr[f->hdr_len++] = p[pos++];
            if (f->hdr_len < SR_FLV_TAG_HEADER_BYTES) {
                continue;
            }
            f->hdr_len = 0;
            f->type = f->hdr[0] & 0x1f;
            f->body_left = sr_get_be24(f->hdr + 1);
            f->got = 0;
            f->in_body = true;
            if (f->body_left == 0) {
                sr_bench_flv_tag_done(f);
            }
        }
    }
}

/* ==== HTTP body framing ==== */

/* Parse n bytes of a chunked body (RFC 9112 7.1), feeding the data to the FLV parser. */
static int sr_bench_flv_dechunk(sr_bench_flv_t *f, const uint8_t *p, size_t n)
{
    size_t pos = 0;
    while (pos < n) {
        uint8_t ch = p[pos];
        if (f->ck_state == SR_BENCH_CK_DATA) {
            size_t k = n - pos < f->ck_left ? n - pos : f->ck_left;
            sr_bench_flv_feed(f, p + pos, k);
            pos += k;
            f->ck_left -= (uint32_t)k;
            f->ck_state = f->ck_left == 0 ? SR_BENCH_CK_CRLF : SR_BENCH_CK_DATA;
            continue;
        }
        pos++;
        if (f->ck_state == SR_BENCH_CK_CRLF) {
            f->ck_state = ch == '\n' ? SR_BENCH_CK_SIZE : SR_BENCH_CK_CRLF;
        } else if (f->ck_state == SR_BENCH_CK_SIZE && ch == '\n') {
            f->ck_state = f->ck_left ? SR_BENCH_CK_DATA : SR_BENCH_CK_END;
        } else if (f->ck_state == SR_BENCH_CK_SIZE && ch != '\r') {
            int d = (ch >= '0' && ch <= '9')                   ? ch - '0'
                    : (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f' ? (ch | 0x20) - 'a' + 10
                                                               : -1;
            if (d < 0 || f->ck_left > 0x0fffffff) {
                return sr_err_new(SR_EHTTP_PARSE, "chunk size");
            }
            f->ck_left = f->ck_left * 16 + (uint32_t)d;
        } else if (f->ck_state == SR_BENCH_CK_END) {
            return sr_err_new(SR_EPEER_CLOSED, "last chunk");
        }
    }
    return f->ck_state == SR_BENCH_CK_END ? sr_err_new(SR_EPEER_CLOSED, "last chunk") : SR_OK;
}

static int sr_bench_flv_body_bytes(sr_bench_flv_t *f, const uint8_t *p, size_t n)
{
    f->conn->bytes += n;
    if (f->is_chunked) {
        return sr_bench_flv_dechunk(f, p, n);
    }
    sr_bench_flv_feed(f, p, n);
    return SR_OK;
}

/* ==== HTTP request and response head ==== */

static int sr_bench_flv_request(sr_bench_flv_t *f)
{
    const sr_bench_opts_t *o = f->conn->opts;
    const sr_url_t *u = &o->target;
    /* --streams K: the file name's stem gets _<i mod K>, as the RTMP players' stream names */
    const char *dot = strrchr(u->path, '.');
    int stem = dot && o->streams > 1 ? (int)(dot - u->path) : (int)strlen(u->path);
    char suffix[16] = "";
    if (o->streams > 1) {
        snprintf(suffix, sizeof(suffix), "_%d", f->conn->index % o->streams);
    }
    char req[2560];
    int len = snprintf(req, sizeof(req),
                       "GET /%.*s%s%s%s%s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: strand_bench\r\nAccept: */*\r\n\r\n",
                       stem, u->path, suffix, u->path + stem, u->query[0] ? "?" : "", u->query, u->host, u->port);
    if (len <= 0 || (size_t)len >= sizeof(req)) {
        return sr_err_new(SR_EINVAL, "url too long");
    }
    return sr_io_write(sr_sock_io(f->sock), req, (size_t)len);
}

/* Read the response head, check it, and feed the body bytes read with it. May yield. */
static int sr_bench_flv_response(sr_bench_flv_t *f)
{
    char *head = sr_malloc(SR_BENCH_HTTP_HEAD_MAX + 1);
    size_t len = 0, n;
    char *end = NULL;
    int rc = SR_OK;
    while (end == NULL && rc == SR_OK) {
        if (len == SR_BENCH_HTTP_HEAD_MAX) {
            rc = sr_err_new(SR_EHTTP_HEADERS_TOO_LARGE, "response head");
            break;
        }
        rc = sr_io_read(sr_sock_io(f->sock), head + len, SR_BENCH_HTTP_HEAD_MAX - len, &n);
        len += rc == SR_OK ? n : 0;
        head[len] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    if (rc == SR_OK && strncmp(head, "HTTP/1.", 7) != 0) {
        rc = sr_err_new(SR_EHTTP_PARSE, "not an HTTP response");
    } else if (rc == SR_OK && strncmp(head + 8, " 200", 4) != 0) {
        rc = sr_err_new(SR_EHTTP_CLIENT, "status %.3s", head + 9);
    }
    if (rc == SR_OK) {
        *end = '\0';
        f->is_chunked = strcasestr(head, "transfer-encoding: chunked") != NULL;
        size_t body_at = (size_t)(end + 4 - head);
        rc = sr_bench_flv_body_bytes(f, (const uint8_t *)head + body_at, len - body_at);
    }
    sr_free(head);
    return rc;
}

void sr_bench_flv_play_cycle(void *arg)
{
    sr_bench_conn_t *c = arg;
    sr_bench_flv_t *f = SR_NEW(sr_bench_flv_t);
    size_t n;
    int rc;
    f->conn = c;
    f->skip = SR_FLV_FILE_HEADER_BYTES;
    if ((rc = sr_bench_connect(c->opts, &f->sock)) == SR_OK && (rc = sr_bench_flv_request(f)) == SR_OK) {
        rc = sr_bench_flv_response(f);
    }
    while (rc == SR_OK && (rc = sr_co_pull()) == SR_OK) {
        rc = sr_io_read(sr_sock_io(f->sock), sr_bench_scratch, sizeof(sr_bench_scratch), &n);
        if (rc == SR_OK) {
            rc = sr_bench_flv_body_bytes(f, sr_bench_scratch, n);
        }
    }
    sr_bench_conn_end(c, rc);
    sr_sock_close(f->sock);
    sr_free(f);
}

/* ==== raw TCP ==== */

void sr_bench_tcp_read_cycle(void *arg)
{
    sr_bench_conn_t *c = arg;
    sr_sock_t *sock = NULL;
    size_t n;
    int rc = sr_bench_connect(c->opts, &sock);
    while (rc == SR_OK && (rc = sr_co_pull()) == SR_OK) {
        rc = sr_io_read(sr_sock_io(sock), sr_bench_scratch, sizeof(sr_bench_scratch), &n);
        if (rc != SR_OK) {
            break;
        }
        c->bytes += n;
        if (c->first_media_us == 0) {
            c->first_media_us = c->first_video_us = sr_time_mono_us();
            c->state = SR_BENCH_RUNNING;
        }
    }
    sr_bench_conn_end(c, rc);
    sr_sock_close(sock);
}
