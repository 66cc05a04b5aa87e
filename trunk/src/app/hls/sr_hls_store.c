/* SPDX-License-Identifier: MIT */
/*
 * sr_hls_store.c: the in-memory cache of live HLS files (sr_hls_store.h). A chained
 * hash table by key for the HTTP server's lookups, and one list in insertion order
 * (a replaced entry moves to the end) so eviction over the cap drops the oldest.
 * Not a general cache: a few entries per live stream, replaced per segment.
 * Waiters sleep on one of a few condition variables picked by the key's hash, so a
 * change wakes only the requests of its own (and a few colliding) keys. A segment's
 * entry may also hold its file open, for sendfile.
 */
#include "sr_hls_store.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_st.h"

#define SR_HLS_STORE_BUCKETS 1024 /* a power of two; a few entries per live stream */
#define SR_HLS_STORE_KEY_MAX 4096
#define SR_HLS_STORE_WAKES 64 /* a power of two */

typedef struct sr_hls_store_entry {
    struct sr_hls_store_entry *hnext;       /* bucket chain */
    struct sr_hls_store_entry *prev, *next; /* age list, oldest first */
    sr_payload_t *body;                     /* one reference; NULL: expected (sr_hls_store_expect) */
    sr_utime_t expire_us;                   /* 0: held until replaced, expired or evicted */
    sr_hls_store_meta_t meta;
    int fd; /* of the file on disk, -1: none */
    char key[];
} sr_hls_store_entry_t;

struct sr_hls_store {
    size_t cap_bytes;
    size_t bytes;
    size_t count;
    size_t fds; /* entries with a descriptor */
    sr_hls_store_entry_t *head, *tail;
    sr_hls_store_entry_t *buckets[SR_HLS_STORE_BUCKETS];
    sr_cond_t *wakes[SR_HLS_STORE_WAKES]; /* created by the first waiter */
};

static sr_hls_store_t *sr_hls_store_process;

/* FNV-1a: keys are paths sharing long prefixes; this mixes every byte. */
static uint32_t sr_hls_store_fnv(const char *key)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h = (h ^ *p) * 16777619u;
    }
    return h;
}

static size_t sr_hls_store_hash(const char *key)
{
    return sr_hls_store_fnv(key) & (SR_HLS_STORE_BUCKETS - 1);
}

static void sr_hls_store_wake(sr_hls_store_t *s, const char *key)
{
    sr_cond_t *c = s->wakes[(sr_hls_store_fnv(key) >> 10) & (SR_HLS_STORE_WAKES - 1)];
    if (c) {
        sr_cond_broadcast(c);
    }
}

sr_hls_store_t *sr_hls_store_new(size_t cap_bytes)
{
    sr_hls_store_t *s = SR_NEW(sr_hls_store_t);
    s->cap_bytes = cap_bytes;
    return s;
}

static sr_hls_store_entry_t **sr_hls_store_slot(sr_hls_store_t *s, const char *key)
{
    sr_hls_store_entry_t **pp = &s->buckets[sr_hls_store_hash(key)];
    while (*pp && strcmp((*pp)->key, key) != 0) {
        pp = &(*pp)->hnext;
    }
    return pp;
}

static void sr_hls_store_unlink_age(sr_hls_store_t *s, sr_hls_store_entry_t *e)
{
    if (e->prev) {
        e->prev->next = e->next;
    } else {
        s->head = e->next;
    }
    if (e->next) {
        e->next->prev = e->prev;
    } else {
        s->tail = e->prev;
    }
    e->prev = e->next = NULL;
}

static void sr_hls_store_append_age(sr_hls_store_t *s, sr_hls_store_entry_t *e)
{
    e->prev = s->tail;
    e->next = NULL;
    if (s->tail) {
        s->tail->next = e;
    } else {
        s->head = e;
    }
    s->tail = e;
}

static void sr_hls_store_close_fd(sr_hls_store_t *s, sr_hls_store_entry_t *e)
{
    if (e->fd >= 0) {
        close(e->fd);
        e->fd = -1;
        s->fds--;
    }
}

/* Remove e (found by its key), drop the store's reference to its body, close its file. */
static void sr_hls_store_remove(sr_hls_store_t *s, sr_hls_store_entry_t *e)
{
    sr_hls_store_entry_t **pp = sr_hls_store_slot(s, e->key);
    *pp = e->hnext;
    sr_hls_store_unlink_age(s, e);
    s->bytes -= e->body ? e->body->size : 0;
    s->count--;
    sr_hls_store_wake(s, e->key);
    sr_payload_unref(e->body);
    sr_hls_store_close_fd(s, e);
    sr_free(e);
}

void sr_hls_store_free(sr_hls_store_t *s)
{
    if (!s) {
        return;
    }
    while (s->head) {
        sr_hls_store_remove(s, s->head);
    }
    for (size_t i = 0; i < SR_HLS_STORE_WAKES; i++) {
        sr_cond_free(s->wakes[i]);
    }
    if (s == sr_hls_store_process) {
        sr_hls_store_process = NULL;
    }
    sr_free(s);
}

sr_hls_store_t *sr_hls_store_default(void)
{
    if (!sr_hls_store_process) {
        sr_hls_store_process = sr_hls_store_new(SR_HLS_STORE_DEFAULT_CAP_BYTES);
    }
    return sr_hls_store_process;
}

static bool sr_hls_store_is_expired(const sr_hls_store_entry_t *e, sr_utime_t now_us)
{
    return e->expire_us && now_us >= e->expire_us;
}

/* Sweep what expired, then drop the oldest while over the cap. */
static void sr_hls_store_trim(sr_hls_store_t *s, sr_utime_t now_us)
{
    for (sr_hls_store_entry_t *e = s->head, *next; e; e = next) {
        next = e->next;
        if (sr_hls_store_is_expired(e, now_us)) {
            sr_hls_store_remove(s, e);
        }
    }
    while (s->head && s->bytes > s->cap_bytes) {
        sr_hls_store_remove(s, s->head);
    }
}

void sr_hls_store_set_cap(sr_hls_store_t *s, size_t cap_bytes)
{
    s->cap_bytes = cap_bytes;
    while (s->head && s->bytes > s->cap_bytes) {
        sr_hls_store_remove(s, s->head);
    }
}

/* Insert e (its key not present) as the newest entry. */
static void sr_hls_store_link(sr_hls_store_t *s, sr_hls_store_entry_t *e)
{
    sr_hls_store_entry_t **pp = &s->buckets[sr_hls_store_hash(e->key)];
    e->hnext = *pp;
    *pp = e;
    sr_hls_store_append_age(s, e);
    s->bytes += e->body ? e->body->size : 0;
    s->count++;
    sr_hls_store_wake(s, e->key);
}

static sr_hls_store_entry_t *sr_hls_store_entry_new(const char *key, size_t klen, sr_payload_t *body)
{
    sr_hls_store_entry_t *e = sr_malloc(sizeof(*e) + klen + 1);
    memset(e, 0, sizeof(*e));
    memcpy(e->key, key, klen + 1);
    e->body = body;
    e->meta.ll_msn = -1;
    e->fd = -1;
    return e;
}

int sr_hls_store_put_take(sr_hls_store_t *s, const char *key, sr_payload_t *p, const sr_hls_store_meta_t *meta,
                          sr_utime_t now_us)
{
    size_t klen = strlen(key);
    if (klen == 0 || klen >= SR_HLS_STORE_KEY_MAX) {
        sr_payload_unref(p);
        return sr_err_new(SR_EINVAL, "hls store key of %zu bytes", klen);
    }
    sr_hls_store_entry_t **pp = sr_hls_store_slot(s, key);
    if (*pp) {
        sr_hls_store_remove(s, *pp); /* readers keep the old body through their reference */
    }
    if (p->size > s->cap_bytes) {
        sr_payload_unref(p); /* larger than the whole store: the disk serves it */
        sr_hls_store_trim(s, now_us);
        return SR_OK;
    }
    sr_hls_store_entry_t *e = sr_hls_store_entry_new(key, klen, p);
    if (meta) {
        e->meta = *meta;
    }
    sr_hls_store_link(s, e);
    sr_hls_store_trim(s, now_us);
    return SR_OK;
}

/* The live entry under key (expired ones are dropped), or NULL. */
static sr_hls_store_entry_t *sr_hls_store_find(sr_hls_store_t *s, const char *key, sr_utime_t now_us)
{
    sr_hls_store_entry_t *e = *sr_hls_store_slot(s, key);
    if (e && sr_hls_store_is_expired(e, now_us)) {
        sr_hls_store_remove(s, e);
        return NULL;
    }
    return e;
}

sr_payload_t *sr_hls_store_get(sr_hls_store_t *s, const char *key, sr_utime_t now_us, sr_hls_store_meta_t *meta)
{
    sr_hls_store_entry_t *e = sr_hls_store_find(s, key, now_us);
    if (!e || !e->body) {
        return NULL;
    }
    if (meta) {
        *meta = e->meta;
    }
    return sr_payload_ref(e->body);
}

/* How many files the store may hold open: SR_HLS_STORE_FDS_MAX, and at most an eighth
 * of the descriptor limit, which connections need first. */
static size_t sr_hls_store_fds_cap(void)
{
    static size_t cap;
    struct rlimit rl;
    if (!cap) {
        bool is_limited = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
        cap = is_limited ? SR_MIN((size_t)rl.rlim_cur / 8, (size_t)SR_HLS_STORE_FDS_MAX) : SR_HLS_STORE_FDS_MAX;
        cap = SR_MAX(cap, (size_t)1);
    }
    return cap;
}

void sr_hls_store_attach_fd(sr_hls_store_t *s, const char *key, int fd)
{
    sr_hls_store_entry_t *e = *sr_hls_store_slot(s, key);
    if (!e || !e->body || e->fd >= 0 || e->expire_us || s->fds >= sr_hls_store_fds_cap()) {
        close(fd);
        return;
    }
    e->fd = fd;
    s->fds++;
}

int sr_hls_store_dup_fd(sr_hls_store_t *s, const char *key, sr_utime_t now_us)
{
    sr_hls_store_entry_t *e = sr_hls_store_find(s, key, now_us);
    return e && e->fd >= 0 ? fcntl(e->fd, F_DUPFD_CLOEXEC, 0) : -1;
}

int sr_hls_store_expect(sr_hls_store_t *s, const char *key, sr_utime_t now_us, sr_utime_t within_us)
{
    size_t klen = strlen(key);
    if (klen == 0 || klen >= SR_HLS_STORE_KEY_MAX) {
        return sr_err_new(SR_EINVAL, "hls store key of %zu bytes", klen);
    }
    if (sr_hls_store_find(s, key, now_us)) {
        return SR_OK;
    }
    sr_hls_store_entry_t *e = sr_hls_store_entry_new(key, klen, NULL);
    e->expire_us = now_us + within_us;
    sr_hls_store_link(s, e);
    return SR_OK;
}

bool sr_hls_store_is_expected(sr_hls_store_t *s, const char *key, sr_utime_t now_us)
{
    sr_hls_store_entry_t *e = sr_hls_store_find(s, key, now_us);
    return e && !e->body;
}

int sr_hls_store_wait(sr_hls_store_t *s, const char *key, sr_utime_t deadline_us)
{
    sr_utime_t now = sr_time_mono_us();
    if (now >= deadline_us) {
        return -SR_ETIMEOUT;
    }
    sr_cond_t **c = &s->wakes[(sr_hls_store_fnv(key) >> 10) & (SR_HLS_STORE_WAKES - 1)];
    if (!*c) {
        *c = sr_cond_new();
    }
    return sr_cond_timedwait(*c, deadline_us - now);
}

void sr_hls_store_expire(sr_hls_store_t *s, const char *key, sr_utime_t now_us, sr_utime_t grace_us)
{
    sr_hls_store_entry_t *e = *sr_hls_store_slot(s, key);
    if (!e) {
        return;
    }
    if (grace_us == 0) {
        sr_hls_store_remove(s, e);
        return;
    }
    e->expire_us = now_us + grace_us;
    /* on its way out (a segment past the window): answered from memory till then, and
     * its file closed now, not at the next put, which may never come */
    sr_hls_store_close_fd(s, e);
}

size_t sr_hls_store_bytes(const sr_hls_store_t *s)
{
    return s->bytes;
}

size_t sr_hls_store_count(const sr_hls_store_t *s)
{
    return s->count;
}

int sr_hls_store_key(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX], real[PATH_MAX];
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash == path) {
        snprintf(dir, sizeof(dir), "/");
    }
    if (!realpath(dir, real)) {
        return sr_err_new(SR_ENOT_FOUND, "hls store key of %s", path);
    }
    const char *base = slash ? slash + 1 : path;
    bool is_root = strcmp(real, "/") == 0;
    if ((size_t)snprintf(out, size, "%s/%s", is_root ? "" : real, base) >= size) {
        return sr_err_new(SR_ENOT_FOUND, "hls store key of %s: too long", path);
    }
    return SR_OK;
}
