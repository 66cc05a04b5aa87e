/* SPDX-License-Identifier: MIT */
/*
 * sr_srt_streamid.c: the SRT access control syntax ("#!::" then comma-separated
 * key=value pairs, SRT's AccessControl.md) as SRS reads it, and the plain forms.
 */
#include "sr_srt_streamid.h"

#include <stdio.h>
#include <string.h>

#include "sr_error.h"

#define SR_SRT_STREAMID_PREFIX "#!::"

/* Copy s[0..n) into out (size bytes with the NUL). */
static int sr_srt_streamid_copy(char *out, size_t size, const char *s, size_t n)
{
    if (n >= size) {
        return -SR_ENAME_TOO_LONG;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return SR_OK;
}

/* A name a stream can have: printable, no "..", not starting with '/'. */
static bool sr_srt_streamid_is_name(const char *s)
{
    if (s[0] == '/' || strstr(s, "..")) {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            return false;
        }
    }
    return true;
}

/* APP/STREAM[?query] or STREAM[?query] into out; the query joins the parameters. */
static int sr_srt_streamid_resource(const char *r, size_t n, const char *default_app, sr_srt_streamid_t *out)
{
    const char *q = memchr(r, '?', n);
    size_t path_len = q ? (size_t)(q - r) : n;
    int rc = SR_OK;
    if (q && q + 1 < r + n) {
        size_t have = strlen(out->param);
        size_t qlen = n - path_len - 1;
        if (have + qlen + 2 > sizeof(out->param)) {
            return -SR_ENAME_TOO_LONG;
        }
        out->param[have] = have ? '&' : '?';
        memcpy(out->param + have + 1, q + 1, qlen);
        out->param[have + 1 + qlen] = '\0';
    }
    const char *slash = NULL;
    for (size_t i = path_len; i-- > 0;) {
        if (r[i] == '/') {
            slash = r + i;
            break;
        }
    }
    if (slash) {
        rc = sr_srt_streamid_copy(out->app, sizeof(out->app), r, (size_t)(slash - r));
        rc = rc ? rc
                : sr_srt_streamid_copy(out->stream, sizeof(out->stream), slash + 1, path_len - (size_t)(slash - r) - 1);
    } else {
        rc = sr_srt_streamid_copy(out->app, sizeof(out->app), default_app, strlen(default_app));
        rc = rc ? rc : sr_srt_streamid_copy(out->stream, sizeof(out->stream), r, path_len);
    }
    return rc;
}

/* Append "k=v" to the parameters. */
static int sr_srt_streamid_param(sr_srt_streamid_t *out, const char *kv, size_t n)
{
    size_t have = strlen(out->param);
    if (have + n + 2 > sizeof(out->param)) {
        return -SR_ENAME_TOO_LONG;
    }
    out->param[have] = have ? '&' : '?';
    memcpy(out->param + have + 1, kv, n);
    out->param[have + 1 + n] = '\0';
    return SR_OK;
}

/* One key=value of the access control syntax; r= and h= are kept in *resource and *host. */
static int sr_srt_streamid_pair(const char *kv, size_t n, sr_srt_streamid_t *out, const char **resource,
                                size_t *resource_len, const char **host, size_t *host_len)
{
    const char *eq = memchr(kv, '=', n);
    if (!eq || eq == kv) {
        return -SR_EFORMAT;
    }
    size_t klen = (size_t)(eq - kv), vlen = n - klen - 1;
    const char *v = eq + 1;
    if (klen == 1 && kv[0] == 'r') {
        *resource = v, *resource_len = vlen;
    } else if (klen == 1 && kv[0] == 'h') {
        *host = v, *host_len = vlen;
    } else if (klen == 1 && kv[0] == 'm') {
        if (vlen == 7 && memcmp(v, "publish", 7) == 0) {
            out->is_publish = true;
        } else if (!(vlen == 7 && memcmp(v, "request", 7) == 0)) {
            return -SR_EFORMAT; /* SRT also defines bidirectional: not a live stream's */
        }
    } else {
        return sr_srt_streamid_param(out, kv, n);
    }
    return SR_OK;
}

static int sr_srt_streamid_pairs(const char *s, size_t len, const char *default_app, sr_srt_streamid_t *out)
{
    const char *resource = NULL, *host = NULL;
    size_t resource_len = 0, host_len = 0;
    for (size_t pos = 0; pos < len;) {
        const char *comma = memchr(s + pos, ',', len - pos);
        size_t n = comma ? (size_t)(comma - (s + pos)) : len - pos;
        int rc = n ? sr_srt_streamid_pair(s + pos, n, out, &resource, &resource_len, &host, &host_len) : SR_OK;
        if (rc != SR_OK) {
            return rc;
        }
        pos += n + 1;
    }
    /* legacy: h=APP/STREAM names the stream when there is no r= */
    if (!resource && host && memchr(host, '/', host_len)) {
        resource = host, resource_len = host_len;
        host = NULL;
    }
    if (host) {
        int rc = sr_srt_streamid_copy(out->vhost, sizeof(out->vhost), host, host_len);
        if (rc != SR_OK) {
            return rc;
        }
    }
    return resource ? sr_srt_streamid_resource(resource, resource_len, default_app, out) : -SR_EFORMAT;
}

int sr_srt_streamid_parse(const char *id, size_t len, const char *default_app, sr_srt_streamid_t *out)
{
    memset(out, 0, sizeof(*out));
    if (memchr(id, '\0', len)) {
        return -SR_EFORMAT; /* a NUL would cut the name short: another stream */
    }
    size_t plen = strlen(SR_SRT_STREAMID_PREFIX);
    int rc = len >= plen && memcmp(id, SR_SRT_STREAMID_PREFIX, plen) == 0
                 ? sr_srt_streamid_pairs(id + plen, len - plen, default_app, out)
                 : sr_srt_streamid_resource(id, len, default_app, out);
    if (rc != SR_OK) {
        return rc;
    }
    bool is_named = out->stream[0] && out->app[0] && sr_srt_streamid_is_name(out->app) &&
                    sr_srt_streamid_is_name(out->stream) && sr_srt_streamid_is_name(out->vhost) &&
                    !strchr(out->stream, '/');
    return is_named ? SR_OK : -SR_EFORMAT;
}
