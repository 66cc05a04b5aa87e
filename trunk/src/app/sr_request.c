/* SPDX-License-Identifier: MIT */
#include "sr_request.h"

#include <stdio.h>
#include <string.h>

#include "sr_consts.h"
#include "sr_url.h"

/* A vhost named by parameter: "vhost" wins over the older "domain". */
static bool sr_request_vhost_param(const char *query, char *out, size_t size)
{
    char v[256];
    if ((sr_url_query_get(query, "vhost", v, sizeof(v)) || sr_url_query_get(query, "domain", v, sizeof(v))) && v[0]) {
        snprintf(out, size, "%s", v);
        return true;
    }
    return false;
}

void sr_request_from_connect(sr_request_t *req, const char *tc_url, const char *app_field, int default_port)
{
    char app_query[1024];
    sr_url_t url;
    snprintf(req->tc_url, sizeof(req->tc_url), "%s", tc_url ? tc_url : "");
    req->port = default_port;
    if (tc_url && sr_url_parse(tc_url, &url) == 0) {
        snprintf(req->schema, sizeof(req->schema), "%s", url.scheme);
        snprintf(req->host, sizeof(req->host), "%s", url.host);
        if (url.port) {
            req->port = url.port;
        }
    } else {
        snprintf(req->schema, sizeof(req->schema), "rtmp");
    }
    sr_url_split_query(app_field ? app_field : "", req->app, sizeof(req->app), app_query, sizeof(app_query));
    /* Trim a trailing '/' some clients leave on the app. */
    size_t n = strlen(req->app);
    while (n > 0 && req->app[n - 1] == '/') {
        req->app[--n] = '\0';
    }
    snprintf(req->param, sizeof(req->param), "%s", app_query);
    if (!sr_request_vhost_param(app_query, req->vhost, sizeof(req->vhost))) {
        snprintf(req->vhost, sizeof(req->vhost), "%s", req->host[0] ? req->host : SR_DEFAULT_VHOST);
    }
}

void sr_request_set_stream(sr_request_t *req, const char *stream_field)
{
    char query[1024];
    sr_url_split_query(stream_field ? stream_field : "", req->stream, sizeof(req->stream), query, sizeof(query));
    if (query[0]) {
        snprintf(req->param, sizeof(req->param), "%s", query);
        sr_request_vhost_param(query, req->vhost, sizeof(req->vhost));
    }
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
