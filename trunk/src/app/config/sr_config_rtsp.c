/* SPDX-License-Identifier: MIT */
/*
 * sr_config_rtsp.c: rtsp_server { enabled; listen 8554; rtp_port 8554; rtcp_port 8555;
 * session_timeout 60; }. The UDP ports default to the TCP port's number and the next
 * one (RTP even, RTCP odd, RFC 3550 11), away from rtc_server's 8000; the UDP
 * listeners take the listen directive's IP. vhost rtsp_pull NAME { enabled; url; app;
 * transport tcp|udp; on_demand; } names a camera to pull.
 */
#include "sr_config_rtsp.h"

#include <stdio.h>
#include <string.h>

#include "sr_error.h"

int sr_config_rtsp_resolve_server(const sr_conf_t *root, sr_rtsp_server_config_t *out)
{
    const sr_conf_t *b = sr_conf_get(root, "rtsp_server");
    memset(out, 0, sizeof(*out));
    int rc = sr_config_server_block(b, 8554, &out->is_enabled, &out->addr);
    long rtp = 0, rtcp = 0, timeout = 0;
    rc = rc ? rc : sr_conf_int(b ? sr_conf_get(b, "rtp_port") : NULL, out->addr.port, 1, 65534, &rtp);
    rc = rc ? rc : sr_conf_int(b ? sr_conf_get(b, "rtcp_port") : NULL, rtp + 1, 1, 65535, &rtcp);
    rc = rc ? rc : sr_conf_int(b ? sr_conf_get(b, "session_timeout") : NULL, 60, 1, 3600, &timeout);
    if (rc == SR_OK && rtp == rtcp) {
        const sr_conf_t *n = sr_conf_get(b, "rtcp_port");
        return sr_err_new(SR_ECONFIG, "%s:%d: rtsp_server rtcp_port must differ from rtp_port %ld", sr_conf_file(n),
                          sr_conf_line(n), rtp);
    }
    out->rtp_addr = out->addr;
    out->rtp_addr.port = (int)rtp;
    out->rtcp_addr = out->addr;
    out->rtcp_addr.port = (int)rtcp;
    out->session_timeout_s = (int)timeout;
    return rc;
}

static int sr_config_rtsp_pull(const sr_conf_t *b, sr_rtsp_pull_config_t *p)
{
    const char *name = sr_conf_arg(b, 0);
    const sr_conf_t *u = sr_conf_get(b, "url");
    const char *url = sr_conf_str(u, "");
    if (!name || !name[0] || strchr(name, '/')) {
        return sr_err_new(SR_ECONFIG, "%s:%d: rtsp_pull needs a stream name (rtsp_pull cam { ... })", sr_conf_file(b),
                          sr_conf_line(b));
    }
    if (strncmp(url, "rtsp://", 7) != 0 || strlen(url) >= sizeof(p->url)) {
        return sr_err_new(SR_ECONFIG, "%s:%d: rtsp_pull %s: url must be rtsp://[user:pass@]host[:port]/path, got '%s'",
                          sr_conf_file(u ? u : b), sr_conf_line(u ? u : b), name, url);
    }
    const sr_conf_t *t = sr_conf_get(b, "transport");
    const char *transport = sr_conf_str(t, "tcp");
    if (strcmp(transport, "tcp") != 0 && strcmp(transport, "udp") != 0) {
        return sr_err_new(SR_ECONFIG, "%s:%d: rtsp_pull %s: transport must be tcp or udp, got '%s'", sr_conf_file(t),
                          sr_conf_line(t), name, transport);
    }
    snprintf(p->stream, sizeof(p->stream), "%s", name);
    snprintf(p->app, sizeof(p->app), "%s", sr_conf_str(sr_conf_get(b, "app"), "live"));
    snprintf(p->url, sizeof(p->url), "%s", url);
    p->is_udp = strcmp(transport, "udp") == 0;
    return sr_conf_bool(sr_conf_get(b, "on_demand"), true, &p->is_on_demand);
}

int sr_config_rtsp_resolve_vhost(const sr_conf_t *vhost, sr_rtsp_vhost_config_t *out)
{
    memset(out, 0, sizeof(*out));
    for (const sr_conf_t *b = vhost ? sr_conf_get(vhost, "rtsp_pull") : NULL; b;
         b = sr_conf_next(vhost, b, "rtsp_pull")) {
        bool is_enabled = true;
        int rc = sr_conf_bool(sr_conf_get(b, "enabled"), true, &is_enabled);
        if (rc != SR_OK) {
            return rc;
        }
        if (!is_enabled) {
            continue;
        }
        if (out->pull_count == SR_RTSP_MAX_PULLS) {
            return sr_err_new(SR_ECONFIG, "%s:%d: more than %d rtsp_pull blocks in one vhost", sr_conf_file(b),
                              sr_conf_line(b), SR_RTSP_MAX_PULLS);
        }
        if ((rc = sr_config_rtsp_pull(b, &out->pulls[out->pull_count])) != SR_OK) {
            return rc;
        }
        out->pull_count++;
    }
    return SR_OK;
}
