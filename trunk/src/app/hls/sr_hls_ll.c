/* SPDX-License-Identifier: MIT */
/*
 * sr_hls_ll.c: Low-Latency HLS (RFC 8216bis; hls_low_latency on, hls_part_duration) on
 * the fMP4 form. The open segment is cut into parts of at most the part target: a part
 * ends just before the frame that would take it past the target, as one moof + mdat
 * that is at once in memory under its own name (segment "a-7.m4s", parts "a-7.0.m4s",
 * "a-7.1.m4s", ...) and appended to the segment, whose file is the concatenation of its
 * parts. After each part the playlist in memory lists it (EXT-X-PART, INDEPENDENT=YES
 * when it starts with a keyframe; a segment's last part, often a few frames, together
 * with the next segment's first) and hints the next (EXT-X-PRELOAD-HINT), which the
 * store expects so that a request for it waits; the playlist on disk is rewritten per
 * segment, as for classic HLS. Blocking reloads are answered by the HTTP server from
 * the playlist's store entry, which carries the segment and part counts.
 */
#include <stdio.h>
#include <string.h>

#include "sr_error.h"
#include "sr_hls_internal.h"
#include "sr_log.h"

/* The store key of part k of the open segment. */
static void sr_hls_ll_part_key(const sr_hls_t *h, uint32_t k, char *out, size_t size)
{
    sr_m3u8_part_uri(h->ll.seg_key, k, out, size);
}

/* The next part is expected within a few part targets: a request for it waits. */
static void sr_hls_ll_hint(sr_hls_t *h)
{
    uint32_t k = h->pl.open.parts.count;
    if (!h->ll.seg_key[0] || k >= SR_M3U8_PARTS_MAX) {
        return;
    }
    char key[PATH_MAX + 16];
    sr_hls_ll_part_key(h, k, key, sizeof(key));
    sr_utime_t within = (sr_utime_t)(h->cfg.part_duration_s * 4 * SR_UTIME_S) + SR_UTIME_S;
    if (sr_hls_store_expect(sr_hls_store_default(), key, sr_time_mono_us(), within) != SR_OK) {
        sr_err_clear();
    }
}

void sr_hls_ll_open(sr_hls_t *h)
{
    sr_hls_ll_t *ll = &h->ll;
    if (!ll->is_on) {
        return;
    }
    ll->part_start_ms = h->seg_start_ms;
    ll->has_media = false;
    sr_m3u8_entry_t *o = &h->pl.open;
    memset(&o->parts, 0, sizeof(o->parts));
    o->duration_s = 0;
    o->is_discontinuity = h->next_discontinuity;
    o->program_date_ms = h->seg_date_ms;
    snprintf(o->map_uri, sizeof(o->map_uri), "%s", h->fmp4.map_uri);
    sr_hls_relative_uri(h->m3u8_dir, h->seg_rel, o->uri, sizeof(o->uri));
    h->pl.has_open = true;
    if (sr_hls_store_key(h->seg_path, ll->seg_key, sizeof(ll->seg_key)) != SR_OK) {
        ll->seg_key[0] = '\0'; /* no directory: the segment is not written either */
        sr_err_clear();
    }
    sr_hls_ll_hint(h); /* the playlist lists the new segment with its first part */
}

void sr_hls_ll_end_part(sr_hls_t *h, int64_t end_ms)
{
    sr_hls_ll_t *ll = &h->ll;
    if (!ll->has_media || !h->fmp4.mux) {
        return;
    }
    sr_buf_t frag;
    sr_buf_init(&frag);
    sr_mp4_mux_write_fragment_until(h->fmp4.mux, &frag, end_ms);
    sr_m3u8_parts_t *parts = &h->pl.open.parts;
    if (frag.len > 0 && parts->count < SR_M3U8_PARTS_MAX) {
        char key[PATH_MAX + 16];
        sr_hls_ll_part_key(h, parts->count, key, sizeof(key));
        if (ll->seg_key[0]) {
            sr_hls_store_bytes_at(h, key, frag.data, frag.len, NULL);
        }
        parts->duration_s[parts->count] = (float)SR_MAX(end_ms - ll->part_start_ms, 0) / 1000.0f;
        parts->independent |= (uint64_t)ll->is_independent << parts->count;
        parts->count++;
    }
    sr_buf_put_bytes(&h->ts, frag.data, frag.len);
    sr_buf_deinit(&frag);
    ll->part_start_ms = end_ms;
    ll->has_media = false;
    sr_hls_ll_hint(h);
    if (h->is_open) {
        sr_hls_write_playlist(h, SR_HLS_PLAYLIST_MEMORY); /* a segment's last part: with the next one's first */
    }
}

void sr_hls_ll_before_frame(sr_hls_t *h, const sr_packet_t *pkt)
{
    sr_hls_ll_t *ll = &h->ll;
    if (!ll->is_on || !h->is_open) {
        return;
    }
    bool is_video = pkt->type == SR_PACKET_VIDEO;
    bool has_video = sr_hls_fmp4_has_video(h);
    if (is_video) {
        if (ll->has_video_dts && pkt->dts > ll->last_video_dts) {
            ll->video_delta_ms = SR_MIN(pkt->dts - ll->last_video_dts, 1000);
        }
        ll->last_video_dts = pkt->dts;
        ll->has_video_dts = true;
    }
    /* parts are cut on the track that paces the stream: video, else audio */
    if (is_video == has_video && ll->has_media) {
        int64_t next_ms = has_video ? ll->video_delta_ms : 0;
        if (pkt->dts - ll->part_start_ms + next_ms > (int64_t)(h->cfg.part_duration_s * 1000 + 0.5)) {
            sr_hls_ll_end_part(h, pkt->dts);
        }
    }
    if (!ll->has_media) {
        ll->has_media = true;
        ll->is_independent = !has_video;
    }
    ll->is_independent |= sr_packet_is_video_keyframe(pkt); /* the part holds a keyframe */
}

void sr_hls_ll_closed(sr_hls_t *h, sr_m3u8_entry_t *e)
{
    if (!h->ll.is_on) {
        return;
    }
    e->parts = h->pl.open.parts;
    h->pl.has_open = false;
    /* the hinted next part will not come (a keyframe ended the segment): whoever waits
     * for it gets a 404 now and reloads the playlist, rather than stalling */
    if (h->ll.seg_key[0]) {
        char key[PATH_MAX + 16];
        sr_hls_ll_part_key(h, e->parts.count, key, sizeof(key));
        sr_hls_store_expire(sr_hls_store_default(), key, sr_time_mono_us(), 0);
    }
    /* parts leave memory once the playlist no longer lists them: three target durations */
    sr_utime_t grace = (sr_utime_t)(3 * h->cfg.fragment_s * h->cfg.td_ratio * SR_UTIME_S) + 5 * SR_UTIME_S;
    for (uint32_t k = 0; k < e->parts.count; k++) {
        char uri[SR_M3U8_URI_MAX + 16];
        sr_m3u8_part_uri(e->uri, k, uri, sizeof(uri));
        sr_hls_store_forget(h, uri, grace);
    }
    h->ll.seg_key[0] = '\0';
}
