/* SPDX-License-Identifier: MIT */
/*
 * sr_config_rtc.c: SRS's defaults: rtc_server listen 8000, candidate *, api_as_candidates
 * on, protocol udp, tcp { enabled off; listen 8000; }; vhost rtc enabled off, rtmp_to_rtc off, rtc_to_rtmp off, nack
 * on, twcc on, stun_timeout 30 s, dtls_role passive, opus_bitrate and aac_bitrate 48000, pli_for_rtmp 6.0 s. `candidate
 * $CANDIDATE;` reads the environment (the config lexer expands $NAME); unset, it is *.
 */
#include "sr_config_rtc.h"

#include <stdio.h>
#include <string.h>

#include "sr_error.h"

static const sr_conf_t *sr_config_rtc_get(const sr_conf_t *b, const char *name)
{
    return b ? sr_conf_get(b, name) : NULL;
}

static int sr_config_rtc_candidate(const sr_conf_t *b, sr_rtc_server_config_t *out)
{
    const sr_conf_t *n = sr_config_rtc_get(b, "candidate");
    const char *v = sr_conf_str(n, "*");
    if (strlen(v) >= sizeof(out->candidate)) {
        return sr_err_new(SR_ECONFIG, "%s:%d: rtc_server candidate is too long", sr_conf_file(n), sr_conf_line(n));
    }
    /* `candidate $CANDIDATE;` with CANDIDATE unset reads as empty: detect, as with * */
    snprintf(out->candidate, sizeof(out->candidate), "%s", v[0] ? v : "*");
    return SR_OK;
}

/* protocol udp|tcp|all: which candidates the answers carry; TCP needs its listener. */
static int sr_config_rtc_protocol(const sr_conf_t *b, sr_rtc_server_config_t *out)
{
    const sr_conf_t *p = sr_config_rtc_get(b, "protocol");
    const char *v = sr_conf_str(p, "udp");
    out->is_udp_candidates = strcmp(v, "udp") == 0 || strcmp(v, "all") == 0;
    out->is_tcp_candidates = strcmp(v, "tcp") == 0 || strcmp(v, "all") == 0;
    if (!out->is_udp_candidates && !out->is_tcp_candidates) {
        return sr_err_new(SR_ECONFIG, "%s:%d: rtc_server protocol must be udp, tcp or all, got '%s'", sr_conf_file(p),
                          sr_conf_line(p), v);
    }
    if (out->is_enabled && out->is_tcp_candidates && !out->is_tcp_enabled) {
        return sr_err_new(SR_ECONFIG, "%s:%d: rtc_server protocol %s needs tcp { enabled on; }", sr_conf_file(p),
                          sr_conf_line(p), v);
    }
    return SR_OK;
}

/* cert and key come as a pair. */
static int sr_config_rtc_cert(const sr_conf_t *b, sr_rtc_server_config_t *out)
{
    const sr_conf_t *c = sr_config_rtc_get(b, "cert"), *k = sr_config_rtc_get(b, "key");
    if (!c != !k) {
        const sr_conf_t *n = c ? c : k;
        return sr_err_new(SR_ECONFIG, "%s:%d: rtc_server needs both cert and key, or neither", sr_conf_file(n),
                          sr_conf_line(n));
    }
    snprintf(out->cert_path, sizeof(out->cert_path), "%s", sr_conf_str(c, ""));
    snprintf(out->key_path, sizeof(out->key_path), "%s", sr_conf_str(k, ""));
    return SR_OK;
}

int sr_config_rtc_resolve_server(const sr_conf_t *root, sr_rtc_server_config_t *out)
{
    const sr_conf_t *b = sr_conf_get(root, "rtc_server");
    memset(out, 0, sizeof(*out));
    int rc = sr_config_server_block(b, 8000, &out->is_enabled, &out->addr);
    rc = rc ? rc : sr_config_server_block(sr_config_rtc_get(b, "tcp"), 8000, &out->is_tcp_enabled, &out->tcp_addr);
    rc = rc ? rc : sr_config_rtc_protocol(b, out);
    rc = rc ? rc : sr_conf_bool(sr_config_rtc_get(b, "api_as_candidates"), true, &out->is_api_as_candidates);
    rc = rc ? rc : sr_config_rtc_candidate(b, out);
    return rc ? rc : sr_config_rtc_cert(b, out);
}

static int sr_config_rtc_role(const sr_conf_t *b, sr_rtc_vhost_config_t *out)
{
    const sr_conf_t *n = sr_config_rtc_get(b, "dtls_role");
    const char *v = sr_conf_str(n, "passive");
    if (strcmp(v, "passive") != 0 && strcmp(v, "active") != 0) {
        return sr_err_new(SR_ECONFIG, "%s:%d: dtls_role must be passive or active, got '%s'", sr_conf_file(n),
                          sr_conf_line(n), v);
    }
    out->is_dtls_active = strcmp(v, "active") == 0;
    return SR_OK;
}

int sr_config_rtc_resolve_vhost(const sr_conf_t *vhost, sr_rtc_vhost_config_t *out)
{
    const sr_conf_t *b = vhost ? sr_conf_get(vhost, "rtc") : NULL;
    memset(out, 0, sizeof(*out));
    long stun = 0, opus = 0, aac = 0;
    double pli = 0;
    int rc = sr_conf_bool(sr_config_rtc_get(b, "enabled"), false, &out->is_enabled);
    rc = rc ? rc : sr_conf_bool(sr_config_rtc_get(b, "rtmp_to_rtc"), false, &out->is_rtmp_to_rtc);
    rc = rc ? rc : sr_conf_bool(sr_config_rtc_get(b, "rtc_to_rtmp"), false, &out->is_rtc_to_rtmp);
    rc = rc ? rc : sr_conf_bool(sr_config_rtc_get(b, "nack"), true, &out->is_nack);
    rc = rc ? rc : sr_conf_bool(sr_config_rtc_get(b, "twcc"), true, &out->is_twcc);
    rc = rc ? rc : sr_conf_int(sr_config_rtc_get(b, "stun_timeout"), 30, 1, 3600, &stun);
    rc = rc ? rc : sr_conf_int(sr_config_rtc_get(b, "opus_bitrate"), 48000, 6000, 510000, &opus);
    rc = rc ? rc : sr_conf_int(sr_config_rtc_get(b, "aac_bitrate"), 48000, 8000, 512000, &aac);
    rc = rc ? rc : sr_conf_double_range(sr_config_rtc_get(b, "pli_for_rtmp"), 6.0, 0.5, 30.0, &pli);
    rc = rc ? rc : sr_config_rtc_role(b, out);
    out->stun_timeout_ms = (int)stun * 1000;
    out->opus_bitrate = (int)opus;
    out->aac_bitrate = (int)aac;
    out->pli_for_rtmp_us = (int64_t)(pli * 1e6);
    return rc;
}
