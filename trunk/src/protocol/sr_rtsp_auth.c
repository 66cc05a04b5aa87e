/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_auth.c: WWW-Authenticate is a scheme then comma-separated name=value pairs
 * (values quoted or tokens); a second scheme may follow after a comma. Digest's
 * response is H(H(A1):nonce[:nc:cnonce:qop]:H(A2)) with A1 = user:realm:pass (and
 * :nonce:cnonce for -sess) and A2 = method:uri, H being MD5 or SHA-256 in lower hex.
 */
#include "sr_rtsp_auth.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sr_base64.h"
#include "sr_error.h"

typedef struct sr_auth_span {
    const char *p;
    size_t n;
} sr_auth_span_t;

static void sr_auth_skip_blank(const char **p, const char *end)
{
    while (*p < end && (**p == ' ' || **p == '\t' || **p == ',')) {
        (*p)++;
    }
}

static bool sr_auth_is_token_char(char c)
{
    return c > ' ' && c != ',' && c != '=' && c != '"' && c != 0x7f;
}

/* name=value (value quoted, with \-escapes, or a token) at *p; *p moves past it.
 * Returns 0 at the end, 1 for a pair, 2 for a bare token (the next scheme), <0 malformed. */
static int sr_auth_next(const char **p, const char *end, sr_auth_span_t *name, char *value, size_t size)
{
    sr_auth_skip_blank(p, end);
    if (*p >= end) {
        return 0;
    }
    const char *s = *p;
    while (*p < end && sr_auth_is_token_char(**p)) {
        (*p)++;
    }
    *name = (sr_auth_span_t){s, (size_t)(*p - s)};
    if (name->n == 0) {
        return -SR_EFORMAT;
    }
    const char *q = *p;
    while (q < end && (*q == ' ' || *q == '\t')) {
        q++;
    }
    if (q >= end || *q != '=') {
        return 2;
    }
    *p = q + 1;
    while (*p < end && (**p == ' ' || **p == '\t')) {
        (*p)++;
    }
    size_t n = 0;
    if (*p < end && **p == '"') {
        for ((*p)++; *p < end && **p != '"'; (*p)++) {
            if (**p == '\\' && *p + 1 < end) {
                (*p)++;
            }
            if (n + 1 >= size) {
                return -SR_ENAME_TOO_LONG;
            }
            value[n++] = **p;
        }
        if (*p >= end) {
            return -SR_EFORMAT; /* no closing quote */
        }
        (*p)++;
    } else {
        for (; *p < end && sr_auth_is_token_char(**p); (*p)++) {
            if (n + 1 >= size) {
                return -SR_ENAME_TOO_LONG;
            }
            value[n++] = **p;
        }
    }
    value[n] = '\0';
    return 1;
}

static bool sr_auth_is(sr_auth_span_t s, const char *word)
{
    return s.n == strlen(word) && strncasecmp(s.p, word, s.n) == 0;
}

/* Whether the comma-separated list has word (case-insensitive). */
static bool sr_auth_list_has(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        const char *e = p;
        while (*e && *e != ',' && *e != ' ') {
            e++;
        }
        if ((size_t)(e - p) == wl && strncasecmp(p, word, wl) == 0) {
            return true;
        }
        p = e;
    }
    return false;
}

/* The parameters of one challenge into c (after its scheme); stops at the next scheme.
 * *is_usable turns false for an algorithm or qop we cannot answer. */
static int sr_auth_params(const char **p, const char *end, sr_rtsp_auth_challenge_t *c, bool *is_usable)
{
    char value[256];
    for (;;) {
        const char *at = *p;
        sr_auth_span_t name;
        int rc = sr_auth_next(p, end, &name, value, sizeof(value));
        if (rc <= 0) {
            return rc;
        }
        if (rc == 2) {
            *p = at; /* the next challenge's scheme */
            return 0;
        }
        char *dst = sr_auth_is(name, "realm")    ? c->realm
                    : sr_auth_is(name, "nonce")  ? c->nonce
                    : sr_auth_is(name, "opaque") ? c->opaque
                                                 : NULL;
        if (dst) {
            if (strlen(value) >= sizeof(c->realm)) {
                return -SR_ENAME_TOO_LONG;
            }
            strcpy(dst, value);
        } else if (sr_auth_is(name, "algorithm")) {
            bool md5 = !strcasecmp(value, "MD5"), md5s = !strcasecmp(value, "MD5-sess");
            bool sha = !strcasecmp(value, "SHA-256"), shas = !strcasecmp(value, "SHA-256-sess");
            *is_usable = *is_usable && (md5 || md5s || sha || shas);
            c->is_sha256 = sha || shas;
            c->is_sess = md5s || shas;
        } else if (sr_auth_is(name, "qop")) {
            c->has_qop_auth = sr_auth_list_has(value, "auth");
            *is_usable = *is_usable && c->has_qop_auth; /* auth-int only */
        }
    }
}

int sr_rtsp_auth_parse_challenge(const char *v, size_t len, sr_rtsp_auth_challenge_t *out)
{
    const char *p = v, *end = v + len;
    bool has_basic = false;
    sr_rtsp_auth_challenge_t basic;
    memset(&basic, 0, sizeof(basic));
    for (;;) {
        sr_auth_skip_blank(&p, end);
        if (p >= end) {
            break;
        }
        const char *s = p;
        while (p < end && sr_auth_is_token_char(*p)) {
            p++;
        }
        sr_auth_span_t scheme = {s, (size_t)(p - s)};
        sr_rtsp_auth_challenge_t c;
        memset(&c, 0, sizeof(c));
        c.is_digest = sr_auth_is(scheme, "Digest");
        bool is_usable = true;
        int rc = scheme.n ? sr_auth_params(&p, end, &c, &is_usable) : -SR_EFORMAT;
        if (rc < 0) {
            return rc;
        }
        if (c.is_digest && !c.nonce[0]) {
            return -SR_EFORMAT;
        }
        if (c.is_digest && is_usable) {
            *out = c;
            return SR_OK;
        }
        if (sr_auth_is(scheme, "Basic") && !has_basic) {
            basic = c;
            has_basic = true;
        }
    }
    if (!has_basic) {
        return -SR_EUNSUPPORTED;
    }
    *out = basic;
    return SR_OK;
}

/* The lower-hex digest of text[0..n) with MD5 or SHA-256. */
static void sr_auth_hash(bool is_sha256, const char *text, size_t n, char hex[65])
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest(text, n, md, &len, is_sha256 ? EVP_sha256() : EVP_md5(), NULL);
    for (unsigned i = 0; i < len; i++) {
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
    hex[2 * len] = '\0';
}

/* hex = H(printf(fmt, ...)); false when the text does not fit. */
static bool sr_auth_hashf(bool is_sha256, char hex[65], const char *fmt, ...) SR_PRINTF(3, 4);
static bool sr_auth_hashf(bool is_sha256, char hex[65], const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(text)) {
        return false;
    }
    sr_auth_hash(is_sha256, text, (size_t)n, hex);
    return true;
}

int sr_rtsp_auth_write(const sr_rtsp_auth_challenge_t *c, const char *user, const char *pass, const char *method,
                       const char *uri, uint32_t nc, const char *cnonce, char *out, size_t size)
{
    int n;
    if (!c->is_digest) {
        char plain[512];
        n = snprintf(plain, sizeof(plain), "%s:%s", user, pass);
        if (n < 0 || (size_t)n >= sizeof(plain) || 6 + sr_base64_encoded_len((size_t)n) + 1 > size) {
            return -SR_EOVERFLOW;
        }
        memcpy(out, "Basic ", 6);
        sr_base64_encode((const uint8_t *)plain, (size_t)n, out + 6);
        return SR_OK;
    }
    bool sha = c->is_sha256;
    char ha1[65], ha2[65], resp[65];
    bool ok = sr_auth_hashf(sha, ha1, "%s:%s:%s", user, c->realm, pass);
    if (ok && c->is_sess) {
        ok = sr_auth_hashf(sha, ha1, "%s:%s:%s", ha1, c->nonce, cnonce);
    }
    ok = ok && sr_auth_hashf(sha, ha2, "%s:%s", method, uri);
    if (ok && c->has_qop_auth) {
        ok = sr_auth_hashf(sha, resp, "%s:%s:%08x:%s:auth:%s", ha1, c->nonce, (unsigned)nc, cnonce, ha2);
    } else if (ok) {
        ok = sr_auth_hashf(sha, resp, "%s:%s:%s", ha1, c->nonce, ha2);
    }
    if (!ok) {
        return -SR_EOVERFLOW;
    }
    const char *alg = sha ? (c->is_sess ? "SHA-256-sess" : "SHA-256") : (c->is_sess ? "MD5-sess" : "MD5");
    n = snprintf(out, size,
                 "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", response=\"%s\", algorithm=%s", user,
                 c->realm, c->nonce, uri, resp, alg);
    if (n >= 0 && (size_t)n < size && c->has_qop_auth) {
        n += snprintf(out + n, size - (size_t)n, ", qop=auth, nc=%08x, cnonce=\"%s\"", (unsigned)nc, cnonce);
    }
    if (n >= 0 && (size_t)n < size && c->opaque[0]) {
        n += snprintf(out + n, size - (size_t)n, ", opaque=\"%s\"", c->opaque);
    }
    return n >= 0 && (size_t)n < size ? SR_OK : -SR_EOVERFLOW;
}
