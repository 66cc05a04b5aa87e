/* SPDX-License-Identifier: MIT */
#include "sr_sinks.h"

#include "sr_alloc.h"
#include "sr_dvr.h"
#include "sr_hls.h"

struct sr_sinks {
    sr_hls_t *hls;
    sr_dvr_t *dvr;
};

sr_sinks_t *sr_sinks_start(sr_server_t *server, sr_source_t *source, const sr_request_t *req,
                           const sr_vhost_config_t *v)
{
    sr_sinks_t *s = SR_NEW(sr_sinks_t);
    /* v->hls/v->dvr point into the config: read them before anything yields. */
    sr_hls_config_t hls = v->hls ? *v->hls : (sr_hls_config_t){0};
    sr_dvr_config_t dvr = v->dvr ? *v->dvr : (sr_dvr_config_t){0};
    if (dvr.is_enabled && sr_config_media_dvr_applies(&dvr, req->app, req->stream)) {
        s->dvr = sr_dvr_start(server, source, req, &dvr);
    }
    if (hls.is_enabled) {
        s->hls = sr_hls_start(server, source, req, &hls);
    }
    return s;
}

void sr_sinks_stop(sr_sinks_t *s)
{
    if (!s) {
        return;
    }
    sr_hls_stop(s->hls);
    sr_dvr_stop(s->dvr);
    sr_free(s);
}
