/* SPDX-License-Identifier: MIT */
/*
 * sr_hls_store.h: live HLS files (segments, playlists) kept in memory so the HTTP
 * server answers them from one shared, immutable buffer instead of reading the disk
 * per request. The HLS sink still writes every file to disk; the store is a cache in
 * front of it, keyed by the file's absolute path (the path the HTTP server maps a URL
 * to). An entry is replaced atomically (readers keep the old buffer through their own
 * reference), leaves after a grace once its segment leaves the playlist window, and
 * the oldest entries leave first when the store is over its byte cap: then the disk
 * answers, as it does for anything the store does not hold.
 *
 * Low-Latency HLS waits on it: a playlist entry carries how far its stream is (the
 * segment being written and its parts), a part the playlist hints at is expected before
 * it exists, and a request waits for the next change of a key (blocking reload).
 */
#ifndef SR_HLS_STORE_H
#define SR_HLS_STORE_H

#include "sr_core.h"
#include "sr_payload.h"
#include "sr_time.h"

SR_BEGIN_DECLS

typedef struct sr_hls_store sr_hls_store_t;

/* What the store knows of a file besides its bytes. */
typedef struct sr_hls_store_meta {
    int64_t mtime_ns;   /* of the file on disk (or of the write, in memory only): the HTTP validators */
    int64_t ll_msn;     /* LL-HLS playlist: the sequence number of the segment being written; -1: classic */
    int32_t ll_parts;   /* and how many of its parts are listed */
    int32_t ll_hold_ms; /* how long a blocking reload may wait (three target durations) */
} sr_hls_store_meta_t;

/* What follows a live LL-HLS playlist's key for its Playlist Delta Update (the answer to
 * _HLS_skip=YES; a request path has no '?', so no file's key ends so). */
#define SR_HLS_STORE_DELTA_SUFFIX "?_HLS_skip"

/* A store of at most cap_bytes of file bodies (0: holds nothing). Never NULL. */
sr_hls_store_t *sr_hls_store_new(size_t cap_bytes);
/* Free the store and drop its references (readers keep theirs). NULL ok. */
void sr_hls_store_free(sr_hls_store_t *s);
/* The process's store (created on first use, cap SR_HLS_STORE_DEFAULT_CAP_BYTES): the
 * HLS sinks fill it and the HTTP server reads it. */
sr_hls_store_t *sr_hls_store_default(void);
#define SR_HLS_STORE_DEFAULT_CAP_BYTES ((size_t)256 << 20)

/* Change the cap; evicts the oldest entries at once when over it. */
void sr_hls_store_set_cap(sr_hls_store_t *s, size_t cap_bytes);
/* Hold body (the store takes p's reference, on success and failure) under key (an
 * absolute path, copied), replacing any entry of that key, with meta (copied; NULL:
 * mtime 0, classic). Expired entries are swept
 * and the oldest evicted while over the cap (the new one last). now_us is the caller's
 * monotonic clock. Returns SR_OK, or -SR_EINVAL for an empty or over-long key (p dropped). */
int sr_hls_store_put_take(sr_hls_store_t *s, const char *key, sr_payload_t *p, const sr_hls_store_meta_t *meta,
                          sr_utime_t now_us);
/* A new reference to the body under key, or NULL when absent, expected or expired at
 * now_us; *meta (NULL: not wanted) gets what put was given. */
sr_payload_t *sr_hls_store_get(sr_hls_store_t *s, const char *key, sr_utime_t now_us, sr_hls_store_meta_t *meta);
/* Give the entry under key the descriptor of its file on disk (read-only; the store
 * closes it when the entry leaves), so an answer can go out with sendfile from the page
 * cache instead of copying the body into the socket. Closed at once when key has no
 * entry, is expiring, or the store already holds SR_HLS_STORE_FDS_MAX descriptors (or
 * an eighth of RLIMIT_NOFILE); closed when the entry starts to expire. */
#define SR_HLS_STORE_FDS_MAX 1024
void sr_hls_store_attach_fd(sr_hls_store_t *s, const char *key, int fd);
/* A descriptor (dup'ed: the caller closes it) of the file under key, or -1. */
int sr_hls_store_dup_fd(sr_hls_store_t *s, const char *key, sr_utime_t now_us);
/* Announce that key will be put before now_us + within_us (an LL-HLS preload hint): a
 * request for it may wait (sr_hls_store_is_expected) instead of failing. An entry that
 * holds a body is left alone. -SR_EINVAL for a bad key. */
int sr_hls_store_expect(sr_hls_store_t *s, const char *key, sr_utime_t now_us, sr_utime_t within_us);
bool sr_hls_store_is_expected(sr_hls_store_t *s, const char *key, sr_utime_t now_us);
/* Wait (yielding) until the entry under key is put, replaced or removed, or until
 * deadline_us (monotonic). SR_OK when it changed (or may have: keys share wake-ups),
 * -SR_ETIMEOUT, -SR_EINTERRUPTED when the server stops. */
int sr_hls_store_wait(sr_hls_store_t *s, const char *key, sr_utime_t deadline_us);
/* The entry under key expires at now_us + grace_us (0: leaves now). Absent: nothing. */
void sr_hls_store_expire(sr_hls_store_t *s, const char *key, sr_utime_t now_us, sr_utime_t grace_us);
/* Bytes and entries held now. */
size_t sr_hls_store_bytes(const sr_hls_store_t *s);
size_t sr_hls_store_count(const sr_hls_store_t *s);

/* The store key of path (relative or absolute; its directory must exist): the real
 * path of its directory, '/', its file name. Returns SR_OK or -SR_ENOT_FOUND. */
int sr_hls_store_key(const char *path, char *out, size_t size);

SR_END_DECLS

#endif
