/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_auth.h: the client side of RTSP authentication as cameras use it: HTTP Basic
 * and Digest (RFC 7617, RFC 7616 with MD5 or SHA-256, qop auth or none, RFC 2617's
 * form without qop) on RTSP requests (RFC 2326 D). Parse a WWW-Authenticate value,
 * then write the Authorization value of each request. Pure bytes on caller storage;
 * no logging, no error trail.
 */
#ifndef SR_RTSP_AUTH_H
#define SR_RTSP_AUTH_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_rtsp_auth_challenge {
    bool is_digest;    /* else Basic */
    bool is_sha256;    /* algorithm SHA-256 (else MD5) */
    bool is_sess;      /* algorithm MD5-sess / SHA-256-sess */
    bool has_qop_auth; /* qop offers "auth" */
    char realm[128];
    char nonce[128];
    char opaque[128];
} sr_rtsp_auth_challenge_t;

/* Parse one WWW-Authenticate value v[0..len) ("Digest realm=\"x\", nonce=\"y\"" or
 * "Basic realm=\"x\""); of several challenges in one value the first we can answer
 * wins, Digest over Basic. -SR_EUNSUPPORTED for schemes or algorithms we cannot
 * answer (or qop auth-int only), -SR_EFORMAT for malformed text or a Digest without
 * nonce, -SR_ENAME_TOO_LONG for a field longer than its buffer. */
int sr_rtsp_auth_parse_challenge(const char *v, size_t len, sr_rtsp_auth_challenge_t *out);

/* The Authorization value for method and uri with user and pass into out[0..size).
 * nc is the nonce count (1 for the first request on a nonce), cnonce a client nonce
 * (hex, chosen by the caller). -SR_EOVERFLOW when it does not fit. */
int sr_rtsp_auth_write(const sr_rtsp_auth_challenge_t *c, const char *user, const char *pass, const char *method,
                       const char *uri, uint32_t nc, const char *cnonce, char *out, size_t size);

SR_END_DECLS

#endif
