/* SPDX-License-Identifier: MIT */
/*
 * sr_dtls_internal.h: what sr_dtls.c (sessions) and sr_dtls_cert.c (certificates and
 * the shared SSL_CTX) share. Tests may include it; app code may not.
 */
#ifndef SR_DTLS_INTERNAL_H
#define SR_DTLS_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "sr_dtls.h"

SR_BEGIN_DECLS

/* "sha-512 " and 64 hex pairs with their colons. */
#define SR_DTLS__FINGERPRINT_MAX (8 + 3 * EVP_MAX_MD_SIZE)
/* Room for a few of OpenSSL's error lines. */
#define SR_DTLS__ERRORS_MAX 512

/* One SSL_CTX per certificate, shared by every session made from it (each SSL holds a
 * reference, so sessions may outlive this struct). */
struct sr_dtls_cert {
    SSL_CTX *ctx;
    char fingerprint[SR_DTLS__FINGERPRINT_MAX];
};

/* Write "alg AB:CD:..." of x hashed with md into out (SR_DTLS__FINGERPRINT_MAX bytes).
 * False if OpenSSL cannot hash. */
bool sr_dtls__fingerprint(X509 *x, const EVP_MD *md, const char *alg, char *out);

/* OpenSSL's queued errors as one line in buf ("no OpenSSL error" if none), emptying
 * the queue so one session's failure does not show up in the next one's. Returns buf. */
const char *sr_dtls__ssl_errors(char *buf, size_t cap);

/* The SSL_CTX verify callback (sr_dtls.c): accepts self-signed peers whose leaf
 * certificate matches the session's remote fingerprint. */
int sr_dtls__verify(int preverify_ok, X509_STORE_CTX *store);

SR_END_DECLS

#endif
