/* SPDX-License-Identifier: MIT */
/*
 * sr_stun.c: STUN message parse, check and build for ICE connectivity checks (RFC
 * 8489, RFC 8445 7.1.1). MESSAGE-INTEGRITY is HMAC-SHA1 from OpenSSL; FINGERPRINT is
 * the CRC-32 of ISO 3309 / zlib, written here because nothing else in the tree uses that
 * CRC (the MPEG-TS CRC in sr_ts_mux.c is the unreflected MPEG-2 variant).
 */
#include "sr_stun.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "sr_bytes.h"
#include "sr_error.h"

/* attribute types, RFC 8489 18.3 and RFC 8445 16.1 */
#define SR_STUN_ATTR_MAPPED_ADDRESS 0x0001
#define SR_STUN_ATTR_USERNAME 0x0006
#define SR_STUN_ATTR_MESSAGE_INTEGRITY 0x0008
#define SR_STUN_ATTR_ERROR_CODE 0x0009
#define SR_STUN_ATTR_UNKNOWN_ATTRIBUTES 0x000A
#define SR_STUN_ATTR_REALM 0x0014
#define SR_STUN_ATTR_NONCE 0x0015
#define SR_STUN_ATTR_XOR_MAPPED_ADDRESS 0x0020
#define SR_STUN_ATTR_PRIORITY 0x0024
#define SR_STUN_ATTR_USE_CANDIDATE 0x0025
#define SR_STUN_ATTR_FINGERPRINT 0x8028
#define SR_STUN_ATTR_ICE_CONTROLLED 0x8029
#define SR_STUN_ATTR_ICE_CONTROLLING 0x802A

#define SR_STUN_HMAC_BYTES 20
#define SR_STUN_FINGERPRINT_XOR 0x5354554eu /* "STUN", RFC 8489 14.7 */
#define SR_STUN_FAMILY_IPV4 0x01
#define SR_STUN_FAMILY_IPV6 0x02

/* ---- checksums ---- */

/* CRC-32 of ISO 3309 / ITU-T V.42 (reflected polynomial 0xEDB88320, initial and final
 * value all ones), as RFC 8489 14.7 asks. Bitwise: messages are a few hundred bytes. */
static uint32_t sr_stun_crc32(const uint8_t *data, size_t size)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < size; i++) {
        crc ^= data[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return crc ^ 0xFFFFFFFFu;
}

/* HMAC-SHA1 keyed with the password over head[0..head_len) then body[0..body_len): the
 * header goes separately because the one checked has its length field rewritten. */
static void sr_stun_hmac(const char *pwd, const uint8_t *head, size_t head_len, const uint8_t *body, size_t body_len,
                         uint8_t out[SR_STUN_HMAC_BYTES])
{
    char digest[] = "SHA1";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    size_t n = 0;
    /* fails only when OpenSSL cannot allocate or has no SHA-1 provider: like out of
     * memory, nothing sensible can continue (STYLE 4) */
    if (!ctx || !EVP_MAC_init(ctx, (const unsigned char *)pwd, strlen(pwd), params) ||
        !EVP_MAC_update(ctx, head, head_len) || !EVP_MAC_update(ctx, body, body_len) ||
        !EVP_MAC_final(ctx, out, &n, SR_STUN_HMAC_BYTES) || n != SR_STUN_HMAC_BYTES) {
        abort();
    }
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
}

/* ---- demux ---- */

sr_stun_demux_t sr_stun_demux(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return SR_STUN_DEMUX_OTHER;
    }
    uint8_t b = data[0];
    if (b <= 3) {
        return SR_STUN_DEMUX_STUN;
    }
    if (b >= 20 && b <= 63) {
        return SR_STUN_DEMUX_DTLS;
    }
    if (b >= 128 && b <= 191) {
        return SR_STUN_DEMUX_RTP;
    }
    return SR_STUN_DEMUX_OTHER;
}

bool sr_stun_is_stun(const uint8_t *data, size_t size)
{
    return size >= SR_STUN_HEADER_BYTES && data[0] <= 3 && sr_get_be32(data + 4) == SR_STUN_MAGIC_COOKIE;
}

/* ---- parse ---- */

/* XOR-MAPPED-ADDRESS (RFC 8489 14.2): port and address XORed with the cookie, and for
 * IPv6 with the cookie then the transaction id. */
static int sr_stun_parse_xor_address(const uint8_t *v, size_t len, const uint8_t *header, sr_stun_msg_t *out)
{
    if (len != 8 && len != 20) {
        return -SR_EFORMAT;
    }
    uint16_t port = sr_get_be16(v + 2) ^ (uint16_t)(SR_STUN_MAGIC_COOKIE >> 16);
    memset(&out->mapped, 0, sizeof(out->mapped));
    if (len == 8 && v[1] == SR_STUN_FAMILY_IPV4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&out->mapped;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr.s_addr = htonl(sr_get_be32(v + 4) ^ SR_STUN_MAGIC_COOKIE);
    } else if (len == 20 && v[1] == SR_STUN_FAMILY_IPV6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->mapped;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        for (int i = 0; i < 16; i++) {
            sin6->sin6_addr.s6_addr[i] = v[4 + i] ^ header[4 + i]; /* cookie then txid */
        }
    } else {
        return -SR_EFORMAT;
    }
    out->has_mapped = true;
    return SR_OK;
}

static int sr_stun_parse_username(const uint8_t *v, size_t len, sr_stun_msg_t *out)
{
    if (len > SR_STUN_USERNAME_MAX || memchr(v, '\0', len)) {
        return -SR_EFORMAT;
    }
    memcpy(out->username, v, len);
    out->username[len] = '\0';
    return SR_OK;
}

/* ERROR-CODE (RFC 8489 14.8): 21 reserved bits, class 3..6, number 0..99, reason. */
static int sr_stun_parse_error_code(const uint8_t *v, size_t len, sr_stun_msg_t *out)
{
    if (len < 4) {
        return -SR_EFORMAT;
    }
    uint8_t cls = v[2] & 0x07, number = v[3];
    if (cls < 3 || cls > 6 || number > 99) {
        return -SR_EFORMAT;
    }
    out->error_code = (uint16_t)(cls * 100 + number);
    return SR_OK;
}

static void sr_stun_parse_unknown(uint16_t type, sr_stun_msg_t *out)
{
    /* 0x8000..0xFFFF are comprehension-optional: ignore them silently */
    if (type >= 0x8000 || out->nb_unknown == SR_STUN_MAX_UNKNOWN) {
        return;
    }
    for (size_t i = 0; i < out->nb_unknown; i++) {
        if (out->unknown[i] == type) {
            return;
        }
    }
    out->unknown[out->nb_unknown++] = type;
}

/* Bit of a known attribute in the set parse has taken, 0 for the rest (USE-CANDIDATE
 * and the ignored ones may repeat harmlessly). */
static uint32_t sr_stun_attr_bit(uint16_t type)
{
    static const uint16_t once[] = {SR_STUN_ATTR_USERNAME,        SR_STUN_ATTR_PRIORITY,
                                    SR_STUN_ATTR_ICE_CONTROLLING, SR_STUN_ATTR_ICE_CONTROLLED,
                                    SR_STUN_ATTR_ERROR_CODE,      SR_STUN_ATTR_XOR_MAPPED_ADDRESS};
    for (size_t i = 0; i < SR_ARRAY_SIZE(once); i++) {
        if (once[i] == type) {
            return 1u << i;
        }
    }
    return 0;
}

/* One attribute that comes before MESSAGE-INTEGRITY. */
static int sr_stun_parse_attr(uint16_t type, const uint8_t *v, size_t len, const uint8_t *header, sr_stun_msg_t *out)
{
    switch (type) {
    case SR_STUN_ATTR_USERNAME:
        return sr_stun_parse_username(v, len, out);
    case SR_STUN_ATTR_PRIORITY:
        if (len != 4) {
            return -SR_EFORMAT;
        }
        out->priority = sr_get_be32(v);
        return SR_OK;
    case SR_STUN_ATTR_USE_CANDIDATE:
        out->use_candidate = true;
        return len == 0 ? SR_OK : -SR_EFORMAT;
    case SR_STUN_ATTR_ICE_CONTROLLING:
    case SR_STUN_ATTR_ICE_CONTROLLED:
        if (len != 8) {
            return -SR_EFORMAT;
        }
        if (!out->ice_controlling && !out->ice_controlled) {
            out->tie_breaker = ((uint64_t)sr_get_be32(v) << 32) | sr_get_be32(v + 4);
        }
        out->ice_controlling |= type == SR_STUN_ATTR_ICE_CONTROLLING;
        out->ice_controlled |= type == SR_STUN_ATTR_ICE_CONTROLLED;
        return SR_OK;
    case SR_STUN_ATTR_ERROR_CODE:
        return sr_stun_parse_error_code(v, len, out);
    case SR_STUN_ATTR_XOR_MAPPED_ADDRESS:
        return sr_stun_parse_xor_address(v, len, header, out);
    case SR_STUN_ATTR_MAPPED_ADDRESS:
    case SR_STUN_ATTR_UNKNOWN_ATTRIBUTES:
    case SR_STUN_ATTR_REALM:
    case SR_STUN_ATTR_NONCE:
        return SR_OK; /* understood, of no use to ICE */
    default:
        sr_stun_parse_unknown(type, out);
        return SR_OK;
    }
}

/* The header: size, first bits, cookie, length. *end is the message's last byte + 1. */
static int sr_stun_parse_header(const uint8_t *data, size_t size, size_t *end)
{
    if (size < SR_STUN_HEADER_BYTES) {
        return -SR_ETRUNCATED;
    }
    if (data[0] > 3 || sr_get_be32(data + 4) != SR_STUN_MAGIC_COOKIE) {
        return -SR_EFORMAT;
    }
    size_t length = sr_get_be16(data + 2);
    if (length % 4) {
        return -SR_EFORMAT;
    }
    if (SR_STUN_HEADER_BYTES + length > size) {
        return -SR_ETRUNCATED;
    }
    if (SR_STUN_HEADER_BYTES + length < size) {
        return -SR_EFORMAT; /* one message per datagram (RFC 8489 6.2.1) */
    }
    *end = SR_STUN_HEADER_BYTES + length;
    return SR_OK;
}

int sr_stun_parse(const uint8_t *data, size_t size, sr_stun_msg_t *out)
{
    size_t end = 0;
    int rc = sr_stun_parse_header(data, size, &end);
    if (rc != SR_OK) {
        return rc;
    }
    memset(out, 0, sizeof(*out));
    out->type = sr_get_be16(data);
    memcpy(out->txid, data + 8, SR_STUN_TXID_BYTES);

    /* attributes are 4-aligned and the length is a multiple of 4, so a header fits;
     * of a repeated attribute only the first counts (RFC 8489 14) */
    uint32_t seen = 0;
    for (size_t pos = SR_STUN_HEADER_BYTES; pos < end;) {
        uint16_t type = sr_get_be16(data + pos);
        size_t len = sr_get_be16(data + pos + 2);
        size_t next = pos + 4 + ((len + 3) & ~(size_t)3);
        if (next > end || out->has_fingerprint) {
            return -SR_EFORMAT; /* past the end, or after FINGERPRINT (RFC 8489 14.7) */
        }
        const uint8_t *v = data + pos + 4;
        if (type == SR_STUN_ATTR_FINGERPRINT) {
            if (len != 4) {
                return -SR_EFORMAT;
            }
            out->has_fingerprint = true;
            out->_fingerprint_at = pos;
        } else if (out->has_integrity) {
            /* RFC 8489 14.5: what follows MESSAGE-INTEGRITY is ignored */
        } else if (type == SR_STUN_ATTR_MESSAGE_INTEGRITY) {
            if (len != SR_STUN_HMAC_BYTES) {
                return -SR_EFORMAT;
            }
            out->has_integrity = true;
            out->_integrity_at = pos;
        } else if (!(seen & sr_stun_attr_bit(type))) {
            seen |= sr_stun_attr_bit(type);
            if ((rc = sr_stun_parse_attr(type, v, len, data, out)) != SR_OK) {
                return rc;
            }
        }
        pos = next;
    }
    return SR_OK;
}

/* ---- verify ---- */

int sr_stun_verify(const uint8_t *data, size_t size, const char *pwd)
{
    sr_stun_msg_t m;
    int rc = sr_stun_parse(data, size, &m);
    if (rc != SR_OK) {
        return rc;
    }
    if (m.has_fingerprint) {
        /* the CRC covers everything before FINGERPRINT, the length as sent */
        uint32_t want = sr_get_be32(data + m._fingerprint_at + 4);
        if ((sr_stun_crc32(data, m._fingerprint_at) ^ SR_STUN_FINGERPRINT_XOR) != want) {
            return -SR_EFORMAT;
        }
    }
    if (!m.has_integrity) {
        return -SR_ENOT_FOUND;
    }
    if (!pwd || !pwd[0]) {
        return -SR_EINVAL;
    }
    /* RFC 8489 14.5: the HMAC covers the message up to MESSAGE-INTEGRITY, with a length
     * that ends after MESSAGE-INTEGRITY (so a FINGERPRINT after it is not counted) */
    uint8_t head[SR_STUN_HEADER_BYTES], mac[SR_STUN_HMAC_BYTES];
    memcpy(head, data, sizeof(head));
    sr_put_be16(head + 2, (uint16_t)(m._integrity_at + 4 + SR_STUN_HMAC_BYTES - SR_STUN_HEADER_BYTES));
    sr_stun_hmac(pwd, head, sizeof(head), data + SR_STUN_HEADER_BYTES, m._integrity_at - SR_STUN_HEADER_BYTES, mac);
    if (CRYPTO_memcmp(mac, data + m._integrity_at + 4, SR_STUN_HMAC_BYTES) != 0) {
        return -SR_EINVAL;
    }
    return SR_OK;
}

bool sr_stun_username_split(const sr_stun_msg_t *m, size_t *receiver_len, const char **sender)
{
    const char *colon = strchr(m->username, ':');
    if (!colon || colon == m->username || colon[1] == '\0') {
        return false;
    }
    *receiver_len = (size_t)(colon - m->username);
    *sender = colon + 1;
    return true;
}

/* ---- write ---- */

/* A message under construction in out[0..cap); overflow sticks until finish. */
typedef struct sr_stun_writer {
    uint8_t *out;
    size_t cap;
    size_t pos;
    bool overflow;
} sr_stun_writer_t;

static void sr_stun_writer_init(sr_stun_writer_t *w, uint8_t *out, size_t cap, uint16_t type, const uint8_t *txid)
{
    *w = (sr_stun_writer_t){.out = out, .cap = cap, .pos = SR_STUN_HEADER_BYTES};
    if (cap < SR_STUN_HEADER_BYTES) {
        w->overflow = true;
        return;
    }
    sr_put_be16(out, type);
    sr_put_be16(out + 2, 0);
    sr_put_be32(out + 4, SR_STUN_MAGIC_COOKIE);
    memcpy(out + 8, txid, SR_STUN_TXID_BYTES);
}

/* Append an attribute, value v[0..len) then zero padding to 4 bytes. */
static void sr_stun_writer_attr(sr_stun_writer_t *w, uint16_t type, const void *v, size_t len)
{
    size_t padded = (len + 3) & ~(size_t)3;
    if (w->overflow || w->cap - w->pos < 4 + padded) {
        w->overflow = true;
        return;
    }
    uint8_t *p = w->out + w->pos;
    sr_put_be16(p, type);
    sr_put_be16(p + 2, (uint16_t)len);
    if (len) {
        memcpy(p + 4, v, len);
    }
    memset(p + 4 + len, 0, padded - len);
    w->pos += 4 + padded;
}

static void sr_stun_writer_u32(sr_stun_writer_t *w, uint16_t type, uint32_t value)
{
    uint8_t v[4];
    sr_put_be32(v, value);
    sr_stun_writer_attr(w, type, v, sizeof(v));
}

/* MESSAGE-INTEGRITY (when pwd is set) and FINGERPRINT, each computed with the length
 * field ending just after it (RFC 8489 14.5, 14.7). */
static int sr_stun_writer_finish(sr_stun_writer_t *w, const char *pwd, size_t *written)
{
    uint8_t mac[SR_STUN_HMAC_BYTES] = {0};
    if (pwd && !w->overflow && w->cap - w->pos >= 4 + sizeof(mac)) {
        sr_put_be16(w->out + 2, (uint16_t)(w->pos + 4 + sizeof(mac) - SR_STUN_HEADER_BYTES));
        sr_stun_hmac(pwd, w->out, SR_STUN_HEADER_BYTES, w->out + SR_STUN_HEADER_BYTES, w->pos - SR_STUN_HEADER_BYTES,
                     mac);
    }
    if (pwd) {
        sr_stun_writer_attr(w, SR_STUN_ATTR_MESSAGE_INTEGRITY, mac, sizeof(mac));
    }
    if (!w->overflow && w->cap - w->pos >= 8) {
        sr_put_be16(w->out + 2, (uint16_t)(w->pos + 8 - SR_STUN_HEADER_BYTES));
        sr_stun_writer_u32(w, SR_STUN_ATTR_FINGERPRINT, sr_stun_crc32(w->out, w->pos) ^ SR_STUN_FINGERPRINT_XOR);
    } else {
        w->overflow = true;
    }
    if (w->overflow) {
        return -SR_EOVERFLOW;
    }
    *written = w->pos;
    return SR_OK;
}

/* XOR-MAPPED-ADDRESS of sa; -SR_EINVAL for a family other than IPv4/IPv6. */
static int sr_stun_writer_xor_address(sr_stun_writer_t *w, const struct sockaddr *sa, const uint8_t *txid)
{
    uint8_t v[20] = {0}, key[16];
    const uint8_t *addr = NULL;
    size_t addr_len = 0;
    uint16_t port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
        addr = (const uint8_t *)&sin->sin_addr;
        addr_len = 4;
        port = ntohs(sin->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
        bool v4mapped = IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr); /* a dual-stack socket's IPv4 peer */
        addr = sin6->sin6_addr.s6_addr + (v4mapped ? 12 : 0);
        addr_len = v4mapped ? 4 : 16;
        port = ntohs(sin6->sin6_port);
    } else {
        return -SR_EINVAL;
    }
    sr_put_be32(key, SR_STUN_MAGIC_COOKIE);
    memcpy(key + 4, txid, SR_STUN_TXID_BYTES);
    v[1] = addr_len == 4 ? SR_STUN_FAMILY_IPV4 : SR_STUN_FAMILY_IPV6;
    sr_put_be16(v + 2, port ^ (uint16_t)(SR_STUN_MAGIC_COOKIE >> 16));
    for (size_t i = 0; i < addr_len; i++) {
        v[4 + i] = addr[i] ^ key[i];
    }
    sr_stun_writer_attr(w, SR_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 4 + addr_len);
    return SR_OK;
}

int sr_stun_write_binding_success(uint8_t *out, size_t cap, size_t *written, const uint8_t txid[SR_STUN_TXID_BYTES],
                                  const struct sockaddr *mapped, const char *pwd)
{
    sr_stun_writer_t w;
    if (pwd && !pwd[0]) {
        return -SR_EINVAL;
    }
    sr_stun_writer_init(&w, out, cap, SR_STUN_BINDING_SUCCESS, txid);
    int rc = sr_stun_writer_xor_address(&w, mapped, txid);
    return rc != SR_OK ? rc : sr_stun_writer_finish(&w, pwd, written);
}

int sr_stun_write_binding_request(uint8_t *out, size_t cap, size_t *written, const sr_stun_request_t *req,
                                  const char *pwd)
{
    sr_stun_writer_t w;
    size_t ulen = req->username ? strlen(req->username) : 0;
    if ((pwd && !pwd[0]) || ulen > SR_STUN_USERNAME_MAX) {
        return -SR_EINVAL;
    }
    sr_stun_writer_init(&w, out, cap, SR_STUN_BINDING_REQUEST, req->txid);
    if (ulen) {
        sr_stun_writer_attr(&w, SR_STUN_ATTR_USERNAME, req->username, ulen);
    }
    if (req->priority) {
        sr_stun_writer_u32(&w, SR_STUN_ATTR_PRIORITY, req->priority);
    }
    uint8_t tb[8];
    sr_put_be32(tb, (uint32_t)(req->tie_breaker >> 32));
    sr_put_be32(tb + 4, (uint32_t)req->tie_breaker);
    sr_stun_writer_attr(&w, req->ice_controlling ? SR_STUN_ATTR_ICE_CONTROLLING : SR_STUN_ATTR_ICE_CONTROLLED, tb,
                        sizeof(tb));
    if (req->use_candidate) {
        sr_stun_writer_attr(&w, SR_STUN_ATTR_USE_CANDIDATE, NULL, 0);
    }
    return sr_stun_writer_finish(&w, pwd, written);
}

/* Reason phrases of RFC 8489 14.8 and RFC 8445 7.3.1.1. */
static const char *sr_stun_reason(uint16_t code)
{
    switch (code) {
    case 300:
        return "Try Alternate";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthenticated";
    case 420:
        return "Unknown Attribute";
    case 438:
        return "Stale Nonce";
    case 487:
        return "Role Conflict";
    case 500:
        return "Server Error";
    default:
        return "Error";
    }
}

int sr_stun_write_binding_error(uint8_t *out, size_t cap, size_t *written, const sr_stun_msg_t *req, uint16_t code,
                                const char *pwd)
{
    if (code < 300 || code > 699 || (pwd && !pwd[0])) {
        return -SR_EINVAL;
    }
    sr_stun_writer_t w;
    sr_stun_writer_init(&w, out, cap, SR_STUN_BINDING_ERROR, req->txid);
    const char *reason = sr_stun_reason(code);
    uint8_t v[4 + 32] = {0, 0, (uint8_t)(code / 100), (uint8_t)(code % 100)};
    size_t rlen = strlen(reason);
    memcpy(v + 4, reason, rlen);
    sr_stun_writer_attr(&w, SR_STUN_ATTR_ERROR_CODE, v, 4 + rlen);
    if (code == 420 && req->nb_unknown) {
        uint8_t u[2 * SR_STUN_MAX_UNKNOWN];
        size_t nb = SR_MIN(req->nb_unknown, SR_STUN_MAX_UNKNOWN);
        for (size_t i = 0; i < nb; i++) {
            sr_put_be16(u + 2 * i, req->unknown[i]);
        }
        sr_stun_writer_attr(&w, SR_STUN_ATTR_UNKNOWN_ATTRIBUTES, u, 2 * nb);
    }
    return sr_stun_writer_finish(&w, pwd, written);
}
