/* SPDX-License-Identifier: MIT */
/*
 * sr_dtls_cert.c: the DTLS certificate (made at start or loaded from PEM files), its
 * SDP fingerprint, and the one SSL_CTX per certificate that every session shares:
 * DTLS 1.2 only, ECDHE suites, use_srtp, mutual certificates checked against the
 * signalled fingerprint, no session cache or tickets (a resumed session would skip
 * that check).
 *
 * Not for: the handshake itself (sr_dtls.c).
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdio.h>

#include "sr_alloc.h"
#include "sr_dtls_internal.h"
#include "sr_error.h"

/* ECDHE only (forward secrecy); ECDSA for our own certificates, RSA for peers or loaded
 * certificates that use it. The CBC suites are for older stacks that lack GCM. */
#define SR_DTLS_CIPHERS                                                                                                \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"                         \
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"                           \
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA"
#define SR_DTLS_GROUPS "X25519:P-256:P-384"
#define SR_DTLS_CERT_DAYS 365
#define SR_DTLS_CERT_CN "strand"

const char *sr_dtls__ssl_errors(char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    const char *data = NULL;
    int flags = 0;
    unsigned long e;
    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        if (n + 1 >= cap) {
            continue; /* keep draining */
        }
        char line[256];
        ERR_error_string_n(e, line, sizeof(line));
        bool has_data = data && *data && (flags & ERR_TXT_STRING);
        int w = snprintf(buf + n, cap - n, "%s%s%s%s", n ? "; " : "", line, has_data ? ": " : "", has_data ? data : "");
        n = w < 0 ? cap : SR_MIN(cap - 1, n + (size_t)w);
    }
    if (n == 0) {
        snprintf(buf, cap, "no OpenSSL error");
    }
    return buf;
}

bool sr_dtls__fingerprint(X509 *x, const EVP_MD *md, const char *alg, char *out)
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!X509_digest(x, md, digest, &len)) {
        return false;
    }
    static const char hex[] = "0123456789ABCDEF";
    char *p = out + snprintf(out, SR_DTLS__FINGERPRINT_MAX, "%s ", alg);
    for (unsigned int i = 0; i < len; i++) {
        *p++ = hex[digest[i] >> 4];
        *p++ = hex[digest[i] & 0xf];
        *p++ = i + 1 < len ? ':' : '\0';
    }
    return true;
}

/* Encrypted keys would make OpenSSL prompt on the terminal: refuse instead. */
static int sr_dtls_cert_no_password(char *buf, int size, int rwflag, void *u)
{
    return 0;
}

static int sr_dtls_cert_ctx_new(SSL_CTX **out)
{
    char why[SR_DTLS__ERRORS_MAX];
    SSL_CTX *ctx = SSL_CTX_new(DTLS_method());
    if (!ctx) {
        return sr_err_new(SR_EDTLS, "SSL_CTX_new: %s", sr_dtls__ssl_errors(why, sizeof(why)));
    }
    /* offer GCM first when libsrtp2 can run it (RFC 7714), the server picks in its order */
    const char *profiles = sr_srtp_is_supported(SR_SRTP_PROFILE_AEAD_AES_128_GCM)
                               ? "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"
                               : "SRTP_AES128_CM_SHA1_80";
    const char *step = NULL;
    if (!SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) || !SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION)) {
        step = "DTLS 1.2";
    } else if (!SSL_CTX_set_cipher_list(ctx, SR_DTLS_CIPHERS)) {
        step = "cipher list";
    } else if (!SSL_CTX_set1_groups_list(ctx, SR_DTLS_GROUPS)) {
        step = "groups";
    } else if (SSL_CTX_set_tlsext_use_srtp(ctx, profiles) != 0) { /* 0 is success here */
        step = "use_srtp";
    }
    if (step) {
        SSL_CTX_free(ctx);
        return sr_err_new(SR_EDTLS, "SSL_CTX %s: %s", step, sr_dtls__ssl_errors(why, sizeof(why)));
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    /* both sides show a certificate (RFC 5763 5); the server asks for the client's */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, sr_dtls__verify);
    SSL_CTX_set_default_passwd_cb(ctx, sr_dtls_cert_no_password);
    *out = ctx;
    return SR_OK;
}

static int sr_dtls_cert_finish(sr_dtls_cert_t *c)
{
    X509 *x = SSL_CTX_get0_certificate(c->ctx);
    if (!x || !sr_dtls__fingerprint(x, EVP_sha256(), "sha-256", c->fingerprint)) {
        char why[SR_DTLS__ERRORS_MAX];
        return sr_err_new(SR_EDTLS, "certificate fingerprint: %s", sr_dtls__ssl_errors(why, sizeof(why)));
    }
    return SR_OK;
}

/* A positive 63-bit random serial (RFC 5280 4.1.2.2: unique per issuer, at most 20 octets). */
static bool sr_dtls_cert_serial(X509 *x)
{
    uint8_t r[8];
    if (RAND_bytes(r, sizeof(r)) != 1) {
        return false;
    }
    r[0] = (uint8_t)((r[0] & 0x7f) | 0x40);
    BIGNUM *bn = BN_bin2bn(r, sizeof(r), NULL);
    bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
    return ok;
}

/* Fill x as a self-signed certificate for pkey. */
static bool sr_dtls_cert_self_sign(X509 *x, EVP_PKEY *pkey)
{
    X509_NAME *name = X509_get_subject_name(x);
    /* a day back, so a peer whose clock is behind still accepts it */
    return X509_set_version(x, X509_VERSION_3) && sr_dtls_cert_serial(x) &&
           X509_gmtime_adj(X509_getm_notBefore(x), -24L * 3600) &&
           X509_gmtime_adj(X509_getm_notAfter(x), SR_DTLS_CERT_DAYS * 24L * 3600) &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)SR_DTLS_CERT_CN, -1, -1, 0) &&
           X509_set_issuer_name(x, name) && X509_set_pubkey(x, pkey) && X509_sign(x, pkey, EVP_sha256()) > 0;
}

int sr_dtls_cert_generate(sr_dtls_cert_t **out)
{
    *out = NULL;
    ERR_clear_error();
    char why[SR_DTLS__ERRORS_MAX];
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    bool ok = pkey && x && sr_dtls_cert_self_sign(x, pkey);
    if (!ok) {
        EVP_PKEY_free(pkey);
        X509_free(x);
        return sr_err_new(SR_EDTLS, "self-signed certificate: %s", sr_dtls__ssl_errors(why, sizeof(why)));
    }
    sr_dtls_cert_t *c = SR_NEW(sr_dtls_cert_t);
    int rc = sr_dtls_cert_ctx_new(&c->ctx);
    if (rc == SR_OK && (!SSL_CTX_use_certificate(c->ctx, x) || !SSL_CTX_use_PrivateKey(c->ctx, pkey))) {
        rc = sr_err_new(SR_EDTLS, "use certificate: %s", sr_dtls__ssl_errors(why, sizeof(why)));
    }
    EVP_PKEY_free(pkey); /* the SSL_CTX holds its own references */
    X509_free(x);
    if (rc == SR_OK) {
        rc = sr_dtls_cert_finish(c);
    }
    if (rc != SR_OK) {
        sr_dtls_cert_free(c);
        return rc;
    }
    *out = c;
    return SR_OK;
}

int sr_dtls_cert_load(const char *cert_path, const char *key_path, sr_dtls_cert_t **out)
{
    *out = NULL;
    ERR_clear_error();
    char why[SR_DTLS__ERRORS_MAX];
    sr_dtls_cert_t *c = SR_NEW(sr_dtls_cert_t);
    int rc = sr_dtls_cert_ctx_new(&c->ctx);
    if (rc != SR_OK) {
        sr_dtls_cert_free(c);
        return sr_err_wrap(rc, "load %s", cert_path);
    }
    if (SSL_CTX_use_certificate_chain_file(c->ctx, cert_path) != 1) {
        rc = sr_err_new(SR_EDTLS, "certificate file %s: %s", cert_path, sr_dtls__ssl_errors(why, sizeof(why)));
    } else if (SSL_CTX_use_PrivateKey_file(c->ctx, key_path, SSL_FILETYPE_PEM) != 1 ||
               SSL_CTX_check_private_key(c->ctx) != 1) {
        /* also where a key that belongs to another certificate is refused */
        rc = sr_err_new(SR_EDTLS, "key file %s (for %s): %s", key_path, cert_path,
                        sr_dtls__ssl_errors(why, sizeof(why)));
    } else {
        rc = sr_dtls_cert_finish(c);
    }
    if (rc != SR_OK) {
        sr_dtls_cert_free(c);
        return rc;
    }
    *out = c;
    return SR_OK;
}

void sr_dtls_cert_free(sr_dtls_cert_t *c)
{
    if (!c) {
        return;
    }
    SSL_CTX_free(c->ctx);
    sr_free(c);
}

const char *sr_dtls_cert_fingerprint(const sr_dtls_cert_t *c)
{
    return c->fingerprint;
}
