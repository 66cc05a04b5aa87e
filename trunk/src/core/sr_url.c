/* SPDX-License-Identifier: MIT */
#include "sr_url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"

static int sr_url_copy(char *dst, size_t size, const char *src, size_t n)
{
    if (n >= size) {
        return -SR_EINVAL;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return SR_OK;
}

static int sr_url_parse_authority(const char *p, size_t n, sr_url_t *out)
{
    const char *at = memchr(p, '@', n); /* drop user:pass@ */
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    const char *port = NULL;
    if (n > 0 && p[0] == '[') {
        const char *close = memchr(p, ']', n);
        if (!close || sr_url_copy(out->host, sizeof(out->host), p + 1, (size_t)(close - p - 1)) != SR_OK) {
            return -SR_EINVAL;
        }
        if ((size_t)(close + 1 - p) < n) {
            if (close[1] != ':') {
                return -SR_EINVAL;
            }
            port = close + 2;
        }
    } else {
        const char *colon = memchr(p, ':', n);
        size_t hn = colon ? (size_t)(colon - p) : n;
        if (sr_url_copy(out->host, sizeof(out->host), p, hn) != SR_OK) {
            return -SR_EINVAL;
        }
        port = colon ? colon + 1 : NULL;
    }
    if (port) {
        size_t pn = n - (size_t)(port - p);
        if (pn == 0 || pn > 5) {
            return -SR_EINVAL;
        }
        int v = 0;
        for (size_t i = 0; i < pn; i++) {
            if (!isdigit((unsigned char)port[i])) {
                return -SR_EINVAL;
            }
            v = v * 10 + (port[i] - '0');
        }
        if (v <= 0 || v > 65535) {
            return -SR_EINVAL;
        }
        out->port = v;
    }
    return out->host[0] ? SR_OK : -SR_EINVAL;
}

int sr_url_parse(const char *url, sr_url_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *sep = strstr(url, "://");
    if (!sep || sr_url_copy(out->scheme, sizeof(out->scheme), url, (size_t)(sep - url)) != SR_OK || sep == url) {
        return -SR_EINVAL;
    }
    const char *auth = sep + 3;
    size_t an = strcspn(auth, "/?");
    if (sr_url_parse_authority(auth, an, out) != SR_OK) {
        return -SR_EINVAL;
    }
    const char *rest = auth + an;
    if (*rest == '/') {
        rest++;
    }
    const char *q = strchr(rest, '?');
    size_t pn = q ? (size_t)(q - rest) : strlen(rest);
    if (sr_url_copy(out->path, sizeof(out->path), rest, pn) != SR_OK) {
        return -SR_EINVAL;
    }
    if (q && sr_url_copy(out->query, sizeof(out->query), q + 1, strlen(q + 1)) != SR_OK) {
        return -SR_EINVAL;
    }
    return SR_OK;
}

bool sr_url_query_get(const char *query, const char *key, char *out, size_t out_size)
{
    size_t klen = strlen(key);
    const char *p = query;
    while (*p == '?' || *p == '&') {
        p++;
    }
    while (*p) {
        size_t n = strcspn(p, "&");
        if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t vn = n - klen - 1;
            if (out_size > 0) {
                vn = SR_MIN(vn, out_size - 1);
                memcpy(out, p + klen + 1, vn);
                out[vn] = '\0';
            }
            return true;
        }
        if (n == klen && strncmp(p, key, klen) == 0) {
            if (out_size > 0) {
                out[0] = '\0';
            }
            return true;
        }
        p += n;
        while (*p == '&') {
            p++;
        }
    }
    return false;
}

void sr_url_split_query(const char *s, char *name_out, size_t name_size, char *query_out, size_t query_size)
{
    const char *q = strchr(s, '?');
    size_t n = q ? (size_t)(q - s) : strlen(s);
    if (name_out && name_size) {
        snprintf(name_out, name_size, "%.*s", (int)n, s);
    }
    if (query_out && query_size) {
        snprintf(query_out, query_size, "%s", q ? q : "");
    }
}

static int sr_url_hex(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

int sr_url_decode(const char *src, char *dst, size_t dst_size)
{
    size_t o = 0;
    for (const char *p = src; *p; p++) {
        char c = *p;
        if (c == '%') {
            int h = sr_url_hex(p[1]);
            int l = h < 0 ? -1 : sr_url_hex(p[2]);
            if (l < 0) {
                return -SR_EINVAL;
            }
            c = (char)(h * 16 + l);
            p += 2;
        }
        if (o + 1 >= dst_size) {
            return -SR_EINVAL;
        }
        dst[o++] = c;
    }
    if (dst_size == 0) {
        return -SR_EINVAL;
    }
    dst[o] = '\0';
    return SR_OK;
}
