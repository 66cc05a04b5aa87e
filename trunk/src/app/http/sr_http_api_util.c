/* SPDX-License-Identifier: MIT */
/*
 * sr_http_api_util.c: the pure helpers of the HTTP API module (declared in
 * sr_http_api_internal.h): Basic auth (over core/sr_base64), paging, ids and codec
 * names, the /proc text parsers, and Prometheus label escaping. No IO but the small /proc file
 * reader, no coroutines, no server state: the unit tests drive all of it with text.
 */
#include "sr_http_api_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sr_base64.h"
#include "sr_error.h"
#include "sr_url.h"

/* ---- Basic auth ---- */

/* Compare every byte of the longer string, so timing says little about the secret. */
static bool sr_http_api_equal_slow(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t n = SR_MAX(la, lb);
    unsigned diff = (unsigned)(la != lb);
    for (size_t i = 0; i < n; i++) {
        unsigned char ca = i < la ? (unsigned char)a[i] : 0;
        unsigned char cb = i < lb ? (unsigned char)b[i] : 0;
        diff |= (unsigned)(ca ^ cb);
    }
    return diff == 0;
}

bool sr_http_api__basic_auth_ok(const char *authorization, const char *username, const char *password)
{
    if (!authorization || strncasecmp(authorization, "Basic ", 6) != 0) {
        return false;
    }
    const char *p = authorization + 6;
    while (*p == ' ') {
        p++;
    }
    char decoded[512];
    size_t n_decoded;
    size_t len = strlen(p);
    if (len >= sizeof(decoded) ||
        sr_base64_decode(p, len, (uint8_t *)decoded, sizeof(decoded) - 1, &n_decoded) != SR_OK) {
        return false;
    }
    decoded[n_decoded] = '\0';
    char want[512];
    int n = snprintf(want, sizeof(want), "%s:%s", username, password);
    if (n < 0 || (size_t)n >= sizeof(want)) {
        return false;
    }
    return sr_http_api_equal_slow(decoded, want);
}

/* ---- paging, names, ids ---- */

/* A decimal query value, or def when absent or not a number. */
static long sr_http_api_query_long(const char *query, const char *key, long def)
{
    char v[32];
    if (!query || !sr_url_query_get(query, key, v, sizeof(v)) || !v[0]) {
        return def;
    }
    char *end = NULL;
    long n = strtol(v, &end, 10);
    return *end == '\0' ? n : def;
}

void sr_http_api__parse_page(const char *query, int *start, int *count)
{
    long s = sr_http_api_query_long(query, "start", 0);
    long c = sr_http_api_query_long(query, "count", SR_HTTP_API_DEFAULT_COUNT);
    *start = (int)SR_MIN(SR_MAX(s, 0L), (long)SR_HTTP_API_MAX_COUNT * 100);
    *count = (int)SR_MIN(SR_MAX(c, 1L), (long)SR_HTTP_API_MAX_COUNT);
}

bool sr_http_api__is_jsonp_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) {
        return false;
    }
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                  c == '$';
        if (!ok) {
            return false;
        }
    }
    return true;
}

void sr_http_api__vhost_id(const char *name, char *out, size_t size)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h = (h ^ *p) * 16777619u;
    }
    snprintf(out, size, "vid-%07x", (unsigned)(h & 0xfffffff));
}

/* ---- /proc parsers ---- */

int sr_http_api__parse_proc_self_stat(const char *text, sr_proc_self_t *out)
{
    /* "pid (comm) state ppid ...": comm may hold spaces and ')', so start after the last ')'. */
    const char *p = strrchr(text, ')');
    if (!p) {
        return -SR_EFORMAT;
    }
    char state = 0;
    unsigned long long f[24] = {0};
    /* fields 3..24 of proc(5): state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
     * cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss */
    int n = sscanf(p + 1,
                   " %c %llu %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu %*s %*s %*s %*s %*s %*s "
                   "%llu %*s %llu",
                   &state, &f[0], &f[1], &f[2], &f[3], &f[4]);
    if (n != 6) {
        return -SR_EFORMAT;
    }
    out->ppid = (int)f[0];
    out->utime_ticks = f[1];
    out->stime_ticks = f[2];
    out->start_ticks = f[3];
    out->rss_pages = f[4];
    return SR_OK;
}

int sr_http_api__parse_proc_stat(const char *text, sr_proc_cpu_t *out)
{
    unsigned long long v[8] = {0};
    const char *p = strncmp(text, "cpu ", 4) == 0 ? text : strstr(text, "\ncpu ");
    if (!p) {
        return -SR_EFORMAT;
    }
    p += (*p == '\n') ? 5 : 4;
    /* user nice system idle iowait irq softirq steal (older kernels stop after iowait) */
    int n =
        sscanf(p, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
    if (n < 4) {
        return -SR_EFORMAT;
    }
    out->busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    out->total = out->busy + v[3] + v[4];
    return SR_OK;
}

/* The kB value of "key:" at the start of a line of /proc/meminfo, or false. */
static bool sr_http_api_meminfo_get(const char *text, const char *key, uint64_t *out)
{
    size_t klen = strlen(key);
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            unsigned long long v = 0;
            if (sscanf(line + klen + 1, " %llu", &v) == 1) {
                *out = v;
                return true;
            }
            return false;
        }
    }
    return false;
}

int sr_http_api__parse_meminfo(const char *text, sr_proc_meminfo_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!sr_http_api_meminfo_get(text, "MemTotal", &out->total_kb) ||
        !sr_http_api_meminfo_get(text, "MemFree", &out->free_kb)) {
        return -SR_EFORMAT;
    }
    sr_http_api_meminfo_get(text, "MemAvailable", &out->available_kb);
    sr_http_api_meminfo_get(text, "Buffers", &out->buffers_kb);
    sr_http_api_meminfo_get(text, "Cached", &out->cached_kb);
    sr_http_api_meminfo_get(text, "SwapTotal", &out->swap_total_kb);
    sr_http_api_meminfo_get(text, "SwapFree", &out->swap_free_kb);
    return SR_OK;
}

int sr_http_api__parse_loadavg(const char *text, double load[3])
{
    return sscanf(text, "%lf %lf %lf", &load[0], &load[1], &load[2]) == 3 ? SR_OK : -SR_EFORMAT;
}

int sr_http_api__parse_uptime(const char *text, double *uptime_s, double *idle_s)
{
    return sscanf(text, "%lf %lf", uptime_s, idle_s) == 2 ? SR_OK : -SR_EFORMAT;
}

/* The number after word in the line starting with prefix, or -1. */
static int64_t sr_http_api_line_value(const char *text, const char *prefix, const char *word)
{
    size_t plen = strlen(prefix);
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, prefix, plen) != 0) {
            continue;
        }
        const char *eol = strchr(line, '\n');
        const char *w = strstr(line + plen, word);
        long long v = 0;
        if (w && (!eol || w < eol) && sscanf(w + strlen(word), " %lld", &v) == 1) {
            return v;
        }
        return -1;
    }
    return -1;
}

int sr_http_api__parse_sockstat(const char *text, sr_proc_sockstat_t *out)
{
    out->sockets_used = sr_http_api_line_value(text, "sockets:", " used");
    out->tcp_inuse = sr_http_api_line_value(text, "TCP:", " inuse");
    out->tcp_tw = sr_http_api_line_value(text, "TCP:", " tw");
    out->udp_inuse = sr_http_api_line_value(text, "UDP:", " inuse");
    return out->sockets_used >= 0 && out->tcp_inuse >= 0 ? SR_OK : -SR_EFORMAT;
}

int sr_http_api__parse_netdev(const char *text, sr_proc_netdev_t *out)
{
    memset(out, 0, sizeof(*out));
    int devices = 0;
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        const char *colon = strchr(line, ':');
        const char *eol = strchr(line, '\n');
        if (!colon || (eol && colon > eol)) {
            continue; /* the two header lines */
        }
        char name[32];
        const char *b = line;
        while (*b == ' ') {
            b++;
        }
        snprintf(name, sizeof(name), "%.*s", (int)SR_MIN((size_t)(colon - b), sizeof(name) - 1), b);
        unsigned long long rx = 0, tx = 0;
        if (sscanf(colon + 1, "%llu %*s %*s %*s %*s %*s %*s %*s %llu", &rx, &tx) != 2) {
            return -SR_EFORMAT;
        }
        bool is_lo = strcmp(name, "lo") == 0;
        *(is_lo ? &out->lo_recv_bytes : &out->recv_bytes) += rx;
        *(is_lo ? &out->lo_send_bytes : &out->send_bytes) += tx;
        devices++;
    }
    return devices > 0 ? SR_OK : -SR_EFORMAT;
}

double sr_http_api__cpu_ratio(const sr_proc_cpu_t *a, const sr_proc_cpu_t *b)
{
    if (b->total <= a->total || b->busy < a->busy) {
        return 0;
    }
    return (double)(b->busy - a->busy) / (double)(b->total - a->total);
}

int sr_http_api__read_file(const char *path, char *out, size_t size, size_t *len)
{
    /* procfs files are generated in memory: these reads do not wait for a disk. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -SR_EFILE_OPEN;
    }
    size_t n = 0;
    while (n + 1 < size) {
        ssize_t r = read(fd, out + n, size - 1 - n);
        if (r <= 0) {
            break;
        }
        n += (size_t)r;
    }
    close(fd);
    out[n] = '\0';
    if (len) {
        *len = n;
    }
    return n > 0 ? SR_OK : -SR_EFILE_READ;
}

/* ---- Prometheus ---- */

/* Length of the valid UTF-8 sequence at p (RFC 3629), or 0. */
static size_t sr_http_api_utf8_len(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80) {
        return 1;
    }
    size_t n = (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3 : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    /* overlongs and surrogates of the 3/4-byte forms, and code points over U+10FFFF */
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) || (c == 0xf0 && p[1] < 0x90) ||
        (c == 0xf4 && p[1] > 0x8f)) {
        return 0;
    }
    return n;
}

void sr_http_api__prom_escape(sr_buf_t *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p == '\\' || *p == '"') {
            sr_buf_put_u8(out, '\\');
            sr_buf_put_u8(out, *p++);
        } else if (*p == '\n') {
            sr_buf_put_str(out, "\\n");
            p++;
        } else {
            size_t n = sr_http_api_utf8_len(p);
            if (n == 0) {
                sr_buf_put_str(out, "\xef\xbf\xbd"); /* U+FFFD */
                n = 1;
            } else {
                sr_buf_put_bytes(out, p, n);
            }
            p += n;
        }
    }
}
