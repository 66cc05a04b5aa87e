/* SPDX-License-Identifier: MIT */
/*
 * sr_hls_fmp4.c: the fMP4 form of HLS segments (hls_use_fmp4 on; RFC 8216 3.3): an
 * init segment (ftyp + moov, hls_init_file) named by EXT-X-MAP, then one moof + mdat
 * per segment (hls_fmp4_file) from the muxer of sr_mp4.h. H.264, H.265 and AAC.
 *
 * The init segment needs every track's configuration, so frames wait until both
 * sequence headers are known, or until a second of media shows the other track is not
 * coming. A sequence header that changes (or a track that comes late) after the init
 * segment was written ends the open segment and starts a new muxer with a new init
 * segment after an EXT-X-DISCONTINUITY: a player re-reads the map there.
 */
#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_hls_internal.h"
#include "sr_log.h"

#define SR_HLS_FMP4_HOLD_MS 1000 /* media held while waiting for the other track's configuration */

static sr_mp4_track_kind_t sr_hls_fmp4_kind(const sr_packet_t *pkt)
{
    return pkt->type == SR_PACKET_VIDEO ? SR_MP4_TRACK_VIDEO : SR_MP4_TRACK_AUDIO;
}

static void sr_hls_fmp4_release_held(sr_hls_fmp4_t *f)
{
    for (size_t i = 0; i < f->nb_held; i++) {
        sr_packet_deinit(&f->held[i]);
    }
    f->nb_held = 0;
}

/* Configure a track of the muxer from a sequence header; an unsupported codec is said
 * once per stream and leaves its track out. */
static void sr_hls_fmp4_configure(sr_hls_t *h, const sr_packet_t *sh)
{
    sr_hls_fmp4_t *f = &h->fmp4;
    int rc = sr_mp4_mux_configure(f->mux, sh);
    if (rc != SR_OK && !f->is_codec_noted) {
        f->is_codec_noted = true;
        sr_warn("hls %s/%s/%s: this %s codec cannot go into fMP4 segments (%s): H.264, H.265, AAC and Opus can",
                h->req.vhost, h->req.app, h->req.stream, sh->type == SR_PACKET_VIDEO ? "video" : "audio",
                sr_err_name(rc));
    }
}

/* A new muxer configured with the sequence headers in force. */
static void sr_hls_fmp4_new_muxer(sr_hls_t *h)
{
    sr_hls_fmp4_t *f = &h->fmp4;
    sr_mp4_mux_free(f->mux);
    f->mux = sr_mp4_mux_new();
    f->is_init = false;
    const sr_packet_t *shs[] = {&f->vsh, &f->ash};
    for (size_t i = 0; i < SR_ARRAY_SIZE(shs); i++) {
        if (shs[i]->payload) {
            sr_hls_fmp4_configure(h, shs[i]);
        }
    }
}

/* Write the init segment when both tracks are configured, or with what is known when
 * force; then the held frames go in. */
static void sr_hls_fmp4_try_init(sr_hls_t *h, bool force)
{
    sr_hls_fmp4_t *f = &h->fmp4;
    bool has_v = sr_mp4_mux_has_track(f->mux, SR_MP4_TRACK_VIDEO);
    bool has_a = sr_mp4_mux_has_track(f->mux, SR_MP4_TRACK_AUDIO);
    if (f->is_init || !((has_v && has_a) || (force && (has_v || has_a)))) {
        if (!f->is_init && force && !has_v && !has_a) {
            sr_warn("hls %s/%s/%s: no H.264/H.265/AAC sequence header yet, %zu frames dropped", h->req.vhost,
                    h->req.app, h->req.stream, f->nb_held);
            sr_hls_fmp4_release_held(f);
        }
        return;
    }
    sr_buf_t init;
    sr_buf_init(&init);
    sr_mp4_mux_write_init(f->mux, &init);
    f->is_init = true;
    char rel[SR_HLS_REL_MAX];
    sr_hls_expand(h, h->cfg.init_file, 0, rel, sizeof(rel));
    sr_hls_write_file(h, rel, init.data, init.len);
    sr_hls_relative_uri(h->m3u8_dir, rel, f->map_uri, sizeof(f->map_uri));
    sr_trace("hls %s/%s/%s fmp4 init %s:%s%s", h->req.vhost, h->req.app, h->req.stream, rel, has_v ? " video" : "",
             has_a ? " audio" : "");
    sr_buf_deinit(&init);
    /* the held frames, in order; the array is detached first, a frame may end a segment */
    sr_packet_t *held = f->held;
    size_t n = f->nb_held;
    f->held = NULL;
    f->nb_held = f->cap_held = 0;
    for (size_t i = 0; i < n; i++) {
        if (sr_mp4_mux_has_track(f->mux, sr_hls_fmp4_kind(&held[i]))) {
            sr_hls_on_media(h, &held[i]);
        }
        sr_packet_deinit(&held[i]);
    }
    sr_free(held);
}

static void sr_hls_fmp4_hold(sr_hls_fmp4_t *f, const sr_packet_t *pkt)
{
    if (f->nb_held == f->cap_held) {
        f->cap_held = f->cap_held ? f->cap_held * 2 : 64;
        f->held = sr_realloc(f->held, f->cap_held * sizeof(*f->held));
    }
    sr_packet_copy(&f->held[f->nb_held++], pkt);
}

/* A sequence header: kept; before the init segment it configures the muxer, after it a
 * change or a new track starts a new muxer (and segment) after a discontinuity. */
static void sr_hls_fmp4_on_header(sr_hls_t *h, const sr_packet_t *pkt)
{
    sr_hls_fmp4_t *f = &h->fmp4;
    sr_packet_t *slot = pkt->type == SR_PACKET_VIDEO ? &f->vsh : &f->ash;
    bool is_same = slot->payload && slot->payload->size == pkt->payload->size &&
                   memcmp(slot->payload->data, pkt->payload->data, pkt->payload->size) == 0;
    if (is_same && f->mux) {
        return;
    }
    sr_packet_deinit(slot);
    sr_packet_copy(slot, pkt);
    if (!f->mux) {
        sr_hls_fmp4_new_muxer(h);
    } else if (!f->is_init) {
        sr_hls_fmp4_configure(h, pkt);
    } else {
        sr_trace("hls %s/%s/%s: %s configuration %s, new init segment", h->req.vhost, h->req.app, h->req.stream,
                 pkt->type == SR_PACKET_VIDEO ? "video" : "audio",
                 sr_mp4_mux_has_track(f->mux, sr_hls_fmp4_kind(pkt)) ? "changed" : "arrived");
        sr_hls_close_segment(h, h->last_dts + h->last_delta);
        h->next_discontinuity = true;
        sr_hls_fmp4_new_muxer(h);
        sr_hls_fmp4_try_init(h, true);
        return;
    }
    sr_hls_fmp4_try_init(h, false);
}

bool sr_hls_fmp4_gate(sr_hls_t *h, const sr_packet_t *pkt)
{
    sr_hls_fmp4_t *f = &h->fmp4;
    if (!sr_packet_is_av(pkt)) {
        return false; /* metadata has no place in fMP4 */
    }
    if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
        sr_hls_fmp4_on_header(h, pkt);
        return false;
    }
    if (!f->mux) {
        return false; /* no configuration yet: nothing can be decoded */
    }
    if (!f->is_init) {
        sr_hls_fmp4_hold(f, pkt);
        sr_hls_fmp4_try_init(h, pkt->dts - f->held[0].dts >= SR_HLS_FMP4_HOLD_MS);
        return false;
    }
    return sr_mp4_mux_has_track(f->mux, sr_hls_fmp4_kind(pkt));
}

/* An AVC/HEVC end-of-sequence tag (AVCPacketType 2, Enhanced RTMP SequenceEnd 2):
 * an encoder's goodbye, no sample. */
static bool sr_hls_fmp4_is_sequence_end(const sr_packet_t *pkt)
{
    const sr_payload_t *p = pkt->payload;
    if (pkt->type != SR_PACKET_VIDEO || p->size < 2) {
        return false;
    }
    return (p->data[0] & 0x80) ? (p->data[0] & 0x0f) == 2 : p->data[1] == 2;
}

int sr_hls_fmp4_add(sr_hls_t *h, const sr_packet_t *pkt)
{
    if (sr_hls_fmp4_is_sequence_end(pkt)) {
        return SR_OK;
    }
    return sr_mp4_mux_add_packet(h->fmp4.mux, pkt);
}

void sr_hls_fmp4_end_segment(sr_hls_t *h, int64_t end_ms)
{
    if (h->fmp4.mux && h->fmp4.is_init) {
        sr_mp4_mux_write_fragment_until(h->fmp4.mux, &h->ts, end_ms);
    }
}

bool sr_hls_fmp4_has_video(const sr_hls_t *h)
{
    return h->fmp4.mux && sr_mp4_mux_has_track(h->fmp4.mux, SR_MP4_TRACK_VIDEO);
}

void sr_hls_fmp4_restart(sr_hls_t *h)
{
    if (h->fmp4.mux && h->fmp4.is_init) {
        sr_hls_fmp4_new_muxer(h);
        sr_hls_fmp4_try_init(h, true);
    }
}

void sr_hls_fmp4_deinit(sr_hls_t *h)
{
    sr_hls_fmp4_t *f = &h->fmp4;
    sr_hls_fmp4_release_held(f);
    sr_free(f->held);
    sr_packet_deinit(&f->vsh);
    sr_packet_deinit(&f->ash);
    sr_mp4_mux_free(f->mux);
    memset(f, 0, sizeof(*f));
}
