/* SPDX-License-Identifier: MIT */
/*
 * sr_hls.c: the HLS sink (vhost hls { }). One consumer on the source and one
 * coroutine per published stream (sr_output_loop.h): packets go through the MPEG-TS muxer (sr_ts.h) into
 * the current segment, which is cut on a video keyframe once it holds hls_fragment
 * seconds, however long the GOP (sr_hls_cut.h; audio-only streams at hls_fragment *
 * hls_aof_ratio; without hls_wait_keyframe at the duration alone). Each segment is written under a temporary
 * name and renamed into place, then the playlist (sr_m3u8.h) is rewritten the same
 * way, so a reader never sees a partial file. The playlist keeps hls_window seconds;
 * segments that leave it are deleted (hls_cleanup). Each finished segment is reported
 * to the on_hls hooks (queued, never waited for).
 *
 * Every segment carries EXT-X-PROGRAM-DATE-TIME, the wall clock at which its first
 * frame reached the server, so players and monitoring can measure their delay.
 *
 * No state outlives a publish in memory: a republish reads the playlist on disk,
 * continues its sequence numbers and marks a discontinuity. hls_dispose runs as a
 * detached coroutine per unpublish that deletes the files unless the playlist was
 * touched again (a republish) since.
 *
 * With hls_use_fmp4 the segments are fMP4 (.m4s) mapping to an init segment
 * (sr_hls_fmp4.c) instead of MPEG-TS.
 *
 * Not here: encryption, on_hls_notify, serving the files (the HTTP static server does
 * it from hls_path, or from memory: sr_hls_store.h).
 */
#include "sr_hls.h"
#include "sr_hls_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_consumer.h"
#include "sr_error.h"
#include "sr_file.h"
#include "sr_hls_cut.h"
#include "sr_hls_store.h"
#include "sr_http_hooks.h"
#include "sr_jitter.h"
#include "sr_json.h"
#include "sr_log.h"
#include "sr_m3u8.h"
#include "sr_output.h"
#include "sr_output_loop.h"
#include "sr_st.h"
#include "sr_ts.h"

/* ======================================================================== */
/* paths and files                                                          */
/* ======================================================================== */

/* Expand one template token at *tpl into out; returns the token length or 0. */
static size_t sr_hls_token(const sr_hls_t *h, const char *tpl, uint64_t seq, int64_t now_us, const struct tm *tm,
                           char *out, size_t size)
{
    static const char *names[] = {"[vhost]", "[app]", "[stream]", "[seq]", "[timestamp]", "[2006]",
                                  "[01]",    "[02]",  "[15]",     "[04]",  "[05]",        "[999]"};
    for (size_t i = 0; i < SR_ARRAY_SIZE(names); i++) {
        size_t n = strlen(names[i]);
        if (strncmp(tpl, names[i], n) != 0) {
            continue;
        }
        long long v[] = {0,
                         0,
                         0,
                         (long long)seq,
                         now_us / 1000,
                         tm->tm_year + 1900,
                         tm->tm_mon + 1,
                         tm->tm_mday,
                         tm->tm_hour,
                         tm->tm_min,
                         tm->tm_sec,
                         (now_us / 1000) % 1000};
        const char *s[] = {h->req.vhost, h->req.app, h->req.stream};
        if (i < 3) {
            snprintf(out, size, "%s", s[i]);
        } else {
            snprintf(out, size, i >= 6 && i <= 10 ? "%02lld" : i == 11 ? "%03lld" : "%lld", v[i]);
        }
        return n;
    }
    return 0;
}

/* tpl with [vhost] [app] [stream] [seq] [timestamp] and the date parts replaced. */
void sr_hls_expand(const sr_hls_t *h, const char *tpl, uint64_t seq, char *out, size_t size)
{
    int64_t now_us = sr_time_wall_us();
    time_t secs = (time_t)(now_us / 1000000);
    struct tm tm;
    localtime_r(&secs, &tm);
    size_t len = 0;
    out[0] = '\0';
    while (*tpl && len + 1 < size) {
        char part[300];
        size_t used = *tpl == '[' ? sr_hls_token(h, tpl, seq, now_us, &tm, part, sizeof(part)) : 0;
        if (used == 0) {
            part[0] = *tpl;
            part[1] = '\0';
            used = 1;
        }
        len += (size_t)snprintf(out + len, size - len, "%s", part);
        len = SR_MIN(len, size - 1);
        tpl += used;
    }
}

/* The URI of a segment (path rel under hls_path) as seen from the playlist's directory. */
void sr_hls_relative_uri(const char *m3u8_dir, const char *rel, char *out, size_t size)
{
    size_t dlen = strlen(m3u8_dir);
    if (dlen == 0) {
        snprintf(out, size, "%s", rel);
        return;
    }
    if (strncmp(rel, m3u8_dir, dlen) == 0 && rel[dlen] == '/') {
        snprintf(out, size, "%s", rel + dlen + 1);
        return;
    }
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = m3u8_dir; p && *p; p = strchr(p + 1, '/')) { /* one ../ per directory level */
        len += (size_t)snprintf(out + len, size - len, "../");
        len = SR_MIN(len, size - 1);
    }
    snprintf(out + len, size - len, "%s", rel);
}

/* The file of a playlist entry: the playlist's directory joined with its URI. */
static void sr_hls_entry_path(const char *m3u8_path, const char *uri, char *out, size_t size)
{
    const char *slash = strrchr(m3u8_path, '/');
    int dlen = slash ? (int)(slash - m3u8_path) : 0;
    snprintf(out, size, "%.*s%s%s", dlen, m3u8_path, slash ? "/" : "", uri);
}

/* ======================================================================== */
/* playlist and hook                                                        */
/* ======================================================================== */

static void sr_hls_error(sr_hls_t *h, int rc)
{
    h->errors++;
    sr_error("hls %s/%s/%s: %s (%s)", h->req.vhost, h->req.app, h->req.stream, sr_err_trail(),
             h->cfg.is_on_error_continue ? "continue" : "on_error disconnect is not supported, continuing");
    SR_UNUSED(rc);
}

/* How long a segment that left the window stays in memory: a player that read the
 * playlist just before may still ask for it. */
static sr_utime_t sr_hls_grace_us(const sr_hls_t *h)
{
    return (sr_utime_t)(SR_MAX(h->cfg.fragment_s * 2, 5.0) * SR_UTIME_S);
}

/* Put the bytes of the file at path, just written, under its store key (sr_hls_store.h),
 * with its mtime for the HTTP validators; copied once per file. */
void sr_hls_store_bytes_at(sr_hls_t *h, const char *key, const void *data, size_t len, const sr_hls_store_meta_t *meta)
{
    if (!h->mem_cap_bytes || !key[0]) {
        return;
    }
    sr_hls_store_t *s = sr_hls_store_default();
    sr_hls_store_set_cap(s, h->mem_cap_bytes);
    if (sr_hls_store_put_take(s, key, sr_payload_new_copy(data, len), meta, sr_time_mono_us()) != SR_OK) {
        sr_err_clear();
    }
}

static int64_t sr_hls_mtime_ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static void sr_hls_store_file(sr_hls_t *h, const char *key, const char *path, const void *data, size_t len)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        sr_hls_store_meta_t meta = {.mtime_ns = sr_hls_mtime_ns(&st.st_mtim), .ll_msn = -1};
        sr_hls_store_bytes_at(h, key, data, len, &meta);
    }
}

void sr_hls_write_file(sr_hls_t *h, const char *rel, const void *data, size_t len)
{
    char path[SR_HLS_PATH_MAX], key[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", h->cfg.path, rel);
    int rc = sr_file_mkdirs(path);
    if (rc == SR_OK) {
        rc = sr_file_write_atomic(path, data, len);
    }
    if (rc != SR_OK) {
        sr_hls_error(h, rc);
        return;
    }
    if (h->mem_cap_bytes && sr_hls_store_key(path, key, sizeof(key)) == SR_OK) {
        sr_hls_store_file(h, key, path, data, len);
    }
    sr_err_clear();
}

void sr_hls_write_playlist(sr_hls_t *h, int where)
{
    sr_buf_t b;
    sr_buf_init(&b);
    int td = sr_m3u8_target_duration(&h->pl, h->cfg.fragment_s * h->cfg.td_ratio);
    sr_m3u8_encode(&h->pl, td, h->cfg.entry_prefix, &b);
    bool to_disk = where & SR_HLS_PLAYLIST_DISK;
    int rc = to_disk ? sr_file_write_atomic(h->m3u8_path, b.data, b.len) : SR_OK;
    struct stat st = {0};
    if (!to_disk) {
        clock_gettime(CLOCK_REALTIME, &st.st_mtim);
    }
    if (rc != SR_OK) {
        sr_hls_error(h, rc);
    } else if ((where & SR_HLS_PLAYLIST_MEMORY) && (!to_disk || stat(h->m3u8_path, &st) == 0)) {
        sr_hls_store_meta_t meta = {.mtime_ns = sr_hls_mtime_ns(&st.st_mtim), .ll_msn = -1};
        if (h->ll.is_on) { /* how far the stream is, for blocking reloads */
            meta.ll_msn = (int64_t)sr_m3u8_next_sequence(&h->pl);
            meta.ll_parts = h->pl.has_open ? (int32_t)h->pl.open.parts.count : 0;
            meta.ll_hold_ms = 3 * td * 1000;
        }
        sr_hls_store_bytes_at(h, h->m3u8_key, b.data, b.len, &meta);
        if (h->ll.is_on && h->pl.part_target_s > 0) { /* and its delta update, beside it */
            sr_buf_reset(&b);
            sr_m3u8_encode_delta(&h->pl, td, h->cfg.entry_prefix, &b);
            sr_hls_store_bytes_at(h, h->m3u8_delta_key, b.data, b.len, &meta);
        }
    }
    sr_buf_deinit(&b);
}

/* The store entry of a playlist entry leaves after grace_us (0: now). */
void sr_hls_store_forget(const sr_hls_t *h, const char *uri, sr_utime_t grace_us)
{
    char path[SR_HLS_PATH_MAX + SR_M3U8_URI_MAX], key[PATH_MAX];
    sr_hls_entry_path(h->m3u8_path, uri, path, sizeof(path));
    if (sr_hls_store_key(path, key, sizeof(key)) == SR_OK) {
        sr_hls_store_expire(sr_hls_store_default(), key, sr_time_mono_us(), grace_us);
    } else {
        sr_err_clear();
    }
}

/* Drop entries beyond hls_window (the newest always stays); delete their files. */
static void sr_hls_slide_window(sr_hls_t *h)
{
    sr_m3u8_entry_t *old = sr_malloc(sizeof(*old));
    while (h->pl.count > 1 && sr_m3u8_total_s(&h->pl) > h->cfg.window_s) {
        sr_m3u8_shift(&h->pl, old);
        sr_hls_store_forget(h, old->uri, sr_hls_grace_us(h));
        if (h->cfg.is_cleanup) {
            char path[SR_HLS_PATH_MAX + SR_M3U8_URI_MAX];
            sr_hls_entry_path(h->m3u8_path, old->uri, path, sizeof(path));
            int rc = sr_file_unlink(path);
            if (rc != SR_OK && rc != -SR_ENOT_FOUND) {
                sr_warn("hls cleanup: %s", sr_err_trail());
            }
        }
    }
    sr_free(old);
}

/* on_hls (COMPAT.md): the stream fields of on_publish plus the segment's. */
static void sr_hls_notify(sr_hls_t *h, double duration_s)
{
    sr_buf_t body;
    sr_buf_init(&body);
    sr_json_writer_t w;
    sr_json_writer_init(&w, &body);
    sr_json_writer_object_start(&w);
    sr_hooks_write_stream_fields(&w, h->server, SR_HOOK_ON_HLS, h->client_id, &h->req, h->stream_id);
    char cwd[1024];
    sr_json_writer_kv_double(&w, "duration", duration_s);
    sr_json_writer_kv_string(&w, "cwd", getcwd(cwd, sizeof(cwd)) ? cwd : "");
    sr_json_writer_kv_string(&w, "file", h->seg_path);
    sr_json_writer_kv_string(&w, "url", h->seg_rel);
    sr_json_writer_kv_string(&w, "m3u8", h->m3u8_path);
    sr_json_writer_kv_string(&w, "m3u8_url", h->m3u8_rel);
    sr_json_writer_kv_uint(&w, "seq_no", h->seg_seq);
    sr_json_writer_object_end(&w);
    if (sr_json_writer_finish(&w) == SR_OK) {
        sr_hooks_notify_body(h->server, &h->req, SR_HOOK_ON_HLS, h->client_id, &body);
    }
    sr_buf_deinit(&body);
}

/* ======================================================================== */
/* segments                                                                 */
/* ======================================================================== */

static void sr_hls_flush(sr_hls_t *h)
{
    if (h->fd >= 0 && h->ts.len > 0) {
        int rc = sr_file_write(h->fd, h->ts.data, h->ts.len, h->seg_path);
        if (rc == SR_OK && h->mem_cap_bytes) {
            sr_buf_put_bytes(&h->mem, h->ts.data, h->ts.len);
        }
        if (rc != SR_OK) {
            sr_hls_error(h, rc);
            sr_file_close(h->fd, h->seg_path);
            h->fd = -1;
        }
    }
    sr_buf_reset(&h->ts);
}

/* Media time to wall clock. A frame reaches the sink some time after the server got it
 * (its consumer wakes for batches), never before, so the least wall-clock-minus-dts of
 * the frames since the last segment is the closest to their arrival; a new segment
 * dates its first frame with it, so EXT-X-PROGRAM-DATE-TIME does not understate the
 * delay viewers see. */
static void sr_hls_clock_see(sr_hls_t *h, int64_t dts)
{
    int64_t off = sr_time_wall_us() / 1000 - dts;
    h->clock_min_ms = h->has_clock ? SR_MIN(h->clock_min_ms, off) : off;
    h->has_clock = true;
}

static int64_t sr_hls_clock_date(sr_hls_t *h, int64_t dts)
{
    int64_t off = sr_time_wall_us() / 1000 - dts;
    int64_t date = dts + (h->has_clock ? SR_MIN(h->clock_min_ms, off) : off);
    h->clock_min_ms = off; /* the next segment's estimate starts from here */
    h->has_clock = true;
    return date;
}

static void sr_hls_open_segment(sr_hls_t *h, int64_t start_ms)
{
    h->is_open = true;
    h->seg_seq = sr_m3u8_next_sequence(&h->pl);
    h->seg_start_ms = start_ms;
    h->seg_date_ms = sr_hls_clock_date(h, start_ms);
    sr_hls_expand(h, h->mux ? h->cfg.ts_file : h->cfg.fmp4_file, h->seg_seq, h->seg_rel, sizeof(h->seg_rel));
    snprintf(h->seg_path, sizeof(h->seg_path), "%s/%s", h->cfg.path, h->seg_rel);
    sr_buf_reset(&h->ts);
    sr_buf_reset(&h->mem);
    if (h->mux) {
        sr_ts_muxer_start_segment(h->mux);
    }
    char tmp[SR_HLS_PATH_MAX + 8];
    snprintf(tmp, sizeof(tmp), "%s.tmp", h->seg_path);
    int rc = sr_file_mkdirs(h->seg_path);
    h->fd = -1;
    if (rc == SR_OK) {
        rc = sr_file_open_write(tmp, false, &h->fd);
    }
    if (rc != SR_OK) {
        sr_hls_error(h, rc);
    }
    sr_hls_ll_open(h);
}

/* Finish the open segment at end_ms: rename it into place, list it, slide the window,
 * rewrite the playlist and tell the hooks. A segment that failed to write is dropped. */
void sr_hls_close_segment(sr_hls_t *h, int64_t end_ms)
{
    if (!h->is_open) {
        return;
    }
    h->is_open = false;
    if (h->ll.is_on) {
        sr_hls_ll_end_part(h, end_ms); /* the last part */
    } else if (!h->mux) {
        sr_hls_fmp4_end_segment(h, end_ms);
    }
    sr_hls_flush(h);
    if (h->fd < 0) {
        h->pl.has_open = false; /* LL-HLS: nor are its parts listed */
        return;
    }
    char tmp[SR_HLS_PATH_MAX + 8];
    snprintf(tmp, sizeof(tmp), "%s.tmp", h->seg_path);
    int rc = sr_file_close(h->fd, tmp);
    h->fd = -1;
    if (rc == SR_OK) {
        rc = sr_file_rename(tmp, h->seg_path);
    }
    if (rc != SR_OK) {
        sr_file_unlink(tmp);
        sr_hls_error(h, rc);
        return;
    }
    char key[PATH_MAX];
    if (h->mem_cap_bytes && sr_hls_store_key(h->seg_path, key, sizeof(key)) == SR_OK) {
        sr_hls_store_file(h, key, h->seg_path, h->mem.data, h->mem.len);
        int fd = open(h->seg_path, O_RDONLY | O_CLOEXEC); /* the HTTP server sends it with sendfile */
        if (fd >= 0) {
            sr_hls_store_attach_fd(sr_hls_store_default(), key, fd);
        }
    }
    sr_err_clear();
    sr_buf_reset(&h->mem);
    double duration_s = (double)SR_MAX(end_ms - h->seg_start_ms, 0) / 1000.0;
    char uri[SR_M3U8_URI_MAX];
    sr_hls_relative_uri(h->m3u8_dir, h->seg_rel, uri, sizeof(uri));
    sr_m3u8_entry_t *e = sr_m3u8_append(&h->pl, uri, duration_s, h->next_discontinuity);
    e->program_date_ms = h->seg_date_ms;
    snprintf(e->map_uri, sizeof(e->map_uri), "%s", h->fmp4.map_uri);
    sr_hls_ll_closed(h, e);
    h->next_discontinuity = false;
    h->segments++;
    sr_hls_slide_window(h);
    /* LL-HLS: the playlist in memory changes with the next segment's first part, or when
     * the stream stops (sr_hls_stop). A reader given the closed segment last, with no
     * part after it, takes it for the open one (hls.js counts it twice and plays a
     * segment off the timeline); and one given the segment's short last part just after
     * the part before it can lose track of the parts (hls.js stalls at the hole). */
    sr_hls_write_playlist(h, SR_HLS_PLAYLIST_DISK | (h->ll.is_on ? 0 : SR_HLS_PLAYLIST_MEMORY));
    sr_verbose("hls segment %s seq=%llu duration=%.3f", h->seg_path, (unsigned long long)h->seg_seq, duration_s);
    sr_hls_notify(h, duration_s);
}

/* Whether pkt starts a new segment (the open one has reached its length). */
static bool sr_hls_is_cut(const sr_hls_t *h, const sr_packet_t *pkt)
{
    sr_hls_cut_rule_t rule = {h->cfg.fragment_s, h->cfg.aof_ratio, h->cfg.is_wait_keyframe};
    double elapsed_s = (double)(pkt->dts - h->seg_start_ms) / 1000.0;
    bool has_video = h->mux ? sr_ts_muxer_has_video(h->mux) : sr_hls_fmp4_has_video(h);
    return sr_hls_cut_is_due(&rule, has_video, sr_packet_is_video_keyframe(pkt), elapsed_s);
}

/* Say once per stream that its GOP is longer than hls_fragment: its segments follow the
 * GOP, and the user can fix that at the encoder. */
static void sr_hls_note_gop(sr_hls_t *h, const sr_packet_t *pkt)
{
    if (!sr_packet_is_video_keyframe(pkt)) {
        return;
    }
    int64_t gop_ms = h->has_key ? pkt->dts - h->last_key_dts : 0;
    h->last_key_dts = pkt->dts;
    h->has_key = true;
    if (!h->is_gop_noted && gop_ms > (int64_t)(h->cfg.fragment_s * 1000) + 100) {
        h->is_gop_noted = true;
        sr_warn("hls %s/%s/%s: keyframes every %.1f s, longer than hls_fragment %.3g s: segments are cut at "
                "keyframes and will be that long; set the encoder's keyframe interval to %.3g s or less "
                "(OBS: Keyframe Interval)",
                h->req.vhost, h->req.app, h->req.stream, gop_ms / 1000.0, h->cfg.fragment_s, h->cfg.fragment_s);
    }
}

void sr_hls_on_media(sr_hls_t *h, const sr_packet_t *pkt)
{
    bool is_frame = sr_packet_is_av(pkt) && !(pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER);
    if (is_frame && h->has_last &&
        (pkt->dts > h->last_dts + SR_HLS_JUMP_MS || pkt->dts < h->last_dts - SR_HLS_JUMP_MS)) {
        sr_hls_close_segment(h, h->last_dts + h->last_delta); /* timestamp jump (RFC 8216 4.3.2.3) */
        h->next_discontinuity = true;
        h->has_last = false;
        h->has_key = false;   /* no GOP spans the jump */
        h->has_clock = false; /* nor a media-to-wall-clock offset */
        if (!h->mux) {
            sr_hls_fmp4_restart(h); /* nor an fMP4 timeline: decode times never go back */
        }
    }
    if (is_frame) {
        sr_hls_note_gop(h, pkt);
        if (h->is_open) {
            sr_hls_clock_see(h, pkt->dts);
        }
    }
    if (is_frame && h->is_open && sr_hls_is_cut(h, pkt)) {
        sr_hls_close_segment(h, pkt->dts);
    }
    if (is_frame && !h->is_open) {
        sr_hls_open_segment(h, pkt->dts);
    }
    if (is_frame) {
        sr_hls_ll_before_frame(h, pkt);
    }
    int rc = h->mux ? sr_ts_muxer_write(h->mux, pkt, &h->ts) : sr_hls_fmp4_add(h, pkt);
    if (rc != SR_OK && h->mux_errors++ % 1000 == 0) {
        sr_warn("hls %s/%s/%s: %s packet skipped (%s), %llu so far", h->req.vhost, h->req.app, h->req.stream,
                pkt->type == SR_PACKET_VIDEO ? "video" : "audio", sr_err_name(rc), (unsigned long long)h->mux_errors);
    }
    if (is_frame) {
        if (h->has_last && pkt->dts > h->last_dts) {
            h->last_delta = SR_MIN(pkt->dts - h->last_dts, 1000);
        }
        h->last_dts = h->has_last ? SR_MAX(h->last_dts, pkt->dts) : pkt->dts;
        h->has_last = true;
    }
    if (h->ts.len >= SR_HLS_FLUSH_BYTES) {
        sr_hls_flush(h);
    }
}

static void sr_hls_on_packet(void *arg, const sr_packet_t *pkt)
{
    sr_hls_t *h = arg;
    if (h->mux || sr_hls_fmp4_gate(h, pkt)) {
        sr_hls_on_media(h, pkt);
    }
}

/* ======================================================================== */
/* dispose                                                                  */
/* ======================================================================== */

typedef struct sr_hls_dispose {
    char m3u8_path[SR_HLS_PATH_MAX];
    char prefix[512];
    struct timespec mtime; /* of the playlist when the stream stopped */
    sr_utime_t delay_us;
} sr_hls_dispose_t;

static bool sr_hls_mtime(const char *path, struct timespec *out)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return false;
    }
    *out = st.st_mtim;
    return true;
}

/* Delete the playlist and its segments unless it changed since the unpublish. */
static void sr_hls_dispose_cycle(void *arg)
{
    sr_hls_dispose_t *d = arg;
    struct timespec now;
    if (sr_usleep(d->delay_us) == SR_OK && sr_hls_mtime(d->m3u8_path, &now) && now.tv_sec == d->mtime.tv_sec &&
        now.tv_nsec == d->mtime.tv_nsec) {
        sr_buf_t text;
        sr_buf_init(&text);
        sr_m3u8_t pl;
        sr_m3u8_init(&pl);
        if (sr_file_read_all(d->m3u8_path, SR_HLS_PLAYLIST_MAX_BYTES, &text) == SR_OK &&
            sr_m3u8_parse((const char *)text.data, text.len, d->prefix, &pl) == SR_OK) {
            for (size_t i = 0; i < pl.count; i++) {
                char path[SR_HLS_PATH_MAX + SR_M3U8_URI_MAX];
                sr_hls_entry_path(d->m3u8_path, pl.entries[i].uri, path, sizeof(path));
                sr_file_unlink(path);
                if (pl.entries[i].map_uri[0]) { /* fMP4: its init segment (unlinked once) */
                    sr_hls_entry_path(d->m3u8_path, pl.entries[i].map_uri, path, sizeof(path));
                    sr_file_unlink(path);
                }
            }
        }
        sr_file_unlink(d->m3u8_path);
        sr_trace("hls dispose %s: %zu segments deleted", d->m3u8_path, pl.count);
        sr_m3u8_deinit(&pl);
        sr_buf_deinit(&text);
    }
    sr_free(d);
}

static void sr_hls_schedule_dispose(sr_hls_t *h)
{
    if (h->cfg.dispose_s <= 0) {
        return;
    }
    sr_hls_dispose_t *d = SR_NEW(sr_hls_dispose_t);
    snprintf(d->m3u8_path, sizeof(d->m3u8_path), "%s", h->m3u8_path);
    snprintf(d->prefix, sizeof(d->prefix), "%s", h->cfg.entry_prefix);
    d->delay_us = (sr_utime_t)(h->cfg.dispose_s * SR_UTIME_S);
    if (!sr_hls_mtime(d->m3u8_path, &d->mtime)) {
        sr_free(d);
        return;
    }
    sr_co_start_detached(sr_hls_dispose_cycle, d, NULL);
}

/* ======================================================================== */
/* the sink                                                                 */
/* ======================================================================== */

/* Continue the playlist on disk (a republish): same sequence numbers, a discontinuity. */
static void sr_hls_load_playlist(sr_hls_t *h)
{
    sr_buf_t text;
    sr_buf_init(&text);
    int rc = sr_file_read_all(h->m3u8_path, SR_HLS_PLAYLIST_MAX_BYTES, &text);
    if (rc == SR_OK && sr_m3u8_parse((const char *)text.data, text.len, h->cfg.entry_prefix, &h->pl) == SR_OK) {
        h->next_discontinuity = h->pl.count > 0 || h->pl.media_sequence > 0;
        /* touch it so a pending hls_dispose of the last publish leaves it alone */
        utimensat(AT_FDCWD, h->m3u8_path, NULL, 0);
        sr_trace("hls %s continues at sequence %llu (%zu segments kept)", h->m3u8_path,
                 (unsigned long long)sr_m3u8_next_sequence(&h->pl), h->pl.count);
    } else if (rc != SR_OK && rc != -SR_ENOT_FOUND) {
        sr_warn("hls %s: %s, starting a new playlist", h->m3u8_path, sr_err_trail());
    }
    sr_buf_deinit(&text);
}

/* The playlist's directory, and the playlist of a previous publish. Done by the sink's
 * coroutine (or its stop), not by start: start must not yield (sr_output.h). */
static void sr_hls_prepare(void *arg)
{
    sr_hls_t *h = arg;
    if (sr_file_mkdirs(h->m3u8_path) != SR_OK) {
        sr_hls_error(h, -SR_EFILE_OPEN);
    }
    if (h->mem_cap_bytes && sr_hls_store_key(h->m3u8_path, h->m3u8_key, sizeof(h->m3u8_key)) != SR_OK) {
        h->m3u8_key[0] = '\0';
        sr_err_clear();
    }
    if (h->m3u8_key[0]) {
        snprintf(h->m3u8_delta_key, sizeof(h->m3u8_delta_key), "%s%s", h->m3u8_key, SR_HLS_STORE_DELTA_SUFFIX);
    }
    sr_hls_load_playlist(h);
}

sr_hls_t *sr_hls_start(sr_server_t *server, sr_source_t *source, const sr_request_t *req, const sr_hls_config_t *cfg)
{
    sr_hls_t *h = SR_NEW(sr_hls_t);
    h->server = server;
    sr_request_init(&h->req);
    sr_request_copy(&h->req, req); /* its own strings, freed at stop */
    h->cfg = *cfg;
    h->fd = -1;
    snprintf(h->client_id, sizeof(h->client_id), "%s", sr_co_cid());
    snprintf(h->stream_id, sizeof(h->stream_id), "%s", sr_source_id(source));
    sr_buf_init(&h->ts);
    sr_buf_init(&h->mem);
    h->mem_cap_bytes = (size_t)sr_server_config(server)->http_server.hls_memory_cache_mb << 20;
    sr_m3u8_init(&h->pl);
    h->ll.is_on = cfg->is_low_latency && h->mem_cap_bytes > 0;
    if (cfg->is_low_latency && !h->ll.is_on) {
        sr_warn("hls %s/%s/%s: hls_low_latency needs http_server hls_memory_cache_mb (parts are served from "
                "memory): classic HLS",
                req->vhost, req->app, req->stream);
    }
    h->pl.part_target_s = h->ll.is_on ? cfg->part_duration_s : 0;
    h->mux = cfg->is_use_fmp4 || h->ll.is_on ? NULL : sr_ts_muxer_new(); /* LL-HLS parts are fMP4 */
    sr_hls_expand(h, cfg->m3u8_file, 0, h->m3u8_rel, sizeof(h->m3u8_rel));
    snprintf(h->m3u8_path, sizeof(h->m3u8_path), "%s/%s", cfg->path, h->m3u8_rel);
    const char *slash = strrchr(h->m3u8_rel, '/');
    snprintf(h->m3u8_dir, sizeof(h->m3u8_dir), "%.*s", slash ? (int)(slash - h->m3u8_rel) : 0, h->m3u8_rel);
    sr_consumer_policy_t policy = {.queue_length_ms = SR_HLS_QUEUE_MS,
                                   .time_jitter = SR_JITTER_FULL,
                                   .mw_msgs = h->ll.is_on ? 1 : 16, /* LL-HLS: every frame at once */
                                   .mw_latency_us = SR_HLS_WAKE_US,
                                   .is_sink = true};
    h->source = sr_source_ref(source);
    h->loop = (sr_output_loop_t){
        .arg = h, .prepare = sr_hls_prepare, .on_packet = sr_hls_on_packet, .wake_us = SR_HLS_WAKE_US};
    sr_output_loop_start(&h->loop, source, &policy);
    sr_trace("hls %s/%s/%s start: %s, fragment %.3gs, window %.3gs", req->vhost, req->app, req->stream, h->m3u8_path,
             cfg->fragment_s, cfg->window_s);
    return h;
}

/* Unpublished: the memory copies go now, the disk (and hls_dispose) has the files. */
static void sr_hls_forget_all(sr_hls_t *h)
{
    for (size_t i = 0; h->mem_cap_bytes && i < h->pl.count; i++) {
        sr_hls_store_forget(h, h->pl.entries[i].uri, 0);
        if (h->pl.entries[i].map_uri[0]) {
            sr_hls_store_forget(h, h->pl.entries[i].map_uri, 0);
        }
        for (uint32_t k = 0; k < h->pl.entries[i].parts.count; k++) {
            char uri[SR_M3U8_URI_MAX + 16];
            sr_m3u8_part_uri(h->pl.entries[i].uri, k, uri, sizeof(uri));
            sr_hls_store_forget(h, uri, 0);
        }
    }
    if (h->m3u8_key[0]) {
        sr_hls_store_expire(sr_hls_store_default(), h->m3u8_delta_key, sr_time_mono_us(), 0);
        sr_hls_store_expire(sr_hls_store_default(), h->m3u8_key, sr_time_mono_us(), 0);
    }
}

void sr_hls_stop(sr_hls_t *h)
{
    if (!h) {
        return;
    }
    sr_output_loop_stop(&h->loop); /* what is still queued goes through sr_hls_on_packet */
    sr_hls_close_segment(h, h->last_dts + h->last_delta);
    if (h->ll.is_on) {
        /* the stream has ended: the last playlist is a classic one, without the parts
         * (they leave memory now) or a hint of one that will not come. hls.js takes an
         * LL-HLS playlist that ends on a closed segment for one still being written, and
         * fails on the republish's playlist (discontinuity sequence mismatch) */
        h->pl.part_target_s = 0;
        sr_hls_write_playlist(h, SR_HLS_PLAYLIST_DISK | SR_HLS_PLAYLIST_MEMORY);
    }
    sr_hls_forget_all(h);
    sr_hls_schedule_dispose(h);
    sr_trace("hls %s/%s/%s stop: %llu segments, %llu write errors, %llu dropped, next sequence %llu", h->req.vhost,
             h->req.app, h->req.stream, (unsigned long long)h->segments, (unsigned long long)h->errors,
             (unsigned long long)sr_consumer_dropped(h->loop.consumer),
             (unsigned long long)sr_m3u8_next_sequence(&h->pl));
    sr_output_loop_deinit(&h->loop);
    sr_source_unref(h->source);
    sr_ts_muxer_free(h->mux);
    sr_hls_fmp4_deinit(h);
    sr_m3u8_deinit(&h->pl);
    sr_buf_deinit(&h->ts);
    sr_buf_deinit(&h->mem);
    sr_request_deinit(&h->req);
    sr_free(h);
}

/* ======================================================================== */
/* output registry entry                                                    */
/* ======================================================================== */

static const void *sr_hls_wanted(const sr_vhost_config_t *v, const sr_request_t *req)
{
    SR_UNUSED(req);
    return v && v->is_enabled && v->hls && v->hls->is_enabled ? v->hls : NULL;
}

static bool sr_hls_same(const void *a, const void *b)
{
    return sr_config_media_hls_equal(a, b);
}

static void *sr_hls_output_start(sr_server_t *server, sr_source_t *source, const sr_request_t *req,
                                 const void *settings)
{
    return sr_hls_start(server, source, req, settings);
}

static void sr_hls_output_stop(void *output)
{
    sr_hls_stop(output);
}

const sr_output_kind_t sr_hls_output = {
    "hls", sr_hls_wanted, sizeof(sr_hls_config_t), sr_hls_same, sr_hls_output_start, sr_hls_output_stop,
};
