/* SPDX-License-Identifier: MIT */
/*
 * sr_config_rtsp.c: rtsp_server { enabled; listen 8554; rtp_port 8554; rtcp_port 8555;
 * session_timeout 60; }. The UDP ports default to the TCP port's number and the next
 * one (RTP even, RTCP odd, RFC 3550 11), away from rtc_server's 8000; the UDP
 * listeners take the listen directive's IP.
 */
#include "sr_config_rtsp.h"

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
