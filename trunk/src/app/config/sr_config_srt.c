/* SPDX-License-Identifier: MIT */
/*
 * sr_config_srt.c: srt_server's directives map onto libsrt socket options (sr_srt.h);
 * SRS's defaults: listen 10080, maxbw -1, mss 1500, connect_timeout 3000 ms,
 * peer_idle_timeout 10000 ms, latency 120 ms (peerlatency and recvlatency default to
 * it), tsbpdmode on, tlpktdrop on, payloadsize 1316, default_app live.
 */
#include "sr_config_srt.h"

#include <stdio.h>
#include <string.h>

#include "sr_error.h"

/* An integer directive of b, with its default and range. */
static int sr_config_srt_int(const sr_conf_t *b, const char *name, long dflt, long min, long max, long *out)
{
    return sr_conf_int(b ? sr_conf_get(b, name) : NULL, dflt, min, max, out);
}

static int sr_config_srt_ints(const sr_conf_t *b, sr_srt_opts_t *o)
{
    long latency = 0, v[9] = {0};
    int rc = sr_config_srt_int(b, "latency", 120, 0, 60000, &latency);
    rc = rc ? rc : sr_config_srt_int(b, "peerlatency", latency, 0, 60000, &v[0]);
    rc = rc ? rc : sr_config_srt_int(b, "recvlatency", latency, 0, 60000, &v[1]);
    rc = rc ? rc : sr_config_srt_int(b, "mss", 1500, 76, 65536, &v[2]);
    rc = rc ? rc : sr_config_srt_int(b, "payloadsize", 1316, 188, 1456, &v[3]);
    rc = rc ? rc : sr_config_srt_int(b, "sendbuf", 0, 0, 0x7fffffff, &v[4]);
    rc = rc ? rc : sr_config_srt_int(b, "recvbuf", 0, 0, 0x7fffffff, &v[5]);
    rc = rc ? rc : sr_config_srt_int(b, "peer_idle_timeout", 10000, 1, 3600000, &v[6]);
    rc = rc ? rc : sr_config_srt_int(b, "connect_timeout", 3000, 1, 3600000, &v[7]);
    rc = rc ? rc : sr_config_srt_int(b, "maxbw", -1, -1, 0x7fffffffffffL, &v[8]);
    o->latency_ms = (int)latency;
    o->peer_latency_ms = (int)v[0];
    o->recv_latency_ms = (int)v[1];
    o->mss = (int)v[2];
    o->payload_size = (int)v[3];
    o->send_buf = (int)v[4];
    o->recv_buf = (int)v[5];
    o->peer_idle_ms = (int)v[6];
    o->connect_ms = (int)v[7];
    o->max_bw = v[8];
    return rc;
}

static int sr_config_srt_crypto(const sr_conf_t *b, sr_srt_opts_t *o)
{
    const sr_conf_t *p = b ? sr_conf_get(b, "passphrase") : NULL;
    const char *pass = sr_conf_str(p, "");
    size_t n = strlen(pass);
    if (n && (n < 10 || n > 79)) {
        return sr_err_new(SR_ECONFIG, "%s:%d: srt passphrase must be 10..79 characters, got %zu", sr_conf_file(p),
                          sr_conf_line(p), n);
    }
    snprintf(o->passphrase, sizeof(o->passphrase), "%s", pass);
    long keylen = 0;
    const sr_conf_t *k = b ? sr_conf_get(b, "pbkeylen") : NULL;
    int rc = sr_conf_int(k, 0, 0, 32, &keylen);
    if (rc == SR_OK && keylen != 0 && keylen != 16 && keylen != 24 && keylen != 32) {
        return sr_err_new(SR_ECONFIG, "%s:%d: srt pbkeylen must be 0, 16, 24 or 32, got %ld", sr_conf_file(k),
                          sr_conf_line(k), keylen);
    }
    o->pbkeylen = (int)keylen;
    return rc;
}

int sr_config_srt_resolve_server(const sr_conf_t *root, sr_srt_server_config_t *out)
{
    const sr_conf_t *b = sr_conf_get(root, "srt_server");
    memset(out, 0, sizeof(*out));
    int rc = sr_config_server_block(b, 10080, &out->is_enabled, &out->addr);
    snprintf(out->default_app, sizeof(out->default_app), "%s",
             sr_conf_str(b ? sr_conf_get(b, "default_app") : NULL, "live"));
    rc = rc ? rc : sr_config_srt_ints(b, &out->opts);
    rc = rc ? rc : sr_conf_bool(b ? sr_conf_get(b, "tsbpdmode") : NULL, true, &out->opts.is_tsbpd);
    rc = rc ? rc : sr_conf_bool(b ? sr_conf_get(b, "tlpktdrop") : NULL, true, &out->opts.is_tlpktdrop);
    out->opts.has_tsbpd = out->opts.has_tlpktdrop = true;
    return rc ? rc : sr_config_srt_crypto(b, &out->opts);
}

int sr_config_srt_resolve_vhost(const sr_conf_t *vhost, sr_srt_vhost_config_t *out)
{
    const sr_conf_t *b = vhost ? sr_conf_get(vhost, "srt") : NULL;
    memset(out, 0, sizeof(*out));
    int rc = sr_conf_bool(b ? sr_conf_get(b, "enabled") : NULL, false, &out->is_enabled);
    return rc ? rc : sr_conf_bool(b ? sr_conf_get(b, "srt_to_rtmp") : NULL, true, &out->is_srt_to_rtmp);
}
