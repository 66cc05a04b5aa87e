// SPDX-License-Identifier: MIT
// fuzz_stun.c: libFuzzer harness for the STUN codec (protocol/sr_stun.h) on any
// datagram. Invariants: parse and verify return only their documented codes; verify
// passes only what parses with MESSAGE-INTEGRITY; what parses passes sr_stun_is_stun,
// is RFC 7983 STUN, and has a terminated username and a known address family; a
// request, success or error response written from the parsed fields parses back to
// those fields and verifies with its password and not with another.
#include <netinet/in.h>
#include <string.h>

#include "sr_error.h"
#include "sr_stun.h"

#include "fuzz.h"

static const char *pwd = "fuzz-ice-password-0123";

/* The address and port of *a as the writer sends them: IPv4-mapped IPv6 as IPv4. */
static size_t wire_addr(const struct sockaddr_storage *a, uint8_t ip[16], uint16_t *port)
{
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)a;
        memcpy(ip, &s->sin_addr, 4);
        *port = s->sin_port;
        return 4;
    }
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)a;
    bool v4 = IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr);
    memcpy(ip, s6->sin6_addr.s6_addr + (v4 ? 12 : 0), v4 ? 4 : 16);
    *port = s6->sin6_port;
    return v4 ? 4 : 16;
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    uint8_t x[16], y[16];
    uint16_t xp, yp;
    size_t xn = wire_addr(a, x, &xp), yn = wire_addr(b, y, &yp);
    return xn == yn && xp == yp && memcmp(x, y, xn) == 0;
}

/* A written message parses, verifies with pwd only, and gives back *out. */
static void check_written(const uint8_t *out, size_t n, bool with_integrity, sr_stun_msg_t *m)
{
    FUZZ_CHECK(sr_stun_is_stun(out, n));
    FUZZ_CHECK(sr_stun_parse(out, n, m) == SR_OK);
    FUZZ_CHECK(m->has_fingerprint && m->has_integrity == with_integrity);
    FUZZ_CHECK(sr_stun_verify(out, n, pwd) == (with_integrity ? SR_OK : -SR_ENOT_FOUND));
    if (with_integrity) {
        FUZZ_CHECK(sr_stun_verify(out, n, "another-password") == -SR_EINVAL);
    }
}

static void round_trip(const sr_stun_msg_t *in)
{
    uint8_t out[SR_STUN_WRITE_MAX_BYTES];
    size_t n = 0;
    sr_stun_msg_t m;

    sr_stun_request_t req = {.username = in->username,
                             .priority = in->priority,
                             .ice_controlling = in->ice_controlling,
                             .tie_breaker = in->tie_breaker,
                             .use_candidate = in->use_candidate};
    memcpy(req.txid, in->txid, SR_STUN_TXID_BYTES);
    FUZZ_CHECK(sr_stun_write_binding_request(out, sizeof(out), &n, &req, in->priority & 1 ? NULL : pwd) == SR_OK);
    check_written(out, n, !(in->priority & 1), &m);
    FUZZ_CHECK(m.type == SR_STUN_BINDING_REQUEST && memcmp(m.txid, in->txid, SR_STUN_TXID_BYTES) == 0);
    FUZZ_CHECK(strcmp(m.username, in->username) == 0 && m.priority == in->priority);
    FUZZ_CHECK(m.ice_controlling == in->ice_controlling && m.ice_controlled == !in->ice_controlling);
    FUZZ_CHECK(m.tie_breaker == in->tie_breaker && m.use_candidate == in->use_candidate);

    if (in->has_mapped) {
        FUZZ_CHECK(sr_stun_write_binding_success(out, sizeof(out), &n, in->txid, (const struct sockaddr *)&in->mapped,
                                                 pwd) == SR_OK);
        check_written(out, n, true, &m);
        FUZZ_CHECK(m.type == SR_STUN_BINDING_SUCCESS && m.has_mapped && same_addr(&m.mapped, &in->mapped));
    }
    uint16_t code = in->error_code ? in->error_code : 420;
    FUZZ_CHECK(sr_stun_write_binding_error(out, sizeof(out), &n, in, code, pwd) == SR_OK);
    check_written(out, n, true, &m);
    FUZZ_CHECK(m.type == SR_STUN_BINDING_ERROR && m.error_code == code);
    FUZZ_CHECK(m.nb_unknown == 0); /* UNKNOWN-ATTRIBUTES is a known attribute */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_stun_msg_t m;
    int rc = sr_stun_parse(data, size, &m);
    FUZZ_CHECK(rc == SR_OK || rc == -SR_ETRUNCATED || rc == -SR_EFORMAT);
    int vrc = sr_stun_verify(data, size, pwd);
    FUZZ_CHECK(vrc == SR_OK || vrc == -SR_ETRUNCATED || vrc == -SR_EFORMAT || vrc == -SR_ENOT_FOUND ||
               vrc == -SR_EINVAL);
    if (rc != SR_OK) {
        FUZZ_CHECK(vrc == rc);
        return 0;
    }
    FUZZ_CHECK(vrc != SR_OK || m.has_integrity);
    FUZZ_CHECK(sr_stun_is_stun(data, size) && sr_stun_demux(data, size) == SR_STUN_DEMUX_STUN);
    FUZZ_CHECK(memchr(m.username, '\0', sizeof(m.username)) != NULL);
    FUZZ_CHECK(m.nb_unknown <= SR_STUN_MAX_UNKNOWN);
    FUZZ_CHECK(!m.has_mapped || m.mapped.ss_family == AF_INET || m.mapped.ss_family == AF_INET6);
    FUZZ_CHECK(m.error_code == 0 || (m.error_code >= 300 && m.error_code <= 699));
    size_t local_len;
    const char *remote;
    if (sr_stun_username_split(&m, &local_len, &remote)) {
        FUZZ_CHECK(local_len > 0 && m.username[local_len] == ':' && remote == m.username + local_len + 1 && *remote);
    }
    round_trip(&m);
    return 0;
}
