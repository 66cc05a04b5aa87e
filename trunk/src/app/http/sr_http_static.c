/* SPDX-License-Identifier: MIT */
/*
 * sr_http_static.c: files under http_server.dir. The path is percent-decoded by the
 * reader, normalised (no climbing above the root), and the final file must resolve
 * (symlinks included) inside the root. GET and HEAD, index.html for directories,
 * single byte ranges, ETag/Last-Modified with 304, and MIME types by extension.
 * Playlists are sent with no-cache so players always see the live window, segments as
 * immutable. HLS files (.m3u8, .ts, .m4s) are plays: the vhost's security and refer
 * decide before anything is read, and on an edge a playlist request pulls its stream
 * from the origin. What the HLS sink holds in memory (sr_hls_store.h) is answered from
 * there, with the same headers as from disk, in one writev; other files go out with
 * sendfile (read in chunks under TLS).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_consts.h"
#include "sr_edge.h"
#include "sr_error.h"
#include "sr_hls_store.h"
#include "sr_http_conn.h"
#include "sr_log.h"
#include "sr_request.h"
#include "sr_security.h"
#include "sr_st.h"
#include "sr_url.h"

#define SR_HTTP_STATIC_CHUNK_BYTES (64 * 1024)
#define SR_HTTP_STATIC_PART_WAIT_US (10 * SR_UTIME_S) /* a hinted LL-HLS part, at most */

typedef struct sr_http_static_range {
    int64_t start;
    int64_t length;
    bool is_partial;
} sr_http_static_range_t;

static const struct {
    const char *ext;
    const char *type;
} sr_http_static_mimes[] = {
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".js", "application/javascript"},
    {".mjs", "application/javascript"},
    {".css", "text/css"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
    {".xml", "text/xml"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".ico", "image/x-icon"},
    {".wasm", "application/wasm"},
    {".flv", "video/x-flv"},
    {".ts", "video/MP2T"},
    {".m3u8", "application/vnd.apple.mpegurl"},
    {".mp4", "video/mp4"},
    {".m4s", "video/iso.segment"},
    {".mpd", "application/dash+xml"},
    {".aac", "audio/aac"},
    {".mp3", "audio/mpeg"},
};

static const char *sr_http_static_mime(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < SR_ARRAY_SIZE(sr_http_static_mimes); i++) {
        if (strcasecmp(dot, sr_http_static_mimes[i].ext) == 0) {
            return sr_http_static_mimes[i].type;
        }
    }
    return "application/octet-stream";
}

static bool sr_http_static_is_playlist(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && (strcasecmp(dot, ".m3u8") == 0 || strcasecmp(dot, ".mpd") == 0);
}

/* Parse a single "bytes=a-b" / "bytes=a-" / "bytes=-n" range. Returns 0 when the header is
 * absent or not a single byte range (serve whole), 1 for a valid range, -1 unsatisfiable. */
static int sr_http_static_parse_range(const char *h, int64_t size, sr_http_static_range_t *r)
{
    r->start = 0;
    r->length = size;
    r->is_partial = false;
    if (!h || strncasecmp(h, "bytes=", 6) != 0 || strchr(h, ',') || !strpbrk(h + 6, "0123456789")) {
        return 0; /* absent, not bytes, several ranges or garbage: serve the whole file (RFC 9110 14.2) */
    }
    char *end = NULL;
    const char *p = h + 6;
    if (*p == '-') {
        long long n = strtoll(p + 1, &end, 10);
        if (end == p + 1 || *end || n <= 0) {
            return -1;
        }
        r->start = n >= size ? 0 : size - n;
    } else {
        long long a = strtoll(p, &end, 10);
        if (end == p || *end != '-' || a < 0 || a >= size) {
            return -1;
        }
        r->start = a;
        const char *q = end + 1;
        long long b = *q ? strtoll(q, &end, 10) : size - 1;
        if ((*q && (*end || b < a)) || b < 0) {
            return -1;
        }
        size = SR_MIN(size, b + 1);
    }
    r->length = size - r->start;
    r->is_partial = true;
    return 1;
}

/* root + path resolved, and still inside root (symlinks out are refused). */
static int sr_http_static_resolve(const char *root, const char *path, char *out, size_t size)
{
    char root_real[PATH_MAX];
    char joined[PATH_MAX];
    if (!realpath(root, root_real)) {
        return sr_err_new(SR_ENOT_FOUND, "http_server.dir %s: %s", root, strerror(errno));
    }
    if ((size_t)snprintf(joined, sizeof(joined), "%s%s", root_real, path) >= sizeof(joined) || !realpath(joined, out)) {
        return sr_err_new(SR_ENOT_FOUND, "%s", path);
    }
    size_t n = strlen(root_real);
    if (strncmp(out, root_real, n) != 0 || (out[n] != '\0' && out[n] != '/' && strcmp(root_real, "/") != 0)) {
        return sr_err_new(SR_ENOT_FOUND, "%s resolves outside the root", path);
    }
    SR_UNUSED(size);
    return SR_OK;
}

/* If-None-Match: "*", or a list of (weak or strong) tags one of which is ours. */
static bool sr_http_static_etag_matches(const char *header, const char *etag)
{
    if (strcmp(header, "*") == 0) {
        return true;
    }
    size_t n = strlen(etag);
    for (const char *p = strstr(header, etag); p; p = strstr(p + 1, etag)) {
        if ((p[n] == '\0' || p[n] == ',' || p[n] == ' ') &&
            (p == header || p[-1] == ' ' || p[-1] == ',' || (p - header >= 2 && p[-1] == '/' && p[-2] == 'W'))) {
            return true;
        }
    }
    return false;
}

static void sr_http_static_http_date(time_t t, char *out, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* The ETag ("mtime-size" in hex, the mtime to the nanosecond: a live playlist changes
 * several times a second, often keeping its size) and Last-Modified of a file; both
 * buffers 64 bytes. */
static void sr_http_static_validators(const struct stat *st, char etag[64], char date[64])
{
    snprintf(etag, 64, "\"%llx.%lx-%llx\"", (unsigned long long)st->st_mtim.tv_sec, (unsigned long)st->st_mtim.tv_nsec,
             (unsigned long long)st->st_size);
    sr_http_static_http_date(st->st_mtime, date, 64);
}

/* If-Modified-Since matches: the same second, and a file not changed in the current
 * second (Last-Modified cannot tell apart two versions written within one). */
static bool sr_http_static_unmodified_since(const char *ims, const char *date, const struct stat *st)
{
    return ims && strcmp(ims, date) == 0 && st->st_mtime < time(NULL);
}

/* Send [start, start+length) of fd: with sendfile on a plain socket (the kernel copies
 * from the page cache), else read in chunks through resp (TLS). May yield. */
static int sr_http_static_send_body(sr_http_ctx_t *ctx, sr_http_response_t *resp, int fd,
                                    const sr_http_static_range_t *r)
{
    if (!ctx->is_tls && !resp->is_chunked) {
        int rc = sr_sock_sendfile(ctx->sock, fd, r->start, r->length);
        if (rc == SR_OK) {
            sr_http_response_wrote(resp, (uint64_t)r->length);
            ctx->io->send_bytes += (uint64_t)r->length;
        }
        return rc; /* an error ends the connection: part of the body may have gone */
    }
    uint8_t *buf = sr_malloc(SR_HTTP_STATIC_CHUNK_BYTES);
    int64_t left = r->length;
    off_t off = r->start;
    int rc = SR_OK;
    while (rc == SR_OK && left > 0) {
        ssize_t n = pread(fd, buf, (size_t)SR_MIN(left, SR_HTTP_STATIC_CHUNK_BYTES), off);
        if (n <= 0) {
            rc = sr_err_new(SR_EFILE_READ, "read: %s", n < 0 ? strerror(errno) : "file shrank");
            break;
        }
        rc = sr_http_response_write(resp, buf, (size_t)n);
        off += n;
        left -= n;
    }
    sr_free(buf);
    return rc;
}

/* A media segment's bytes never change under its name while players can see it. */
static bool sr_http_static_is_segment(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && (strcasecmp(dot, ".ts") == 0 || strcasecmp(dot, ".m4s") == 0);
}

static const char *sr_http_static_cache_control(const char *file)
{
    if (sr_http_static_is_playlist(file)) {
        return "no-cache"; /* the live window moves */
    }
    /* short-lived all the same: after hls_dispose a new publish reuses the names */
    return sr_http_static_is_segment(file) ? "max-age=60, immutable" : "max-age=60";
}

/* Add the headers of an answer with file's validators (from st's mtime and size) and
 * set its status: 304 when the request's validators match, 206 for a range. Returns
 * the body bytes to send. */
static int64_t sr_http_static_prepare(sr_http_ctx_t *ctx, sr_http_response_t *resp, const char *file,
                                      const struct stat *st, const sr_http_static_range_t *r)
{
    char etag[64], date[64], range[96];
    sr_http_static_validators(st, etag, date);
    sr_http_response_add_header(resp, "Content-Type", sr_http_static_mime(file));
    sr_http_response_add_header(resp, "Accept-Ranges", "bytes");
    sr_http_response_add_header(resp, "ETag", etag);
    sr_http_response_add_header(resp, "Last-Modified", date);
    sr_http_response_add_header(resp, "Cache-Control", sr_http_static_cache_control(file));
    if (sr_server_config(ctx->server)->http_server.is_crossdomain) {
        sr_http_conn_add_cors(resp);
    }
    const char *inm = sr_http_request_header(ctx->req, "If-None-Match");
    const char *ims = sr_http_request_header(ctx->req, "If-Modified-Since");
    if (inm ? sr_http_static_etag_matches(inm, etag) : sr_http_static_unmodified_since(ims, date, st)) {
        sr_http_response_set_status(resp, 304);
        return 0;
    }
    if (r->is_partial) {
        sr_http_response_set_status(resp, 206);
        snprintf(range, sizeof(range), "bytes %lld-%lld/%lld", (long long)r->start,
                 (long long)(r->start + r->length - 1), (long long)st->st_size);
        sr_http_response_add_header(resp, "Content-Range", range);
    }
    return r->length;
}

static int sr_http_static_redirect_dir(sr_http_ctx_t *ctx)
{
    char location[2048];
    snprintf(location, sizeof(location), "%s/%s%s", ctx->req->path, ctx->req->query[0] ? "?" : "", ctx->req->query);
    sr_http_response_t resp;
    sr_http_response_init(&resp, ctx->io, ctx->req);
    sr_http_response_set_status(&resp, 302);
    if (sr_http_response_add_header(&resp, "Location", location) != SR_OK) {
        return sr_http_conn_reply(ctx, 400, "text/plain", "400 Bad Request\n", 16, false);
    }
    int rc = sr_http_response_write_header(&resp, 0);
    return rc == SR_OK ? sr_http_response_end(&resp) : rc;
}

/* Open the file for a normalized path; directories get index.html. */
static int sr_http_static_open(sr_http_ctx_t *ctx, const char *norm, char *file, size_t size, struct stat *st,
                               bool *is_dir_redirect)
{
    const char *root = sr_server_config(ctx->server)->http_server.dir;
    int rc = sr_http_static_resolve(root, norm, file, size);
    if (rc != SR_OK) {
        return rc;
    }
    if (stat(file, st) == 0 && S_ISDIR(st->st_mode)) {
        size_t n = strlen(norm);
        if (n == 0 || norm[n - 1] != '/') {
            *is_dir_redirect = true;
            return SR_OK;
        }
        size_t fl = strlen(file);
        if (fl + sizeof("/index.html") > size) {
            return sr_err_new(SR_ENOT_FOUND, "path too long");
        }
        memcpy(file + fl, "/index.html", sizeof("/index.html"));
    }
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        if (fd >= 0) {
            close(fd);
        }
        return sr_err_new(SR_ENOT_FOUND, "%s", norm);
    }
    return fd;
}

/* If-Range (RFC 9110 13.1.5): a Range applies only while the validator still matches. */
static bool sr_http_static_if_range_holds(const sr_http_request_t *req, const struct stat *st)
{
    const char *ir = sr_http_request_header(req, "If-Range");
    if (!ir) {
        return true;
    }
    char etag[64], date[64];
    sr_http_static_validators(st, etag, date);
    return strcmp(ir, etag) == 0 || strcmp(ir, date) == 0;
}

static int sr_http_static_unsatisfiable(sr_http_ctx_t *ctx, int64_t size)
{
    char body[64], cr[48];
    int n = snprintf(body, sizeof(body), "416 Range Not Satisfiable (size %lld)\n", (long long)size);
    snprintf(cr, sizeof(cr), "bytes */%lld", (long long)size);
    sr_http_response_t resp;
    sr_http_response_init(&resp, ctx->io, ctx->req);
    sr_http_response_set_status(&resp, 416);
    sr_http_response_add_header(&resp, "Content-Type", "text/plain; charset=utf-8");
    sr_http_response_add_header(&resp, "Content-Range", cr);
    int rc = sr_http_response_write_header(&resp, n);
    if (rc == SR_OK) {
        rc = sr_http_response_write(&resp, body, (size_t)n);
    }
    if (rc == SR_OK) {
        rc = sr_http_response_end(&resp);
    }
    return rc == SR_OK && !sr_http_response_is_keep_alive(&resp) ? -SR_EPEER_CLOSED : rc;
}

/* ---- HLS plays ---- */

static bool sr_http_static_is_hls(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && (strcasecmp(dot, ".m3u8") == 0 || strcasecmp(dot, ".ts") == 0 || strcasecmp(dot, ".m4s") == 0);
}

/* What the HLS sink may hold in memory: its playlists and segments, and the fMP4 init
 * segment (an .mp4 that is no play of its own: a DVR file has the same extension). */
static bool sr_http_static_may_be_in_memory(const char *path)
{
    const char *dot = strrchr(path, '.');
    return sr_http_static_is_hls(path) || (dot && strcasecmp(dot, ".mp4") == 0);
}

/* The vhost of an HLS file, as HTTP-FLV finds it: ?vhost=, else a first path segment
 * naming a vhost whose hls_m3u8_file starts with [vhost] (then *path skips it), else the
 * Host header; the config falls back to the default vhost. */
static void sr_http_static_hls_vhost(const sr_http_ctx_t *ctx, const char **path, char *out, size_t size)
{
    const sr_server_config_t *cfg = sr_server_config(ctx->server);
    if (sr_url_query_get(ctx->req->query, "vhost", out, size) && out[0]) {
        return;
    }
    size_t seg = strcspn(*path + 1, "/");
    if (seg > 0 && seg < size && (*path)[1 + seg] == '/') {
        snprintf(out, size, "%.*s", (int)seg, *path + 1);
        const sr_vhost_config_t *v = sr_server_config_vhost_exact(cfg, out);
        if (v && v->hls && strncmp(v->hls->m3u8_file, "[vhost]", 7) == 0) {
            *path += 1 + seg;
            return;
        }
    }
    const char *host = sr_http_request_header(ctx->req, "Host");
    snprintf(out, size, "%s", host ? host : SR_DEFAULT_VHOST);
    char *colon = out[0] == '[' ? NULL : strchr(out, ':');
    if (colon) {
        *colon = '\0';
    }
}

/* The edge: an HLS player holds no connection, so each of its playlist requests keeps
 * the pull going for a few segments more; the first one starts the pull and waits for
 * the stream's first playlist, so that a player's first request already plays. */
static void sr_http_static_hls_edge(sr_http_ctx_t *ctx, const sr_request_t *req, const char *norm)
{
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(ctx->server), req->vhost);
    if (!v || !v->hls || !v->hls->is_enabled || !sr_edge_config(ctx->server, req->vhost)) {
        return;
    }
    sr_utime_t fragment_us = (sr_utime_t)(v->hls->fragment_s * SR_UTIME_S);
    int rc = sr_edge_hold(ctx->server, req, 3 * fragment_us + SR_EDGE_LINGER_US, SR_EDGE_AWAIT_US);
    if (rc != SR_OK) {
        sr_err_clear(); /* nothing to wait for: the request gets the file or a 404 */
        return;
    }
    /* The HLS sink writes the playlist once the first segment is cut; polling for the
     * file keeps the sink unaware of HTTP, and it happens only for a pulled stream's
     * first requests. */
    const char *root = sr_server_config(ctx->server)->http_server.dir;
    char file[PATH_MAX];
    sr_utime_t deadline = sr_time_mono_us() + 2 * fragment_us + SR_EDGE_AWAIT_US;
    while (sr_http_static_resolve(root, norm, file, sizeof(file)) != SR_OK && sr_time_mono_us() < deadline) {
        sr_err_clear();
        if (sr_usleep(200 * SR_UTIME_MS) != SR_OK) {
            break; /* the server is stopping */
        }
    }
    sr_err_clear();
}

/* An HLS request is a play of the stream its path names: SR_OK when the client may
 * play it, else -SR_ESECURITY_DENIED. On an edge the stream is pulled for it. */
static int sr_http_static_hls_play(sr_http_ctx_t *ctx, const char *norm)
{
    char vhost[SR_REQUEST_VHOST_MAX + 1];
    const char *path = norm;
    sr_http_static_hls_vhost(ctx, &path, vhost, sizeof(vhost));
    /* the stream's vhost: a Host that names no vhost means the default one */
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(ctx->server), vhost);
    if (v) {
        snprintf(vhost, sizeof(vhost), "%s", v->name);
    }
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    sr_request_t req;
    sr_request_init(&req);
    sr_request_set(&req, SR_REQUEST_SCHEMA, "http");
    sr_request_set(&req, SR_REQUEST_VHOST, "%s", vhost);
    sr_request_set(&req, SR_REQUEST_APP, "%.*s", slash > path ? (int)(slash - path - 1) : 0, path + 1);
    sr_request_set(&req, SR_REQUEST_STREAM, "%.*s", (int)(dot - slash - 1), slash + 1);
    sr_request_set(&req, SR_REQUEST_IP, "%s", ctx->client->ip);
    const char *referer = sr_http_request_header(ctx->req, "Referer");
    sr_request_set(&req, SR_REQUEST_PAGE_URL, "%s", referer ? referer : "");
    int rc = sr_security_admit(ctx->server, &req, SR_ACCESS_PLAY);
    if (rc == SR_OK && sr_http_static_is_playlist(norm)) {
        /* only a playlist names its stream (segments' names follow hls_ts_file); live
         * players ask for it every segment */
        sr_http_static_hls_edge(ctx, &req, norm);
    }
    sr_request_deinit(&req);
    return rc;
}

/* ---- HLS files from memory (sr_hls_store.h) ---- */

/* Answer from a body the store holds under key, with the validators of its file on disk
 * (mtime_ns and the size). A segment whose file the store keeps open goes out with
 * sendfile on plain HTTP (no copy through user space: the bench measured 15-40% more
 * requests per CPU-second); anything else with headers and body in one writev. body is
 * borrowed. May yield. */
static int sr_http_static_send_memory(sr_http_ctx_t *ctx, const char *norm, const char *key, const sr_payload_t *body,
                                      int64_t mtime_ns)
{
    const sr_http_request_t *req = ctx->req;
    struct stat st = {.st_size = (off_t)body->size};
    st.st_mtim.tv_sec = (time_t)(mtime_ns / 1000000000);
    st.st_mtim.tv_nsec = (long)(mtime_ns % 1000000000);
    sr_http_static_range_t r;
    const char *range_h = sr_http_static_if_range_holds(req, &st) ? sr_http_request_header(req, "Range") : NULL;
    if (sr_http_static_parse_range(range_h, body->size, &r) < 0) {
        return sr_http_static_unsatisfiable(ctx, body->size);
    }
    sr_http_response_t resp;
    sr_http_response_init(&resp, ctx->io, req);
    int64_t len = sr_http_static_prepare(ctx, &resp, norm, &st, &r);
    bool is_sendfile = len > 0 && !resp.is_head && !ctx->is_tls;
    int fd = is_sendfile ? sr_hls_store_dup_fd(sr_hls_store_default(), key, sr_time_mono_us()) : -1;
    int rc;
    if (fd >= 0) {
        rc = sr_http_response_write_header(&resp, len);
        rc = rc == SR_OK ? sr_http_static_send_body(ctx, &resp, fd, &r) : rc;
        rc = rc == SR_OK ? sr_http_response_end(&resp) : rc;
        close(fd);
    } else {
        rc = sr_http_response_write_whole(&resp, body->data + r.start, (size_t)len);
    }
    return rc == SR_OK && !sr_http_response_is_keep_alive(&resp) ? -SR_EPEER_CLOSED : rc;
}

/* The store key of a normalised path under http_server.dir (sr_hls_store.h): false
 * when the store is off or the path cannot be one. */
static bool sr_http_static_memory_key(sr_http_ctx_t *ctx, const char *norm, char *key, size_t size)
{
    const sr_server_config_t *cfg = sr_server_config(ctx->server);
    /* the root's real path, resolved once per configured dir: every segment request asks */
    static char dir[PATH_MAX], root[PATH_MAX];
    if (cfg->http_server.hls_memory_cache_mb <= 0 || !sr_http_static_may_be_in_memory(norm)) {
        return false;
    }
    if (strcmp(dir, cfg->http_server.dir) != 0) {
        if (!realpath(cfg->http_server.dir, root)) {
            return false;
        }
        snprintf(dir, sizeof(dir), "%s", cfg->http_server.dir);
    }
    bool is_root = strcmp(root, "/") == 0;
    return (size_t)snprintf(key, size, "%s%s", is_root ? "" : root, norm) < size;
}

/* Whether an LL-HLS playlist at meta holds segment msn (part < 0), or part `part` of it. */
static bool sr_http_static_ll_holds(const sr_hls_store_meta_t *meta, int64_t msn, int64_t part)
{
    return meta->ll_msn > msn || (part >= 0 && meta->ll_msn == msn && meta->ll_parts > part);
}

/* A non-negative decimal query value; -1 when absent, -2 when malformed. */
static int64_t sr_http_static_query_number(const sr_http_request_t *req, const char *name)
{
    char v[24], *end = NULL;
    if (!sr_url_query_get(req->query, name, v, sizeof(v))) {
        return -1;
    }
    long long n = strtoll(v, &end, 10);
    return end == v || *end || n < 0 ? -2 : (int64_t)n;
}

/* LL-HLS waits, on what the store holds under key (*mem, *meta; both updated): a part
 * the playlist hints at but that is not written yet (EXT-X-PRELOAD-HINT), and a blocking
 * playlist reload (RFC 8216bis 6.2.5.2: _HLS_msn=M[&_HLS_part=P] until the playlist
 * holds segment M, or part P of it, for at most three target durations). Returns 0 to
 * answer with *mem (NULL: not in memory: the disk answers, e.g. when the stream ended
 * meanwhile), or an HTTP status to refuse with. May yield. */
static int sr_http_static_ll_wait(sr_http_ctx_t *ctx, const char *norm, const char *key, sr_payload_t **mem,
                                  sr_hls_store_meta_t *meta)
{
    sr_hls_store_t *store = sr_hls_store_default();
    if (!*mem) {
        sr_utime_t deadline = sr_time_mono_us() + SR_HTTP_STATIC_PART_WAIT_US;
        while (sr_hls_store_is_expected(store, key, sr_time_mono_us()) &&
               sr_hls_store_wait(store, key, deadline) == SR_OK) {
        }
        *mem = sr_hls_store_get(store, key, sr_time_mono_us(), meta);
        return 0;
    }
    int64_t msn = sr_http_static_query_number(ctx->req, "_HLS_msn");
    int64_t part = sr_http_static_query_number(ctx->req, "_HLS_part");
    if (!sr_http_static_is_playlist(norm) || meta->ll_msn < 0 || msn == -1) {
        return 0;
    }
    if (msn == -2 || part == -2 || msn > meta->ll_msn + 1) {
        return 400; /* further than two segments past the last complete one */
    }
    sr_utime_t deadline = sr_time_mono_us() + (sr_utime_t)meta->ll_hold_ms * SR_UTIME_MS;
    while (!sr_http_static_ll_holds(meta, msn, part)) {
        int rc = sr_hls_store_wait(store, key, deadline);
        sr_payload_unref(*mem);
        *mem = sr_hls_store_get(store, key, sr_time_mono_us(), meta);
        if (!*mem) {
            return 0;
        }
        if (rc != SR_OK && !sr_http_static_ll_holds(meta, msn, part)) {
            return 503; /* the stream is stalled (or the server stops): the player retries */
        }
    }
    return 0;
}

/* _HLS_skip=YES (or v2: we skip no date ranges, having none) on an LL-HLS playlist: its
 * Playlist Delta Update (RFC 8216bis 6.2.5.1), which the HLS sink keeps beside it in the
 * same state (both are put without a yield between), in place of *mem. */
static void sr_http_static_ll_delta(sr_http_ctx_t *ctx, const char *key, sr_payload_t **mem, sr_hls_store_meta_t *meta)
{
    char v[8], delta[PATH_MAX + 2048 + sizeof(SR_HLS_STORE_DELTA_SUFFIX)];
    if (!sr_url_query_get(ctx->req->query, "_HLS_skip", v, sizeof(v)) ||
        (strcmp(v, "YES") != 0 && strcmp(v, "v2") != 0)) {
        return;
    }
    snprintf(delta, sizeof(delta), "%s%s", key, SR_HLS_STORE_DELTA_SUFFIX);
    sr_payload_t *d = sr_hls_store_get(sr_hls_store_default(), delta, sr_time_mono_us(), meta);
    if (d) {
        sr_payload_unref(*mem);
        *mem = d;
    }
}

int sr_http_static_serve(sr_http_ctx_t *ctx)
{
    const sr_http_request_t *req = ctx->req;
    if (strcmp(req->method_name, "GET") != 0 && strcmp(req->method_name, "HEAD") != 0) {
        return sr_http_conn_reply(ctx, 405, "text/plain; charset=utf-8", "405 Method Not Allowed\n", 23, false);
    }
    char norm[2048], file[PATH_MAX];
    if (sr_http_path_normalize(req->path, norm, sizeof(norm)) != SR_OK) {
        return sr_http_conn_reply(ctx, 400, "text/plain; charset=utf-8", "400 Bad Request\n", 16, false);
    }
    if (sr_http_static_is_hls(norm) && sr_http_static_hls_play(ctx, norm) != SR_OK) {
        sr_warn("http hls %s denied: %s", norm, sr_err_trail());
        sr_err_clear();
        return sr_http_conn_reply(ctx, 403, "text/plain; charset=utf-8", "403 Forbidden\n", 14, false);
    }
    sr_hls_store_meta_t meta;
    char key[PATH_MAX + 2048];
    bool has_key = sr_http_static_memory_key(ctx, norm, key, sizeof(key));
    sr_payload_t *mem = has_key ? sr_hls_store_get(sr_hls_store_default(), key, sr_time_mono_us(), &meta) : NULL;
    int refused = has_key ? sr_http_static_ll_wait(ctx, norm, key, &mem, &meta) : 0;
    if (refused) {
        sr_payload_unref(mem);
        const char *text = refused == 400 ? "400 Bad Request\n" : "503 Service Unavailable\n";
        return sr_http_conn_reply(ctx, refused, "text/plain; charset=utf-8", text, strlen(text), false);
    }
    if (mem && meta.ll_msn >= 0) {
        sr_http_static_ll_delta(ctx, key, &mem, &meta);
    }
    if (mem) {
        int rc = sr_http_static_send_memory(ctx, norm, key, mem, meta.mtime_ns); /* the reference outlives the writes */
        sr_payload_unref(mem);
        return rc;
    }
    struct stat st;
    bool is_dir_redirect = false;
    int fd = sr_http_static_open(ctx, norm, file, sizeof(file), &st, &is_dir_redirect);
    if (is_dir_redirect) {
        return sr_http_static_redirect_dir(ctx);
    }
    if (fd < 0) {
        sr_info("http static 404: %s", sr_err_trail());
        return sr_http_conn_reply(ctx, 404, "text/plain; charset=utf-8", "404 Not Found\n", 14, false);
    }
    sr_http_static_range_t range;
    const char *range_h = sr_http_static_if_range_holds(req, &st) ? sr_http_request_header(req, "Range") : NULL;
    if (sr_http_static_parse_range(range_h, st.st_size, &range) < 0) {
        close(fd);
        return sr_http_static_unsatisfiable(ctx, st.st_size);
    }
    sr_http_response_t resp;
    sr_http_response_init(&resp, ctx->io, req);
    int64_t len = sr_http_static_prepare(ctx, &resp, file, &st, &range);
    int rc = sr_http_response_write_header(&resp, len);
    if (rc == SR_OK && len > 0 && !resp.is_head) {
        rc = sr_http_static_send_body(ctx, &resp, fd, &range);
    }
    close(fd);
    if (rc == SR_OK) {
        rc = sr_http_response_end(&resp);
    }
    return rc == SR_OK && !sr_http_response_is_keep_alive(&resp) ? -SR_EPEER_CLOSED : rc;
}
