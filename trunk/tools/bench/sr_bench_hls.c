/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_hls.c: the HLS viewer of strand_bench, behaving like hls.js on a live
 * stream: one keep-alive HTTP/1.1 connection; fetch the media playlist, start three
 * segments from its live edge, fetch each new segment once and in order, and re-poll
 * the playlist every half target duration. A connection the server closed is opened
 * again (counted as a reconnect, not an error). Each segment's fetch time (request
 * written to last body byte) goes to the fetch histogram; a non-200 answer, a socket
 * error or a segment that slid out of the window before it was fetched is an error
 * (counted, the viewer carries on after a second, as a player would).
 *
 * Not for: master playlists, chunked bodies, TS parsing (segments are counted as bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_error.h"

#define SR_BENCH_HLS_HEAD_MAX 4096
#define SR_BENCH_HLS_PLAYLIST_MAX (1024 * 1024)
#define SR_BENCH_HLS_MAX_SEGMENTS 1024
/* hls.js's liveSyncDurationCount: a new viewer starts this many segments from the end. */
#define SR_BENCH_HLS_LIVE_SYNC 3
#define SR_BENCH_HLS_RETRY_US SR_UTIME_S

sr_bench_hls_totals_t sr_bench_hls_totals;

typedef struct sr_bench_hls {
    sr_bench_conn_t *c;
    sr_sock_t *sock;     /* the keep-alive connection, NULL between connections */
    char playlist[2100]; /* request path of the playlist, with its query */
    char dir[1100];      /* the playlist's path up to and with its last '/' */
    int64_t next_seq;    /* next media sequence number to fetch, -1 before the first playlist */
} sr_bench_hls_t;

/* One parsed media playlist: the URIs point into the body. */
typedef struct sr_bench_hls_list {
    double target_s;
    int64_t first_seq;
    int count;
    const char *uri[SR_BENCH_HLS_MAX_SEGMENTS];
} sr_bench_hls_list_t;

static int sr_bench_hls_errors_logged;

static void sr_bench_hls_error(sr_bench_hls_t *h, int rc, const char *what)
{
    sr_bench_hls_totals.errors++;
    h->c->err = rc;
    if (sr_bench_hls_errors_logged < 5) {
        sr_bench_hls_errors_logged++;
        fprintf(stderr, "strand_bench: viewer %d: %s: %s %s\n", h->c->index, what, sr_err_name(rc), sr_err_trail());
    }
}

/* ==== HTTP/1.1 keep-alive GET ==== */

typedef struct sr_bench_hls_resp {
    int status;
    size_t length;  /* Content-Length */
    bool is_close;  /* Connection: close */
    char *body;     /* the body when kept (NUL-terminated), else NULL */
    size_t got;     /* body bytes read */
    bool any_bytes; /* a response byte arrived: the request reached the server */
} sr_bench_hls_resp_t;

/* Parse the response head in head[0..head_len) (NUL-terminated, ends with CRLFCRLF). */
static int sr_bench_hls_parse_head(char *head, sr_bench_hls_resp_t *r)
{
    if (strncmp(head, "HTTP/1.", 7) != 0 || head[8] != ' ') {
        return sr_err_new(SR_EHTTP_PARSE, "not an HTTP response");
    }
    r->status = atoi(head + 9);
    const char *cl = strcasestr(head, "\r\ncontent-length:");
    if (cl == NULL) {
        return sr_err_new(SR_EHTTP_PARSE, "no content-length (status %d)", r->status);
    }
    r->length = (size_t)strtoull(cl + 17, NULL, 10);
    r->is_close = strcasestr(head, "\r\nconnection: close") != NULL;
    return SR_OK;
}

/* Read the body's first bytes (already read with the head) and the rest. May yield. */
static int sr_bench_hls_read_body(sr_bench_hls_t *h, sr_bench_hls_resp_t *r, bool keep, const char *pre, size_t pre_len)
{
    size_t n;
    if (keep) {
        if (r->length > SR_BENCH_HLS_PLAYLIST_MAX) {
            return sr_err_new(SR_EHTTP_PARSE, "playlist of %zu bytes", r->length);
        }
        r->body = sr_malloc(r->length + 1);
    }
    if (pre_len > r->length) {
        return sr_err_new(SR_EHTTP_PARSE, "more bytes than content-length");
    }
    if (keep) {
        memcpy(r->body, pre, pre_len);
    }
    r->got = pre_len;
    while (r->got < r->length) {
        uint8_t *dst = keep ? (uint8_t *)r->body + r->got : sr_bench_scratch;
        size_t want = r->length - r->got;
        if (!keep && want > sizeof(sr_bench_scratch)) {
            want = sizeof(sr_bench_scratch);
        }
        int rc = sr_io_read(sr_sock_io(h->sock), dst, want, &n);
        if (rc != SR_OK) {
            return rc;
        }
        r->got += n;
    }
    if (keep) {
        r->body[r->length] = '\0';
    }
    h->c->bytes += r->got;
    return SR_OK;
}

/* One request and its response on the current connection. May yield. */
static int sr_bench_hls_exchange(sr_bench_hls_t *h, const char *path, bool keep, sr_bench_hls_resp_t *r)
{
    const sr_bench_opts_t *o = h->c->opts;
    char req[2560];
    int len =
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: strand_bench\r\nAccept: */*\r\n\r\n",
                 path, o->target.host, o->target.port);
    if (len <= 0 || (size_t)len >= sizeof(req)) {
        return sr_err_new(SR_EINVAL, "path too long");
    }
    int rc = sr_io_write(sr_sock_io(h->sock), req, (size_t)len);
    char *head = sr_malloc(SR_BENCH_HLS_HEAD_MAX + 1);
    char *end = NULL;
    size_t got = 0, n;
    while (rc == SR_OK && end == NULL) {
        if (got == SR_BENCH_HLS_HEAD_MAX) {
            rc = sr_err_new(SR_EHTTP_HEADERS_TOO_LARGE, "response head");
            break;
        }
        rc = sr_io_read(sr_sock_io(h->sock), head + got, SR_BENCH_HLS_HEAD_MAX - got, &n);
        got += rc == SR_OK ? n : 0;
        r->any_bytes = got > 0;
        head[got] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    if (rc == SR_OK) {
        end[2] = '\0'; /* keep the last header's CRLF for the "\r\nname:" searches */
        rc = sr_bench_hls_parse_head(head, r);
    }
    if (rc == SR_OK) {
        size_t body_at = (size_t)(end + 4 - head);
        rc = sr_bench_hls_read_body(h, r, keep, head + body_at, got - body_at);
    }
    sr_free(head);
    return rc;
}

/* GET path (an absolute path with query) on the keep-alive connection, connecting when
 * there is none, and once more when a reused connection was closed before it answered.
 * With keep, the body is left in r->body (the caller frees it). May yield. */
static int sr_bench_hls_get(sr_bench_hls_t *h, const char *path, bool keep, sr_bench_hls_resp_t *r)
{
    int rc = -SR_EPEER_CLOSED;
    for (int attempt = 0; attempt < 2; attempt++) {
        bool is_reused = h->sock != NULL;
        if (h->sock == NULL && (rc = sr_bench_connect(h->c->opts, &h->sock)) != SR_OK) {
            return rc;
        }
        sr_free(r->body);
        memset(r, 0, sizeof(*r));
        rc = sr_bench_hls_exchange(h, path, keep, r);
        if (rc != SR_OK || r->is_close) {
            sr_sock_close(h->sock);
            h->sock = NULL;
        }
        if (rc == SR_OK || sr_err_is_interrupted(rc) || !is_reused || r->any_bytes) {
            break;
        }
        sr_bench_hls_totals.reconnects++; /* an idle keep-alive connection the server had closed */
    }
    return rc;
}

/* ==== the playlist ==== */

/* Parse a media playlist in place (lines are cut at their ends). */
static void sr_bench_hls_parse_list(char *body, sr_bench_hls_list_t *l)
{
    memset(l, 0, sizeof(*l));
    char *save = NULL;
    for (char *line = strtok_r(body, "\r\n", &save); line != NULL; line = strtok_r(NULL, "\r\n", &save)) {
        if (strncmp(line, "#EXT-X-TARGETDURATION:", 22) == 0) {
            l->target_s = atof(line + 22);
        } else if (strncmp(line, "#EXT-X-MEDIA-SEQUENCE:", 22) == 0) {
            l->first_seq = strtoll(line + 22, NULL, 10);
        } else if (line[0] != '#' && line[0] != '\0' && l->count < SR_BENCH_HLS_MAX_SEGMENTS) {
            l->uri[l->count++] = line;
        }
    }
}

/* The request path of a segment URI: absolute URLs lose their authority, relative ones
 * are resolved against the playlist's directory. */
static void sr_bench_hls_resolve(const sr_bench_hls_t *h, const char *uri, char *out, size_t size)
{
    const char *scheme_end = strstr(uri, "://");
    if (scheme_end != NULL) {
        const char *slash = strchr(scheme_end + 3, '/');
        snprintf(out, size, "%s", slash ? slash : "/");
    } else if (uri[0] == '/') {
        snprintf(out, size, "%s", uri);
    } else {
        snprintf(out, size, "%s%s", h->dir, uri);
    }
}

/* Fetch one segment and count it. May yield. */
static int sr_bench_hls_fetch_segment(sr_bench_hls_t *h, const char *uri)
{
    char path[3300];
    sr_bench_hls_resp_t r = {0};
    sr_bench_hls_resolve(h, uri, path, sizeof(path));
    sr_utime_t t0 = sr_time_mono_us();
    int rc = sr_bench_hls_get(h, path, false, &r);
    if (rc != SR_OK) {
        return rc;
    }
    if (r.status != 200) {
        sr_bench_hls_error(h, sr_err_new(SR_EHTTP_CLIENT, "status %d", r.status), path);
        return SR_OK;
    }
    sr_utime_t now = sr_time_mono_us();
    sr_bench_stats_fetch((int64_t)(now - t0));
    sr_bench_hls_totals.segments++;
    if (h->c->first_video_us == 0) {
        h->c->first_video_us = now; /* "first keyframe": the first whole segment */
        h->c->state = SR_BENCH_RUNNING;
    }
    return SR_OK;
}

/* One playlist poll and the segments it made due. *target_s gets its target duration. May yield. */
static int sr_bench_hls_poll(sr_bench_hls_t *h, double *target_s)
{
    sr_bench_hls_resp_t r = {0};
    sr_bench_hls_list_t *l = NULL;
    int rc = sr_bench_hls_get(h, h->playlist, true, &r);
    if (rc == SR_OK && r.status != 200) {
        rc = sr_err_new(SR_EHTTP_CLIENT, "playlist status %d", r.status);
    }
    if (rc == SR_OK) {
        sr_bench_hls_totals.playlists++;
        if (h->c->first_media_us == 0) {
            h->c->first_media_us = sr_time_mono_us();
        }
        l = SR_NEW(sr_bench_hls_list_t);
        sr_bench_hls_parse_list(r.body, l);
        *target_s = l->target_s;
        if (h->next_seq < 0) {
            h->next_seq = l->first_seq + (l->count > SR_BENCH_HLS_LIVE_SYNC ? l->count - SR_BENCH_HLS_LIVE_SYNC : 0);
        }
        if (h->next_seq < l->first_seq) { /* fell behind the window */
            sr_bench_hls_totals.skipped += (uint64_t)(l->first_seq - h->next_seq);
            sr_bench_hls_totals.errors += (uint64_t)(l->first_seq - h->next_seq);
            h->next_seq = l->first_seq;
        }
    }
    while (rc == SR_OK && h->next_seq < l->first_seq + l->count && (rc = sr_co_pull()) == SR_OK) {
        rc = sr_bench_hls_fetch_segment(h, l->uri[h->next_seq - l->first_seq]);
        h->next_seq++;
    }
    sr_free(l);
    sr_free(r.body);
    return rc;
}

void sr_bench_hls_play_cycle(void *arg)
{
    sr_bench_conn_t *c = arg;
    sr_bench_hls_t *h = SR_NEW(sr_bench_hls_t);
    const sr_url_t *u = &c->opts->target;
    h->c = c;
    h->next_seq = -1;
    snprintf(h->playlist, sizeof(h->playlist), "/%s%s%s", u->path, u->query[0] ? "?" : "", u->query);
    const char *slash = strrchr(u->path, '/');
    snprintf(h->dir, sizeof(h->dir), "/%.*s", slash ? (int)(slash - u->path + 1) : 0, u->path);
    int rc;
    while ((rc = sr_co_pull()) == SR_OK) {
        sr_utime_t polled = sr_time_mono_us();
        double target_s = 0;
        rc = sr_bench_hls_poll(h, &target_s);
        if (sr_err_is_interrupted(rc)) {
            break;
        }
        sr_utime_t wait = target_s > 0 ? (sr_utime_t)(target_s * 1e6 / 2) : SR_UTIME_S;
        if (rc != SR_OK) {
            sr_bench_hls_error(h, rc, "poll");
            sr_sock_close(h->sock);
            h->sock = NULL;
            wait = SR_BENCH_HLS_RETRY_US;
        }
        sr_utime_t now = sr_time_mono_us();
        if (polled + wait > now && (rc = sr_usleep(polled + wait - now)) != SR_OK) {
            break;
        }
    }
    c->end_us = sr_time_mono_us(); /* errors are counted, not ends: the viewer ran until the run ended */
    sr_sock_close(h->sock);
    sr_free(h);
}
