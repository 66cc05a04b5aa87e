/* SPDX-License-Identifier: MIT */
/*
 * sr_url.h: parsing of stream URLs (rtmp://host:port/app?query, srt/http alike)
 * and query strings. Pure string work on caller storage; no server policy (which
 * vhost a request belongs to is app/sr_request's business).
 */
#ifndef SR_URL_H
#define SR_URL_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_url {
    char scheme[16];
    char host[256];   /* without brackets for IPv6 literals */
    int port;         /* 0 when absent */
    char path[1024];  /* after the authority, without the leading '/', without query */
    char query[1024]; /* after '?', without it */
} sr_url_t;

/* Parse "scheme://host[:port][/path][?query]". Returns -SR_EINVAL on a malformed URL
 * or fields that do not fit. */
int sr_url_parse(const char *url, sr_url_t *out);

/* Find key in a query string "a=1&b=2" (a leading '?' is skipped) and copy its value
 * (not percent-decoded) into out. Returns true when present. */
bool sr_url_query_get(const char *query, const char *key, char *out, size_t out_size);

/* Split "name?query" at the first '?': name into name_out, "?query" (with the '?',
 * or "" if none) into query_out. Either output may be NULL. */
void sr_url_split_query(const char *s, char *name_out, size_t name_size, char *query_out, size_t query_size);

/* Percent-decode src into dst ('+' stays '+'). Returns -SR_EINVAL on a bad escape or when it does not fit. */
int sr_url_decode(const char *src, char *dst, size_t dst_size);

SR_END_DECLS

#endif
