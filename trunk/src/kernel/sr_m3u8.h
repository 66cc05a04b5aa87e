/* SPDX-License-Identifier: MIT */
/*
 * sr_m3u8.h: an HLS media playlist (RFC 8216) as a list of segments, its text
 * (#EXTM3U, #EXT-X-VERSION:3, #EXT-X-TARGETDURATION, #EXT-X-MEDIA-SEQUENCE,
 * #EXT-X-DISCONTINUITY-SEQUENCE, #EXT-X-DISCONTINUITY, #EXT-X-PROGRAM-DATE-TIME,
 * #EXT-X-MAP of fMP4 segments, #EXTINF with decimals), with Low-Latency HLS
 * (RFC 8216bis: #EXT-X-SERVER-CONTROL, #EXT-X-PART-INF, #EXT-X-PART,
 * #EXT-X-PRELOAD-HINT) when it has a part target, and a
 * reader for the playlists it wrote, so a republished stream continues the sequence
 * numbers of the playlist already on disk without any state kept in memory.
 *
 * Not here: master playlists, byte ranges, encryption, or reading
 * playlists of other writers beyond the tags above (unknown tags are skipped). Pure
 * text: no I/O, no logging.
 */
#ifndef SR_M3U8_H
#define SR_M3U8_H

#include "sr_bytes.h"
#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_M3U8_URI_MAX 1024
#define SR_M3U8_PARTS_MAX 64 /* parts listed per segment; a longer segment lists none */

/* The partial segments (LL-HLS) of a segment. Part k's URI is the segment's with ".k"
 * before its extension (sr_m3u8_part_uri). */
typedef struct sr_m3u8_parts {
    uint32_t count;
    uint64_t independent; /* bit k: part k starts with a keyframe (INDEPENDENT=YES) */
    float duration_s[SR_M3U8_PARTS_MAX];
} sr_m3u8_parts_t;

typedef struct sr_m3u8_entry {
    double duration_s;
    bool is_discontinuity;         /* #EXT-X-DISCONTINUITY before this segment */
    int64_t program_date_ms;       /* #EXT-X-PROGRAM-DATE-TIME, ms since the epoch (UTC); 0: none */
    char uri[SR_M3U8_URI_MAX];     /* relative to the playlist, without the entry prefix */
    char map_uri[SR_M3U8_URI_MAX]; /* #EXT-X-MAP (fMP4 init segment), as uri; "": none */
    sr_m3u8_parts_t parts;         /* listed near the live edge when the playlist has a part target */
} sr_m3u8_entry_t;

/* Transparent value in caller storage: sr_m3u8_init, then sr_m3u8_deinit. */
typedef struct sr_m3u8 {
    uint64_t media_sequence;         /* sequence number of entries[0] */
    uint64_t discontinuity_sequence; /* RFC 8216 4.3.3.3 */
    sr_m3u8_entry_t *entries;        /* owned */
    size_t count;
    size_t _cap;
    /* Low-Latency HLS: the part target (0: a classic playlist) and the segment being
     * written, whose parts (and the hint of its next one) follow the last segment. */
    double part_target_s;
    bool has_open;
    sr_m3u8_entry_t open; /* its duration_s is not written */
} sr_m3u8_t;

void sr_m3u8_init(sr_m3u8_t *pl);
void sr_m3u8_deinit(sr_m3u8_t *pl);
/* Append a segment (uri borrowed, copied; cut at SR_M3U8_URI_MAX - 1 bytes), without a
 * program date; returns the new entry (valid until the next change of pl). */
sr_m3u8_entry_t *sr_m3u8_append(sr_m3u8_t *pl, const char *uri, double duration_s, bool is_discontinuity);
/* Remove the oldest segment into *removed (may be NULL): the media sequence advances,
 * and the discontinuity sequence too when it carried a discontinuity (RFC 8216
 * 6.2.2). false when empty. */
bool sr_m3u8_shift(sr_m3u8_t *pl, sr_m3u8_entry_t *removed);
/* Sequence number the next appended segment gets. */
uint64_t sr_m3u8_next_sequence(const sr_m3u8_t *pl);
/* Sum of the durations. */
double sr_m3u8_total_s(const sr_m3u8_t *pl);
/* #EXT-X-TARGETDURATION: the largest EXTINF rounded up, and at least min_s rounded up
 * (hls_fragment * hls_td_ratio); at least 1. */
int sr_m3u8_target_duration(const sr_m3u8_t *pl, double min_s);
/* The URI of part k of the segment at uri: ".k" before the extension ("a-3.m4s" ->
 * "a-3.1.m4s"; no extension: appended). */
void sr_m3u8_part_uri(const char *uri, uint32_t k, char *out, size_t size);
/* Append the playlist text to out (caller-initialised): each URI is prefix (borrowed,
 * NULL or "" for none) followed by the entry's uri, and so is each EXT-X-MAP URI, written
 * where the map changes or after a discontinuity. EXTINF has 3 decimals. The version is 3, or 6 with a map
 * (RFC 8216 7). With a part target: EXT-X-SERVER-CONTROL (CAN-BLOCK-RELOAD,
 * PART-HOLD-BACK three part targets, CAN-SKIP-UNTIL six target durations) and
 * EXT-X-PART-INF, the parts of the segments that end within three target durations of
 * the live edge, then the open segment's tags, parts and an EXT-X-PRELOAD-HINT of its
 * next part. */
void sr_m3u8_encode(const sr_m3u8_t *pl, int target_duration, const char *prefix, sr_buf_t *out);
/* The Skip Boundary in target durations (RFC 8216bis 4.4.3.8: at least six). */
#define SR_M3U8_SKIP_TARGETS 6
/* The same as a Playlist Delta Update (RFC 8216bis 6.2.5.1, the answer to _HLS_skip=YES):
 * the segments that end at least the Skip Boundary before the end are replaced by one
 * EXT-X-SKIP (version 9), and the first listed segment states its map. Without a part
 * target, or with nothing to skip, the same text as sr_m3u8_encode. */
void sr_m3u8_encode_delta(const sr_m3u8_t *pl, int target_duration, const char *prefix, sr_buf_t *out);
/* Read len bytes of playlist text (borrowed) into pl (initialised, emptied first):
 * media and discontinuity sequences, and per segment its EXTINF duration,
 * discontinuity flag, program date, map and URI with prefix (NULL/"" none) removed when it starts with it.
 * Returns SR_OK, or -SR_EFORMAT when the text does not start with #EXTM3U or an
 * EXTINF has no URI or a bad number (negative, not finite, over a day: pl is then
 * empty). A program date that does not parse leaves its segment undated. */
int sr_m3u8_parse(const char *text, size_t len, const char *prefix, sr_m3u8_t *pl);

/* A program date as RFC 8216 4.3.2.6 writes it (ISO 8601, UTC, milliseconds:
 * "2026-12-05T02:31:25.123Z") into out (at least 32 bytes), and back: ms since the
 * epoch of "YYYY-MM-DDThh:mm:ss[.f...](Z|+hh:mm|-hh:mm|+hhmm|-hhmm)". */
void sr_m3u8_format_date(int64_t ms, char *out, size_t size);
bool sr_m3u8_parse_date(const char *s, int64_t *ms);

SR_END_DECLS

#endif
