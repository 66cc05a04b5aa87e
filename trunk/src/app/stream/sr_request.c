/* SPDX-License-Identifier: MIT */
/*
 * sr_request.c: the request's heap strings (one allocation per non-empty field, an
 * empty field points at one shared "") and how connect and publish/play fill them.
 * Not the URL grammar itself: that is core/sr_url.
 */
#include "sr_request.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_url.h"

/* What every empty field points at; never freed. */
static const char sr_request_empty[1] = "";

/* Where each field lives and how long it may grow, by sr_request_field_t. */
static const struct {
    size_t offset;
    size_t max_len;
} sr_request_fields[SR_REQUEST_FIELD_COUNT] = {
    [SR_REQUEST_TC_URL] = {offsetof(sr_request_t, tc_url), SR_REQUEST_TC_URL_MAX},
    [SR_REQUEST_PAGE_URL] = {offsetof(sr_request_t, page_url), SR_REQUEST_PAGE_URL_MAX},
    [SR_REQUEST_SWF_URL] = {offsetof(sr_request_t, swf_url), SR_REQUEST_SWF_URL_MAX},
    [SR_REQUEST_SCHEMA] = {offsetof(sr_request_t, schema), SR_REQUEST_SCHEMA_MAX},
    [SR_REQUEST_HOST] = {offsetof(sr_request_t, host), SR_REQUEST_HOST_MAX},
    [SR_REQUEST_VHOST] = {offsetof(sr_request_t, vhost), SR_REQUEST_VHOST_MAX},
    [SR_REQUEST_APP] = {offsetof(sr_request_t, app), SR_REQUEST_APP_MAX},
    [SR_REQUEST_STREAM] = {offsetof(sr_request_t, stream), SR_REQUEST_STREAM_MAX},
    [SR_REQUEST_PARAM] = {offsetof(sr_request_t, param), SR_REQUEST_PARAM_MAX},
    [SR_REQUEST_IP] = {offsetof(sr_request_t, ip), SR_REQUEST_IP_MAX},
};

static const char **sr_request_slot(sr_request_t *req, sr_request_field_t field)
{
    return (const char **)((char *)req + sr_request_fields[field].offset);
}

static const char *sr_request_get(const sr_request_t *req, sr_request_field_t field)
{
    return *(const char *const *)((const char *)req + sr_request_fields[field].offset);
}

/* Free s unless it is the shared "" (or NULL, a zeroed request's field). */
static void sr_request_release(const char *s)
{
    if (s && s != sr_request_empty) {
        sr_free((void *)s);
    }
}

void sr_request_init(sr_request_t *req)
{
    for (int f = 0; f < SR_REQUEST_FIELD_COUNT; f++) {
        *sr_request_slot(req, (sr_request_field_t)f) = sr_request_empty;
    }
    req->port = 0;
    req->object_encoding = 0;
}

void sr_request_deinit(sr_request_t *req)
{
    for (int f = 0; f < SR_REQUEST_FIELD_COUNT; f++) {
        sr_request_release(*sr_request_slot(req, (sr_request_field_t)f));
    }
    sr_request_init(req);
}

void sr_request_set(sr_request_t *req, sr_request_field_t field, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    const char *s = sr_request_empty;
    if (n > 0) {
        size_t len = SR_MIN((size_t)n, sr_request_fields[field].max_len);
        char *p = sr_malloc(len + 1);
        vsnprintf(p, len + 1, fmt, again);
        s = p;
    }
    va_end(again);
    /* release only now: the arguments may have pointed at the old string */
    const char **slot = sr_request_slot(req, field);
    sr_request_release(*slot);
    *slot = s;
}

void sr_request_copy(sr_request_t *dst, const sr_request_t *src)
{
    if (dst == src) {
        return;
    }
    for (int f = 0; f < SR_REQUEST_FIELD_COUNT; f++) {
        const char *v = sr_request_get(src, (sr_request_field_t)f);
        sr_request_set(dst, (sr_request_field_t)f, "%s", v ? v : "");
    }
    dst->port = src->port;
    dst->object_encoding = src->object_encoding;
}

static int sr_request_check_len(const char *what, size_t len, size_t max)
{
    return len <= max ? SR_OK : sr_err_new(SR_ENAME_TOO_LONG, "%s of %zu bytes (at most %zu)", what, len, max);
}

/* "name?query": the lengths of both parts. */
static int sr_request_check_split(const char *field, const char *what, size_t name_max)
{
    size_t name = strcspn(field, "?");
    size_t query = field[name] ? strlen(field + name + 1) : 0;
    int rc = sr_request_check_len(what, name, name_max);
    return rc == SR_OK ? sr_request_check_len("parameters", query, SR_REQUEST_PARAM_MAX) : rc;
}

/* A vhost named by parameter: "vhost" wins over the older "domain". Sets *is_set. */
static int sr_request_vhost_param(sr_request_t *req, const char *query, bool *is_set)
{
    char v[SR_REQUEST_PARAM_MAX + 1];
    *is_set = false;
    if ((sr_url_query_get(query, "vhost", v, sizeof(v)) || sr_url_query_get(query, "domain", v, sizeof(v))) && v[0]) {
        int rc = sr_request_check_len("vhost", strlen(v), SR_REQUEST_VHOST_MAX);
        if (rc != SR_OK) {
            return rc;
        }
        sr_request_set(req, SR_REQUEST_VHOST, "%s", v);
        *is_set = true;
    }
    return SR_OK;
}

int sr_request_from_connect(sr_request_t *req, const char *tc_url, const char *app_field, int default_port)
{
    char app[SR_REQUEST_APP_MAX + 1], app_query[SR_REQUEST_PARAM_MAX + 1];
    sr_url_t url;
    int rc = sr_request_check_len("tcUrl", tc_url ? strlen(tc_url) : 0, SR_REQUEST_TC_URL_MAX);
    if (rc != SR_OK || (rc = sr_request_check_split(app_field ? app_field : "", "app", SR_REQUEST_APP_MAX))) {
        return rc;
    }
    sr_request_set(req, SR_REQUEST_TC_URL, "%s", tc_url ? tc_url : "");
    req->port = default_port;
    if (tc_url && sr_url_parse(tc_url, &url) == 0) {
        if ((rc = sr_request_check_len("tcUrl host", strlen(url.host), SR_REQUEST_HOST_MAX)) != SR_OK) {
            return rc;
        }
        sr_request_set(req, SR_REQUEST_SCHEMA, "%s", url.scheme);
        sr_request_set(req, SR_REQUEST_HOST, "%s", url.host);
        if (url.port) {
            req->port = url.port;
        }
    } else {
        sr_request_set(req, SR_REQUEST_SCHEMA, "rtmp");
    }
    sr_url_split_query(app_field ? app_field : "", app, sizeof(app), app_query, sizeof(app_query));
    /* Trim a trailing '/' some clients leave on the app. */
    size_t n = strlen(app);
    while (n > 0 && app[n - 1] == '/') {
        app[--n] = '\0';
    }
    sr_request_set(req, SR_REQUEST_APP, "%s", app);
    sr_request_set(req, SR_REQUEST_PARAM, "%s", app_query);
    bool has_vhost;
    if ((rc = sr_request_vhost_param(req, app_query, &has_vhost)) == SR_OK && !has_vhost) {
        sr_request_set(req, SR_REQUEST_VHOST, "%s", req->host[0] ? req->host : SR_DEFAULT_VHOST);
    }
    return rc;
}

int sr_request_set_stream(sr_request_t *req, const char *stream_field)
{
    char stream[SR_REQUEST_STREAM_MAX + 1], query[SR_REQUEST_PARAM_MAX + 1];
    int rc = sr_request_check_split(stream_field ? stream_field : "", "stream name", SR_REQUEST_STREAM_MAX);
    if (rc != SR_OK) {
        return rc;
    }
    sr_url_split_query(stream_field ? stream_field : "", stream, sizeof(stream), query, sizeof(query));
    sr_request_set(req, SR_REQUEST_STREAM, "%s", stream);
    if (query[0]) {
        bool has_vhost;
        sr_request_set(req, SR_REQUEST_PARAM, "%s", query);
        rc = sr_request_vhost_param(req, query, &has_vhost);
    }
    return rc;
}

void sr_request_source_key(const sr_request_t *req, char *out, size_t size)
{
    snprintf(out, size, "%s/%s/%s", req->vhost, req->app, req->stream);
}

void sr_request_stream_url(const sr_request_t *req, char *out, size_t size)
{
    if (strcmp(req->vhost, SR_DEFAULT_VHOST) == 0) {
        snprintf(out, size, "/%s/%s", req->app, req->stream);
    } else {
        snprintf(out, size, "%s/%s/%s", req->vhost, req->app, req->stream);
    }
}
