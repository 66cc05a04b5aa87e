/* SPDX-License-Identifier: MIT */
/*
 * sr_srtp.c: SRTP/SRTCP sessions over libsrtp2. Two libsrtp sessions per transport,
 * because a libsrtp session holds one "any SSRC" template: one outbound with our key,
 * one inbound with the peer's. libsrtp clones a per-SSRC stream from the template the
 * first time an SSRC is seen (inbound: only once a packet has authenticated, so forged
 * SSRCs cost nothing).
 *
 * Not for: choosing keys (sr_dtls does, from the DTLS exporter), RTP parsing.
 */
#include "sr_srtp.h"

#include <limits.h>
#include <srtp2/srtp.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"

/* RTP fixed header (RFC 3550 5.1) and RTCP common header (6.4.1). */
#define SR_SRTP_RTP_HEADER 12
#define SR_SRTP_RTCP_HEADER 8
/* Packets received out of order this far back are still accepted (RFC 3711 3.3.2). */
#define SR_SRTP_REPLAY_WINDOW 1024

struct sr_srtp {
    srtp_t out;
    srtp_t in;
};

static bool sr_srtp_inited;

size_t sr_srtp_profile_key_len(int profile)
{
    switch (profile) {
    case SR_SRTP_PROFILE_AES128_CM_SHA1_80:
        return SRTP_AES_ICM_128_KEY_LEN_WSALT;
    case SR_SRTP_PROFILE_AEAD_AES_128_GCM:
        return SRTP_AES_GCM_128_KEY_LEN_WSALT;
    default:
        return 0;
    }
}

int sr_srtp_library_init(void)
{
    if (sr_srtp_inited) {
        return SR_OK;
    }
    srtp_err_status_t st = srtp_init();
    if (st != srtp_err_status_ok) {
        return sr_err_new(SR_ESRTP, "srtp_init status %d", (int)st);
    }
    sr_srtp_inited = true;
    return SR_OK;
}

static int sr_srtp_session(int profile, const uint8_t *key, srtp_ssrc_type_t dir, srtp_t *out);

bool sr_srtp_is_supported(int profile)
{
    static int gcm = -1; /* not probed yet */
    if (profile == SR_SRTP_PROFILE_AES128_CM_SHA1_80) {
        return true;
    }
    if (profile != SR_SRTP_PROFILE_AEAD_AES_128_GCM) {
        return false;
    }
    if (gcm < 0) {
        /* libsrtp without a crypto library still declares GCM but refuses the policy */
        const uint8_t zero[SR_SRTP_MAX_MASTER_LEN] = {0};
        srtp_t probe = NULL;
        gcm = sr_srtp_library_init() == SR_OK && sr_srtp_session(profile, zero, ssrc_any_outbound, &probe) == SR_OK;
        if (probe) {
            srtp_dealloc(probe);
        }
        sr_err_clear();
    }
    return gcm == 1;
}

static int sr_srtp_session(int profile, const uint8_t *key, srtp_ssrc_type_t dir, srtp_t *out)
{
    srtp_policy_t p;
    memset(&p, 0, sizeof(p));
    if (profile == SR_SRTP_PROFILE_AEAD_AES_128_GCM) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
    } else {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
    }
    /* libsrtp reads the key through a non-const pointer but does not write it */
    uint8_t copy[SR_SRTP_MAX_MASTER_LEN];
    memcpy(copy, key, sizeof(copy));
    p.key = copy;
    p.ssrc.type = dir;
    p.window_size = SR_SRTP_REPLAY_WINDOW;
    p.allow_repeat_tx = dir == ssrc_any_outbound;
    srtp_err_status_t st = srtp_create(out, &p);
    explicit_bzero(copy, sizeof(copy));
    if (st != srtp_err_status_ok) {
        *out = NULL;
        return sr_err_new(SR_ESRTP, "srtp_create %s profile 0x%04x status %d",
                          dir == ssrc_any_outbound ? "outbound" : "inbound", profile, (int)st);
    }
    return SR_OK;
}

int sr_srtp_new(const sr_srtp_keys_t *keys, sr_srtp_t **out)
{
    *out = NULL;
    size_t want = sr_srtp_profile_key_len(keys->profile);
    if (want == 0 || keys->key_len != want) {
        return sr_err_new(SR_EINVAL, "srtp profile 0x%04x key_len %zu (want %zu)", keys->profile, keys->key_len, want);
    }
    int rc = sr_srtp_library_init();
    if (rc != SR_OK) {
        return rc;
    }
    sr_srtp_t *s = SR_NEW(sr_srtp_t);
    rc = sr_srtp_session(keys->profile, keys->local_key, ssrc_any_outbound, &s->out);
    if (rc == SR_OK) {
        rc = sr_srtp_session(keys->profile, keys->remote_key, ssrc_any_inbound, &s->in);
    }
    if (rc != SR_OK) {
        sr_srtp_free(s);
        return rc;
    }
    *out = s;
    return SR_OK;
}

void sr_srtp_free(sr_srtp_t *s)
{
    if (!s) {
        return;
    }
    /* srtp_dealloc zeroes the session keys before freeing them */
    if (s->out) {
        srtp_dealloc(s->out);
    }
    if (s->in) {
        srtp_dealloc(s->in);
    }
    sr_free(s);
}

/* Per-packet statuses map to codes the caller counts; no trail (see the header). */
static int sr_srtp_code(srtp_err_status_t st)
{
    switch (st) {
    case srtp_err_status_ok:
        return SR_OK;
    case srtp_err_status_auth_fail:
        return -SR_ESRTP_AUTH;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
        return -SR_ESRTP_REPLAY;
    default:
        return -SR_ESRTP;
    }
}

typedef srtp_err_status_t (*sr_srtp_fn)(srtp_t, void *, int *);

static int sr_srtp_run(srtp_t ctx, sr_srtp_fn fn, uint8_t *buf, size_t *len, size_t header)
{
    if (*len < header) {
        return -SR_EFORMAT;
    }
    if (*len > INT_MAX - SR_SRTP_MAX_TRAILER) {
        return -SR_EOVERFLOW;
    }
    int n = (int)*len;
    int rc = sr_srtp_code(fn(ctx, buf, &n));
    if (rc == SR_OK) {
        *len = (size_t)n;
    }
    return rc;
}

/* libsrtp appends its trailer without knowing the buffer's size: check it here. */
static bool sr_srtp_has_room(size_t len, size_t cap)
{
    return len <= cap && cap - len >= SR_SRTP_MAX_TRAILER;
}

int sr_srtp_protect_rtp(sr_srtp_t *s, uint8_t *buf, size_t *len, size_t cap)
{
    if (!sr_srtp_has_room(*len, cap)) {
        return -SR_EOVERFLOW;
    }
    return sr_srtp_run(s->out, srtp_protect, buf, len, SR_SRTP_RTP_HEADER);
}

int sr_srtp_protect_rtcp(sr_srtp_t *s, uint8_t *buf, size_t *len, size_t cap)
{
    if (!sr_srtp_has_room(*len, cap)) {
        return -SR_EOVERFLOW;
    }
    return sr_srtp_run(s->out, srtp_protect_rtcp, buf, len, SR_SRTP_RTCP_HEADER);
}

/* Unprotect only shrinks the packet, so the buffer needs no room past *len. */
int sr_srtp_unprotect_rtp(sr_srtp_t *s, uint8_t *buf, size_t *len)
{
    return sr_srtp_run(s->in, srtp_unprotect, buf, len, SR_SRTP_RTP_HEADER);
}

int sr_srtp_unprotect_rtcp(sr_srtp_t *s, uint8_t *buf, size_t *len)
{
    return sr_srtp_run(s->in, srtp_unprotect_rtcp, buf, len, SR_SRTP_RTCP_HEADER);
}
