/* SPDX-License-Identifier: MIT */
/*
 * sr_dvr.c: the DVR sink (vhost dvr): records a published stream to FLV or MP4 files
 * named by the dvr_path template, one per publish (plan session) or one every
 * dvr_duration seconds (plan segment, cut on a keyframe with dvr_wait_keyframe).
 *
 * The recorder is a consumer of the source with its own coroutine (sr_output_loop.h); it is the only
 * code that touches the files, so a slow disk delays only this sink. Files are written
 * under their final name as the media arrives, so a server killed with SIGKILL leaves
 * files that play up to the last write: FLV tag by tag, MP4 as a fragmented file
 * (init segment, then a moof + mdat fragment per GOP or per second, sr_mp4.h). Writes
 * go to the page cache in chunks, on the worker pool (sr_file.h), so a stalled disk
 * holds up this coroutine only; nothing here calls fsync (a power cut may lose the last
 * seconds, a crash does not). on_dvr is sent when a file is closed.
 *
 * Not here: the container bytes (kernel sr_flv, sr_mp4), parsing dvr { }
 * (sr_config_media.c), deciding which streams record (sr_sinks.c, dvr_apply).
 */
#include "sr_dvr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_file.h"
#include "sr_flv.h"
#include "sr_http_hooks.h"
#include "sr_json.h"
#include "sr_log.h"
#include "sr_mp4.h"
#include "sr_output.h"
#include "sr_output_loop.h"
#include "sr_st.h"

/* The recorder must not lose media: a long queue (only a stalled disk fills it). */
#define SR_DVR_QUEUE_MS (30 * 1000)
/* Wake for this many packets, or after SR_DVR_WAIT_US with fewer: bounds what a crash
 * can lose to what arrived in the last SR_DVR_WAIT_US. */
#define SR_DVR_MW_MSGS 32
#define SR_DVR_WAIT_US (200 * SR_UTIME_MS)
/* Write to disk once this much is buffered, even within a batch. */
#define SR_DVR_FLUSH_BYTES (512 * 1024)
/* MP4: a fragment at least every this many ms of media (and at every video keyframe). */
#define SR_DVR_MP4_FRAGMENT_MS 1000
/* MP4: media held while waiting for the other track's sequence header. */
#define SR_DVR_MP4_INIT_WAIT_MS 1000

struct sr_dvr {
    sr_server_t *server;
    sr_source_t *source; /* referenced */
    sr_output_loop_t loop;
    bool is_failed; /* a file could not be opened or written: record nothing more */
    bool is_mp4;
    sr_request_t req;
    sr_dvr_config_t cfg;
    char client_id[64];
    char stream_id[32];
    /* the latest metadata and sequence headers, repeated at the start of every file */
    sr_packet_t meta, vsh, ash;
    /* the open file */
    int fd;
    char path[1024];
    bool has_start;
    int64_t start_dts; /* first media packet of the file */
    int64_t last_dts;
    uint64_t file_bytes;
    sr_buf_t out; /* bytes not yet written */
    /* MP4 */
    sr_mp4_mux_t *mp4;
    bool is_mp4_init;
    sr_packet_t *held; /* media waiting for the init segment */
    size_t nb_held, cap_held;
    uint64_t files;
};

/* ======================================================================== */
/* file names                                                               */
/* ======================================================================== */

/* Expand the dvr_path template: [vhost] [app] [stream] [timestamp] (ms since the
 * epoch) and the Go-style date parts [2006] [01] [02] [15] [04] [05] [999] in local time. */
static void sr_dvr_expand_path(const sr_dvr_t *h, char *out, size_t size)
{
    int64_t now_us = sr_time_wall_us();
    time_t secs = (time_t)(now_us / 1000000);
    struct tm tm;
    localtime_r(&secs, &tm);
    char v[7][16];
    snprintf(v[0], sizeof(v[0]), "%04d", tm.tm_year + 1900);
    snprintf(v[1], sizeof(v[1]), "%02d", tm.tm_mon + 1);
    snprintf(v[2], sizeof(v[2]), "%02d", tm.tm_mday);
    snprintf(v[3], sizeof(v[3]), "%02d", tm.tm_hour);
    snprintf(v[4], sizeof(v[4]), "%02d", tm.tm_min);
    snprintf(v[5], sizeof(v[5]), "%02d", tm.tm_sec);
    snprintf(v[6], sizeof(v[6]), "%03d", (int)((now_us / 1000) % 1000));
    char ts[32];
    snprintf(ts, sizeof(ts), "%lld", (long long)(now_us / 1000));
    const char *keys[] = {"[2006]", "[01]",    "[02]",  "[15]",     "[04]",       "[05]",
                          "[999]",  "[vhost]", "[app]", "[stream]", "[timestamp]"};
    const char *vals[] = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], h->req.vhost, h->req.app, h->req.stream, ts};
    size_t n = 0;
    for (const char *p = h->cfg.path; *p && n + 1 < size;) {
        size_t k = 0;
        while (k < SR_ARRAY_SIZE(keys) && strncmp(p, keys[k], strlen(keys[k])) != 0) {
            k++;
        }
        if (k < SR_ARRAY_SIZE(keys)) {
            n += (size_t)snprintf(out + n, size - n, "%s", vals[k]);
            n = SR_MIN(n, size - 1);
            p += strlen(keys[k]);
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
}

/* ======================================================================== */
/* writing                                                                  */
/* ======================================================================== */

/* Write what is buffered to the file (page cache; no fsync). */
static int sr_dvr_flush(sr_dvr_t *h)
{
    if (h->fd < 0 || h->out.len == 0) {
        sr_buf_reset(&h->out);
        return SR_OK;
    }
    int rc = sr_file_write(h->fd, h->out.data, h->out.len, h->path);
    if (rc == SR_OK) {
        h->file_bytes += h->out.len;
    }
    sr_buf_reset(&h->out);
    return rc;
}

/* Zero the AMF0 number property key of a metadata body in place (its 8 bytes after the
 * name and the number marker 0x00). The publisher's duration and filesize describe its
 * input, not this file: with duration 0 players take it from the last tag, which is
 * also right for a file cut short by a crash. */
static void sr_dvr_zero_amf_number(uint8_t *p, size_t n, const char *key)
{
    size_t k = strlen(key);
    for (size_t i = 2; i + k + 9 <= n; i++) {
        if (p[i - 2] == 0 && p[i - 1] == k && memcmp(p + i, key, k) == 0 && p[i + k] == 0x00) {
            memset(p + i + k + 1, 0, 8);
            return;
        }
    }
}

static void sr_dvr_put_flv_tag(sr_dvr_t *h, const sr_packet_t *pkt, int64_t ts)
{
    uint8_t head[SR_FLV_TAG_HEADER_BYTES];
    uint32_t size = (uint32_t)pkt->payload->size;
    sr_flv_write_tag_header(head, pkt->type, size, ts);
    sr_buf_put_bytes(&h->out, head, sizeof(head));
    size_t body = h->out.len;
    sr_buf_put_bytes(&h->out, pkt->payload->data, size);
    if (pkt->type == SR_PACKET_DATA) {
        sr_dvr_zero_amf_number(h->out.data + body, size, "duration");
        sr_dvr_zero_amf_number(h->out.data + body, size, "filesize");
    }
    sr_buf_put_be32(&h->out, size + SR_FLV_TAG_HEADER_BYTES);
}

/* A file's time for pkt: from the file's first media packet, never negative. */
static int64_t sr_dvr_file_ts(const sr_dvr_t *h, const sr_packet_t *pkt)
{
    return h->has_start && pkt->dts > h->start_dts ? pkt->dts - h->start_dts : 0;
}

static void sr_dvr_keep(sr_packet_t *slot, const sr_packet_t *pkt)
{
    if (slot->payload) {
        sr_packet_deinit(slot);
    }
    sr_packet_copy(slot, pkt);
}

/* ======================================================================== */
/* MP4                                                                      */
/* ======================================================================== */

static void sr_dvr_mp4_release_held(sr_dvr_t *h)
{
    for (size_t i = 0; i < h->nb_held; i++) {
        sr_packet_deinit(&h->held[i]);
    }
    h->nb_held = 0;
}

static void sr_dvr_mp4_add(sr_dvr_t *h, const sr_packet_t *pkt)
{
    sr_mp4_track_kind_t kind = pkt->type == SR_PACKET_VIDEO ? SR_MP4_TRACK_VIDEO : SR_MP4_TRACK_AUDIO;
    if (!sr_mp4_mux_has_track(h->mp4, kind)) {
        return; /* a track the init segment does not have (late or unsupported codec) */
    }
    int rc = sr_mp4_mux_add_packet(h->mp4, pkt);
    if (rc != SR_OK) {
        sr_verbose("dvr: %s skips a %s packet at %lld: %s", h->path, kind ? "audio" : "video", (long long)pkt->dts,
                   sr_err_name(rc));
        return;
    }
    /* The newest sample of each track waits for the next fragment, so cutting right
     * after a keyframe was added starts the next fragment with that keyframe. */
    bool is_cut = sr_mp4_mux_queued_samples(h->mp4) > 2 &&
                  (sr_packet_is_video_keyframe(pkt) || sr_mp4_mux_queued_ms(h->mp4) >= SR_DVR_MP4_FRAGMENT_MS);
    if (is_cut) {
        sr_mp4_mux_write_fragment(h->mp4, &h->out, false);
    }
}

/* Write the init segment when both tracks are configured, or with what is known when
 * force (the held media span the wait bound), then the held media. */
static void sr_dvr_mp4_try_init(sr_dvr_t *h, bool force)
{
    bool has_v = sr_mp4_mux_has_track(h->mp4, SR_MP4_TRACK_VIDEO);
    bool has_a = sr_mp4_mux_has_track(h->mp4, SR_MP4_TRACK_AUDIO);
    bool is_ready = (has_v && has_a) || (force && (has_v || has_a));
    if (h->is_mp4_init || !is_ready) {
        if (!h->is_mp4_init && force && !has_v && !has_a) {
            sr_warn("dvr: %s has no H.264/H.265/AAC sequence header yet, dropping %zu packets", h->path, h->nb_held);
            sr_dvr_mp4_release_held(h);
        }
        return;
    }
    sr_mp4_mux_write_init(h->mp4, &h->out);
    h->is_mp4_init = true;
    sr_trace("dvr: %s tracks:%s%s", h->path, has_v ? " video" : "", has_a ? " audio" : "");
    for (size_t i = 0; i < h->nb_held; i++) {
        sr_dvr_mp4_add(h, &h->held[i]);
    }
    sr_dvr_mp4_release_held(h);
}

static void sr_dvr_mp4_configure(sr_dvr_t *h, const sr_packet_t *sh)
{
    int rc = sr_mp4_mux_configure(h->mp4, sh);
    if (rc != SR_OK) {
        sr_warn("dvr: %s cannot record this %s codec in MP4 (%s)", h->path,
                sh->type == SR_PACKET_VIDEO ? "video" : "audio", sr_err_name(rc));
    }
}

static void sr_dvr_mp4_on_media(sr_dvr_t *h, const sr_packet_t *pkt)
{
    if (h->is_mp4_init) {
        sr_dvr_mp4_add(h, pkt);
        return;
    }
    if (h->nb_held == h->cap_held) {
        h->cap_held = h->cap_held ? h->cap_held * 2 : 64;
        h->held = sr_realloc(h->held, h->cap_held * sizeof(*h->held));
    }
    sr_packet_copy(&h->held[h->nb_held++], pkt);
    sr_dvr_mp4_try_init(h, pkt->dts - h->held[0].dts >= SR_DVR_MP4_INIT_WAIT_MS);
}

/* ======================================================================== */
/* files                                                                    */
/* ======================================================================== */

static void sr_dvr_notify(sr_dvr_t *h)
{
    char cwd[1024];
    if (!getcwd(cwd, sizeof(cwd))) {
        cwd[0] = '\0';
    }
    sr_buf_t body;
    sr_buf_init(&body);
    sr_json_writer_t w;
    sr_json_writer_init(&w, &body);
    sr_json_writer_object_start(&w);
    sr_hooks_write_stream_fields(&w, h->server, SR_HOOK_ON_DVR, h->client_id, &h->req, h->stream_id);
    sr_json_writer_kv_string(&w, "cwd", cwd);
    sr_json_writer_kv_string(&w, "file", h->path);
    sr_json_writer_object_end(&w);
    if (sr_json_writer_finish(&w) == SR_OK) {
        sr_hooks_notify_body(h->server, &h->req, SR_HOOK_ON_DVR, h->client_id, &body);
    }
    sr_buf_deinit(&body);
}

/* Log the trail once and record nothing more for this publish. */
static void sr_dvr_fail(sr_dvr_t *h)
{
    sr_error("dvr: %s/%s/%s stops recording: %s", h->req.vhost, h->req.app, h->req.stream, sr_err_trail());
    sr_err_clear();
    h->is_failed = true;
    if (h->fd >= 0) {
        sr_file_close(h->fd, h->path);
        h->fd = -1;
    }
}

/* Finalise and close the open file (MP4: the last fragment with every sample), then
 * send on_dvr. */
static void sr_dvr_close(sr_dvr_t *h)
{
    if (h->fd < 0) {
        return;
    }
    if (h->is_mp4) {
        sr_dvr_mp4_try_init(h, true);
        if (h->is_mp4_init) {
            sr_mp4_mux_write_fragment(h->mp4, &h->out, true);
        }
        sr_dvr_mp4_release_held(h);
        sr_mp4_mux_free(h->mp4);
        h->mp4 = NULL;
    }
    int rc = sr_dvr_flush(h);
    int close_rc = sr_file_close(h->fd, h->path);
    rc = rc == SR_OK ? close_rc : rc;
    h->fd = -1;
    if (rc != SR_OK) {
        sr_dvr_fail(h);
    }
    sr_trace("dvr: closed %s, %llu bytes, %lld ms", h->path, (unsigned long long)h->file_bytes,
             (long long)(h->has_start ? h->last_dts - h->start_dts : 0));
    sr_dvr_notify(h);
}

/* Open the next file and write its header: FLV header, metadata and sequence headers;
 * MP4 a fresh muxer configured from the sequence headers known so far. */
static int sr_dvr_open(sr_dvr_t *h)
{
    sr_dvr_expand_path(h, h->path, sizeof(h->path));
    int rc = sr_file_mkdirs(h->path);
    if (rc != SR_OK) {
        return rc;
    }
    rc = sr_file_open_write(h->path, true, &h->fd);
    if (rc != SR_OK) {
        return rc;
    }
    h->has_start = false;
    h->file_bytes = 0;
    h->files++;
    sr_buf_reset(&h->out);
    sr_trace("dvr: recording %s/%s/%s to %s", h->req.vhost, h->req.app, h->req.stream, h->path);
    if (h->is_mp4) {
        h->mp4 = sr_mp4_mux_new();
        h->is_mp4_init = false;
        const sr_packet_t *shs[] = {&h->vsh, &h->ash};
        for (size_t i = 0; i < SR_ARRAY_SIZE(shs); i++) {
            if (shs[i]->payload) {
                sr_dvr_mp4_configure(h, shs[i]);
            }
        }
        sr_dvr_mp4_try_init(h, false);
        return SR_OK;
    }
    uint8_t head[SR_FLV_FILE_HEADER_BYTES];
    sr_flv_write_file_header(head, true, true);
    sr_buf_put_bytes(&h->out, head, sizeof(head));
    const sr_packet_t *cached[] = {&h->meta, &h->vsh, &h->ash};
    for (size_t i = 0; i < SR_ARRAY_SIZE(cached); i++) {
        if (cached[i]->payload) {
            sr_dvr_put_flv_tag(h, cached[i], 0);
        }
    }
    return SR_OK;
}

/* ======================================================================== */
/* packets                                                                  */
/* ======================================================================== */

/* Segment plan: the file is long enough; with dvr_wait_keyframe, cut on a keyframe of
 * a stream with video. */
static bool sr_dvr_is_reap_due(const sr_dvr_t *h, const sr_packet_t *pkt)
{
    if (h->cfg.plan != SR_DVR_PLAN_SEGMENT || h->fd < 0 || !h->has_start || !sr_packet_is_av(pkt) ||
        (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER)) {
        return false;
    }
    if ((double)(pkt->dts - h->start_dts) < h->cfg.duration_s * 1000.0) {
        return false;
    }
    return !h->cfg.is_wait_keyframe || !h->vsh.payload || sr_packet_is_video_keyframe(pkt);
}

/* A sequence header or metadata: cached for later files, and written to this one (MP4:
 * configures the muxer before the init segment; a changed one afterwards starts a new
 * file, since an init segment cannot change). */
static void sr_dvr_on_header(sr_dvr_t *h, const sr_packet_t *pkt)
{
    sr_packet_t *slot = pkt->type == SR_PACKET_DATA ? &h->meta : pkt->type == SR_PACKET_VIDEO ? &h->vsh : &h->ash;
    bool is_changed = !slot->payload || slot->payload->size != pkt->payload->size ||
                      memcmp(slot->payload->data, pkt->payload->data, pkt->payload->size) != 0;
    sr_dvr_keep(slot, pkt);
    if (h->fd < 0 || !is_changed) {
        return;
    }
    if (!h->is_mp4) {
        sr_dvr_put_flv_tag(h, pkt, sr_dvr_file_ts(h, pkt));
    } else if (pkt->type != SR_PACKET_DATA && !h->is_mp4_init) {
        sr_dvr_mp4_configure(h, pkt);
        sr_dvr_mp4_try_init(h, false);
    } else if (pkt->type != SR_PACKET_DATA) {
        sr_mp4_track_kind_t kind = pkt->type == SR_PACKET_VIDEO ? SR_MP4_TRACK_VIDEO : SR_MP4_TRACK_AUDIO;
        if (sr_mp4_mux_has_track(h->mp4, kind)) {
            sr_trace("dvr: %s sequence header changed, starting a new file", h->path);
            sr_dvr_close(h);
        }
    }
}

static void sr_dvr_on_packet(sr_dvr_t *h, const sr_packet_t *pkt)
{
    bool is_header = pkt->type == SR_PACKET_DATA || (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER);
    if (sr_dvr_is_reap_due(h, pkt)) {
        sr_dvr_close(h);
    }
    if (h->fd < 0 && !h->is_failed) {
        int rc = sr_dvr_open(h);
        if (rc != SR_OK) {
            sr_dvr_fail(h);
        }
    }
    if (is_header) {
        sr_dvr_on_header(h, pkt);
    }
    if (h->fd < 0 || is_header || !sr_packet_is_av(pkt)) {
        return;
    }
    if (!h->has_start) {
        h->has_start = true;
        h->start_dts = pkt->dts;
    }
    h->last_dts = pkt->dts;
    if (h->is_mp4) {
        sr_dvr_mp4_on_media(h, pkt);
    } else {
        sr_dvr_put_flv_tag(h, pkt, sr_dvr_file_ts(h, pkt));
    }
}

/* Record one packet; write out what is buffered once it is large. */
static void sr_dvr_on_loop_packet(void *arg, const sr_packet_t *pkt)
{
    sr_dvr_t *h = arg;
    sr_dvr_on_packet(h, pkt);
    if (h->out.len >= SR_DVR_FLUSH_BYTES && sr_dvr_flush(h) != SR_OK) {
        sr_dvr_fail(h);
    }
}

/* After each batch: write out what is buffered. */
static void sr_dvr_after_batch(void *arg)
{
    sr_dvr_t *h = arg;
    if (sr_dvr_flush(h) != SR_OK) {
        sr_dvr_fail(h);
    }
}

/* ======================================================================== */
/* coroutine                                                                */
/* ======================================================================== */

sr_dvr_t *sr_dvr_start(sr_server_t *server, sr_source_t *source, const sr_request_t *req, const sr_dvr_config_t *cfg)
{
    sr_dvr_t *h = SR_NEW(sr_dvr_t);
    h->server = server;
    h->source = sr_source_ref(source);
    sr_request_init(&h->req);
    sr_request_copy(&h->req, req); /* its own strings, freed at stop */
    h->cfg = *cfg;
    h->fd = -1;
    const char *ext = strrchr(cfg->path, '.');
    h->is_mp4 = ext && strcmp(ext, ".mp4") == 0;
    snprintf(h->client_id, sizeof(h->client_id), "%s", sr_co_cid());
    snprintf(h->stream_id, sizeof(h->stream_id), "%s", sr_source_id(source));
    sr_buf_init(&h->out);
    sr_consumer_policy_t policy = {
        .queue_length_ms = SR_DVR_QUEUE_MS,
        .time_jitter = cfg->time_jitter,
        .mw_msgs = SR_DVR_MW_MSGS,
        .mw_latency_us = SR_DVR_WAIT_US,
        .is_sink = true,
    };
    h->loop = (sr_output_loop_t){
        .arg = h, .on_packet = sr_dvr_on_loop_packet, .after_batch = sr_dvr_after_batch, .wake_us = SR_DVR_WAIT_US};
    sr_output_loop_start(&h->loop, source, &policy);
    sr_trace("dvr: %s/%s/%s plan %s, path %s", req->vhost, req->app, req->stream,
             cfg->plan == SR_DVR_PLAN_SEGMENT ? "segment" : "session", cfg->path);
    return h;
}

void sr_dvr_stop(sr_dvr_t *h)
{
    if (!h) {
        return;
    }
    /* End the coroutine, record what is still queued and close the file here: the file
     * jobs complete even when the caller itself is being stopped (server quit). */
    sr_output_loop_stop(&h->loop);
    sr_dvr_close(h);
    sr_trace("dvr: %s/%s/%s done, %llu files, %llu packets dropped", h->req.vhost, h->req.app, h->req.stream,
             (unsigned long long)h->files, (unsigned long long)sr_consumer_dropped(h->loop.consumer));
    sr_output_loop_deinit(&h->loop);
    sr_packet_t *cached[] = {&h->meta, &h->vsh, &h->ash};
    for (size_t i = 0; i < SR_ARRAY_SIZE(cached); i++) {
        if (cached[i]->payload) {
            sr_packet_deinit(cached[i]);
        }
    }
    sr_free(h->held);
    sr_buf_deinit(&h->out);
    sr_source_unref(h->source);
    sr_request_deinit(&h->req);
    sr_free(h);
}

/* ---- output registry entry ---- */

static const void *sr_dvr_wanted(const sr_vhost_config_t *v, const sr_request_t *req)
{
    bool is_wanted = v && v->is_enabled && v->dvr && v->dvr->is_enabled &&
                     sr_config_media_dvr_applies(v->dvr, req->app, req->stream);
    return is_wanted ? v->dvr : NULL;
}

static bool sr_dvr_same(const void *a, const void *b)
{
    return sr_config_media_dvr_equal(a, b);
}

static void *sr_dvr_output_start(sr_server_t *server, sr_source_t *source, const sr_request_t *req,
                                 const void *settings)
{
    return sr_dvr_start(server, source, req, settings);
}

static void sr_dvr_output_stop(void *output)
{
    sr_dvr_stop(output);
}

const sr_output_kind_t sr_dvr_output = {
    "dvr", sr_dvr_wanted, sizeof(sr_dvr_config_t), sr_dvr_same, sr_dvr_output_start, sr_dvr_output_stop,
};
