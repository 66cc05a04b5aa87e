/* SPDX-License-Identifier: MIT */
/*
 * sr_m3u8.c: the media playlist of sr_m3u8.h. Tag references are to RFC 8216
 * section 4.3 (playlist tags) and 6.2 (server responsibilities).
 */
#include "sr_m3u8.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sr_alloc.h"
#include "sr_error.h"

void sr_m3u8_init(sr_m3u8_t *pl)
{
    memset(pl, 0, sizeof(*pl));
}

void sr_m3u8_deinit(sr_m3u8_t *pl)
{
    sr_free(pl->entries);
    memset(pl, 0, sizeof(*pl));
}

sr_m3u8_entry_t *sr_m3u8_append(sr_m3u8_t *pl, const char *uri, double duration_s, bool is_discontinuity)
{
    if (pl->count == pl->_cap) {
        pl->_cap = pl->_cap ? pl->_cap * 2 : 16;
        pl->entries = sr_realloc(pl->entries, pl->_cap * sizeof(*pl->entries));
    }
    sr_m3u8_entry_t *e = &pl->entries[pl->count++];
    e->duration_s = duration_s;
    e->is_discontinuity = is_discontinuity;
    e->program_date_ms = 0;
    e->map_uri[0] = '\0';
    memset(&e->parts, 0, sizeof(e->parts));
    snprintf(e->uri, sizeof(e->uri), "%s", uri);
    return e;
}

bool sr_m3u8_shift(sr_m3u8_t *pl, sr_m3u8_entry_t *removed)
{
    if (pl->count == 0) {
        return false;
    }
    if (removed) {
        *removed = pl->entries[0];
    }
    if (pl->entries[0].is_discontinuity) {
        pl->discontinuity_sequence++;
    }
    memmove(pl->entries, pl->entries + 1, (pl->count - 1) * sizeof(*pl->entries));
    pl->count--;
    pl->media_sequence++;
    return true;
}

uint64_t sr_m3u8_next_sequence(const sr_m3u8_t *pl)
{
    return pl->media_sequence + pl->count;
}

double sr_m3u8_total_s(const sr_m3u8_t *pl)
{
    double t = 0;
    for (size_t i = 0; i < pl->count; i++) {
        t += pl->entries[i].duration_s;
    }
    return t;
}

int sr_m3u8_target_duration(const sr_m3u8_t *pl, double min_s)
{
    double max = min_s;
    for (size_t i = 0; i < pl->count; i++) {
        max = SR_MAX(max, pl->entries[i].duration_s);
    }
    /* RFC 8216 4.3.3.1: every EXTINF rounded to the nearest integer must not exceed it;
     * the ceiling also holds for durations like 2.0004 printed as "2.000". */
    max = SR_MIN(max, (double)INT_MAX); /* appended durations are ours, but stay defined */
    int t = (int)ceil(max - 0.0005);
    return SR_MAX(t, 1);
}

void sr_m3u8_part_uri(const char *uri, uint32_t k, char *out, size_t size)
{
    const char *dot = strrchr(uri, '.');
    const char *slash = strrchr(uri, '/');
    if (!dot || (slash && dot < slash)) {
        snprintf(out, size, "%s.%u", uri, k);
        return;
    }
    snprintf(out, size, "%.*s.%u%s", (int)(dot - uri), uri, k, dot);
}

/* The tags before a segment's parts and URI: discontinuity, map (where it changes or
 * after a discontinuity: a new publish rewrote the init segment), program date. */
static void sr_m3u8_encode_tags(const sr_m3u8_entry_t *e, const sr_m3u8_entry_t *prev, const char *prefix,
                                sr_buf_t *out)
{
    if (e->is_discontinuity) {
        sr_buf_put_str(out, "#EXT-X-DISCONTINUITY\n");
    }
    if (e->map_uri[0] && (!prev || e->is_discontinuity || strcmp(e->map_uri, prev->map_uri) != 0)) {
        sr_buf_printf(out, "#EXT-X-MAP:URI=\"%s%s\"\n", prefix, e->map_uri);
    }
    if (e->program_date_ms > 0) {
        char date[40];
        sr_m3u8_format_date(e->program_date_ms, date, sizeof(date));
        sr_buf_printf(out, "#EXT-X-PROGRAM-DATE-TIME:%s\n", date);
    }
}

static void sr_m3u8_encode_parts(const sr_m3u8_entry_t *e, const char *prefix, sr_buf_t *out)
{
    for (uint32_t k = 0; k < e->parts.count && k < SR_M3U8_PARTS_MAX; k++) {
        char uri[SR_M3U8_URI_MAX + 16];
        sr_m3u8_part_uri(e->uri, k, uri, sizeof(uri));
        sr_buf_printf(out, "#EXT-X-PART:DURATION=%.3f,URI=\"%s%s\"%s\n", e->parts.duration_s[k], prefix, uri,
                      (e->parts.independent >> k) & 1 ? ",INDEPENDENT=YES" : "");
    }
}

/* The first entry whose parts are listed: those ending within three target durations of
 * the end (RFC 8216bis 6.2.2 asks for at least that much). */
static size_t sr_m3u8_first_with_parts(const sr_m3u8_t *pl, int target_duration)
{
    double tail = 0;
    size_t i = pl->count;
    while (i > 0 && tail < 3.0 * target_duration) {
        tail += pl->entries[--i].duration_s;
    }
    return i;
}

/* How many of the oldest segments a delta update skips: those that end at least the
 * Skip Boundary (CAN-SKIP-UNTIL, six target durations) before the end of the playlist
 * (the open segment's parts included). */
static size_t sr_m3u8_skippable(const sr_m3u8_t *pl, int target_duration)
{
    double tail = 0;
    for (uint32_t k = 0; pl->has_open && k < pl->open.parts.count && k < SR_M3U8_PARTS_MAX; k++) {
        tail += pl->open.parts.duration_s[k];
    }
    size_t i = pl->count;
    while (i > 0 && tail < SR_M3U8_SKIP_TARGETS * target_duration) {
        tail += pl->entries[--i].duration_s;
    }
    return i;
}

/* The playlist text with its first `skip` segments replaced by EXT-X-SKIP. */
static void sr_m3u8_encode_skipping(const sr_m3u8_t *pl, int target_duration, const char *prefix, size_t skip,
                                    sr_buf_t *out)
{
    prefix = prefix ? prefix : "";
    bool is_ll = pl->part_target_s > 0;
    bool has_map = pl->has_open && pl->open.map_uri[0];
    for (size_t i = 0; i < pl->count && !has_map; i++) {
        has_map = pl->entries[i].map_uri[0] != '\0';
    }
    sr_buf_printf(out, "#EXTM3U\n#EXT-X-VERSION:%d\n", skip ? 9 : has_map ? 6 : 3);
    sr_buf_printf(out, "#EXT-X-TARGETDURATION:%d\n", target_duration);
    if (is_ll) {
        sr_buf_printf(out, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=%.3f,CAN-SKIP-UNTIL=%d.0\n",
                      3 * pl->part_target_s, SR_M3U8_SKIP_TARGETS * target_duration);
        sr_buf_printf(out, "#EXT-X-PART-INF:PART-TARGET=%.3f\n", pl->part_target_s);
    }
    sr_buf_printf(out, "#EXT-X-MEDIA-SEQUENCE:%llu\n", (unsigned long long)pl->media_sequence);
    if (pl->discontinuity_sequence > 0) {
        sr_buf_printf(out, "#EXT-X-DISCONTINUITY-SEQUENCE:%llu\n", (unsigned long long)pl->discontinuity_sequence);
    }
    if (skip) {
        sr_buf_printf(out, "#EXT-X-SKIP:SKIPPED-SEGMENTS=%zu\n", skip);
    }
    size_t first_parts = is_ll ? sr_m3u8_first_with_parts(pl, target_duration) : pl->count;
    for (size_t i = skip; i < pl->count; i++) {
        const sr_m3u8_entry_t *e = &pl->entries[i];
        /* the first listed segment states its map again: the skipped ones are not read */
        sr_m3u8_encode_tags(e, i > skip ? &pl->entries[i - 1] : NULL, prefix, out);
        if (i >= first_parts) {
            sr_m3u8_encode_parts(e, prefix, out);
        }
        sr_buf_printf(out, "#EXTINF:%.3f,\n%s%s\n", e->duration_s, prefix, e->uri);
    }
    if (is_ll && pl->has_open) {
        const sr_m3u8_entry_t *e = &pl->open;
        if (e->parts.count > 0) {
            sr_m3u8_encode_tags(e, pl->count ? &pl->entries[pl->count - 1] : NULL, prefix, out);
            sr_m3u8_encode_parts(e, prefix, out);
        }
        char uri[SR_M3U8_URI_MAX + 16];
        sr_m3u8_part_uri(e->uri, e->parts.count, uri, sizeof(uri));
        sr_buf_printf(out, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"%s%s\"\n", prefix, uri);
    }
}

void sr_m3u8_encode(const sr_m3u8_t *pl, int target_duration, const char *prefix, sr_buf_t *out)
{
    sr_m3u8_encode_skipping(pl, target_duration, prefix, 0, out);
}

void sr_m3u8_encode_delta(const sr_m3u8_t *pl, int target_duration, const char *prefix, sr_buf_t *out)
{
    bool is_ll = pl->part_target_s > 0;
    sr_m3u8_encode_skipping(pl, target_duration, prefix, is_ll ? sr_m3u8_skippable(pl, target_duration) : 0, out);
}

/* ---- dates ---- */

void sr_m3u8_format_date(int64_t ms, char *out, size_t size)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[24];
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%03dZ", day, (int)(ms % 1000));
}

/* n decimal digits at s into *out. */
static bool sr_m3u8_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The zone designator at s: "Z", "+hh:mm", "-hh:mm", "+hhmm" or "-hhmm", as seconds east. */
static bool sr_m3u8_zone(const char *s, int *east_s)
{
    if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0) {
        *east_s = 0;
        return true;
    }
    int hh, mm;
    size_t len = strlen(s);
    bool has_colon = len == 6 && s[3] == ':';
    if ((s[0] != '+' && s[0] != '-') || (len != 5 && !has_colon) || !sr_m3u8_digits(s + 1, 2, &hh) ||
        !sr_m3u8_digits(s + (has_colon ? 4 : 3), 2, &mm) || hh > 23 || mm > 59) {
        return false;
    }
    *east_s = (s[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
    return true;
}

bool sr_m3u8_parse_date(const char *s, int64_t *ms)
{
    int f[6];
    static const int at[6] = {0, 5, 8, 11, 14, 17}, width[6] = {4, 2, 2, 2, 2, 2};
    static const char sep[6] = {'-', '-', 'T', ':', ':', '\0'};
    for (int i = 0; i < 6; i++) {
        if (!sr_m3u8_digits(s + at[i], width[i], &f[i]) || (sep[i] && s[at[i] + width[i]] != sep[i])) {
            return false;
        }
    }
    if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60) {
        return false;
    }
    const char *p = s + 19;
    int frac_ms = 0;
    if (*p == '.') {
        int scale = 100;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10) {
            frac_ms += (*p - '0') * scale;
        }
    }
    int east_s;
    if (!sr_m3u8_zone(p, &east_s)) {
        return false;
    }
    struct tm tm = {
        .tm_year = f[0] - 1900, .tm_mon = f[1] - 1, .tm_mday = f[2], .tm_hour = f[3], .tm_min = f[4], .tm_sec = f[5]};
    time_t t = timegm(&tm);
    if (t == (time_t)-1) {
        return false;
    }
    *ms = ((int64_t)t - east_s) * 1000 + frac_ms;
    return *ms > 0;
}

/* ---- reading ---- */

typedef struct sr_m3u8_reader {
    double duration_s; /* of the pending EXTINF, < 0 when none */
    bool is_discontinuity;
    int64_t program_date_ms;       /* of the pending segment, 0 when none */
    char map_uri[SR_M3U8_URI_MAX]; /* the EXT-X-MAP in force, without the prefix */
    const char *prefix;
} sr_m3u8_reader_t;

/* A segment longer than this is not one we wrote: the file is damaged. */
#define SR_M3U8_MAX_SEGMENT_S 86400.0

static bool sr_m3u8_number(const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || v < 0 || !isfinite(v) || v > SR_M3U8_MAX_SEGMENT_S) {
        return false;
    }
    *out = v;
    return true;
}

/* A URI read back, without the entry prefix it was written with. */
static const char *sr_m3u8_unprefixed(const sr_m3u8_reader_t *r, const char *uri)
{
    size_t plen = r->prefix ? strlen(r->prefix) : 0;
    return plen && strncmp(uri, r->prefix, plen) == 0 ? uri + plen : uri;
}

static int sr_m3u8_parse_line(sr_m3u8_reader_t *r, const char *line, sr_m3u8_t *pl)
{
    if (strncmp(line, "#EXTINF:", 8) == 0) {
        return sr_m3u8_number(line + 8, &r->duration_s) ? SR_OK : -SR_EFORMAT;
    }
    if (strncmp(line, "#EXT-X-MEDIA-SEQUENCE:", 22) == 0) {
        pl->media_sequence = strtoull(line + 22, NULL, 10);
    } else if (strncmp(line, "#EXT-X-DISCONTINUITY-SEQUENCE:", 30) == 0) {
        pl->discontinuity_sequence = strtoull(line + 30, NULL, 10);
    } else if (strcmp(line, "#EXT-X-DISCONTINUITY") == 0) {
        r->is_discontinuity = true;
    } else if (strncmp(line, "#EXT-X-MAP:", 11) == 0) {
        const char *at = strstr(line + 11, "URI=\"");
        const char *end = at ? strchr(at + 5, '"') : NULL;
        if (!end) {
            return -SR_EFORMAT;
        }
        char uri[SR_M3U8_URI_MAX];
        snprintf(uri, sizeof(uri), "%.*s", (int)SR_MIN(end - at - 5, SR_M3U8_URI_MAX - 1), at + 5);
        snprintf(r->map_uri, sizeof(r->map_uri), "%s", sr_m3u8_unprefixed(r, uri));
    } else if (strncmp(line, "#EXT-X-PROGRAM-DATE-TIME:", 25) == 0) {
        if (!sr_m3u8_parse_date(line + 25, &r->program_date_ms)) {
            r->program_date_ms = 0; /* the segment is still good, only undated */
        }
    } else if (line[0] != '#' && line[0] != '\0') {
        if (r->duration_s < 0) {
            return -SR_EFORMAT;
        }
        sr_m3u8_entry_t *e = sr_m3u8_append(pl, sr_m3u8_unprefixed(r, line), r->duration_s, r->is_discontinuity);
        e->program_date_ms = r->program_date_ms;
        snprintf(e->map_uri, sizeof(e->map_uri), "%s", r->map_uri);
        r->duration_s = -1;
        r->is_discontinuity = false;
        r->program_date_ms = 0;
    }
    return SR_OK;
}

int sr_m3u8_parse(const char *text, size_t len, const char *prefix, sr_m3u8_t *pl)
{
    pl->count = 0;
    pl->media_sequence = pl->discontinuity_sequence = 0;
    if (len < 7 || memcmp(text, "#EXTM3U", 7) != 0) {
        return -SR_EFORMAT;
    }
    sr_m3u8_reader_t *r = SR_NEW(sr_m3u8_reader_t); /* with a map URI: kept off coroutine stacks */
    r->duration_s = -1;
    r->prefix = prefix;
    char line[SR_M3U8_URI_MAX + 64];
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = (nl ? (size_t)(nl - text) : len) - pos;
        size_t keep = strnlen(text + pos, n); /* a NUL ends the line's text, as it would a string */
        while (keep > 0 && (text[pos + keep - 1] == '\r' || text[pos + keep - 1] == ' ')) {
            keep--;
        }
        keep = SR_MIN(keep, sizeof(line) - 1);
        memcpy(line, text + pos, keep);
        line[keep] = '\0';
        pos += n + 1;
        if (sr_m3u8_parse_line(r, line, pl) != SR_OK) {
            pl->count = 0;
            sr_free(r);
            return -SR_EFORMAT;
        }
    }
    sr_free(r);
    return SR_OK;
}
