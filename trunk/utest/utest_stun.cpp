// SPDX-License-Identifier: MIT
// utest_stun.cpp: STUN for ICE (protocol/sr_stun): the RFC 5769 test vectors (sample
// request, IPv4 and IPv6 responses) parse and verify; write -> parse -> verify round
// trips of requests, success and error responses; every flipped bit and every
// truncation of a vector is refused; malformed headers and attributes; RFC 7983 demux.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>
#include <vector>

#include "sr_error.h"
#include "sr_stun.h"
#include "sr_utest.h"

namespace
{

typedef std::vector<uint8_t> bytes_t;

// RFC 5769 2.1: Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME
// "evtj:h6vY" (padded with spaces), MESSAGE-INTEGRITY and FINGERPRINT.
const bytes_t rfc5769_request = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87,
    0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
    0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff, 0x80, 0x29, 0x00, 0x08, 0x93, 0x2f,
    0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
    0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e,
    0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf};

// RFC 5769 2.2: Binding success response, SOFTWARE "test vector", XOR-MAPPED-ADDRESS
// 192.0.2.1:32853, MESSAGE-INTEGRITY, FINGERPRINT.
const bytes_t rfc5769_response_v4 = {0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                     0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
                                     0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01,
                                     0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43, 0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99,
                                     0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b,
                                     0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};

// RFC 5769 2.3: the same with XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853.
const bytes_t rfc5769_response_v6 = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf,
    0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20,
    0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe,
    0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c,
    0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c};

const char *rfc5769_pwd = "VOkJxbRl1RmTxUk/WvJxBt";
const uint8_t rfc5769_txid[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

int parse(const bytes_t &b, sr_stun_msg_t *m)
{
    return sr_stun_parse(b.data(), b.size(), m);
}

int verify(const bytes_t &b, const char *pwd)
{
    return sr_stun_verify(b.data(), b.size(), pwd);
}

// A header of the given type and the attributes, length filled in, no integrity.
bytes_t build(uint16_t type, const bytes_t &attrs)
{
    bytes_t b = {(uint8_t)(type >> 8),
                 (uint8_t)type,
                 (uint8_t)(attrs.size() >> 8),
                 (uint8_t)attrs.size(),
                 0x21,
                 0x12,
                 0xa4,
                 0x42};
    b.insert(b.end(), rfc5769_txid, rfc5769_txid + 12);
    b.insert(b.end(), attrs.begin(), attrs.end());
    return b;
}

// The sample request without its FINGERPRINT (length fixed): MESSAGE-INTEGRITY alone.
bytes_t request_without_fingerprint()
{
    bytes_t b(rfc5769_request.begin(), rfc5769_request.end() - 8);
    b[3] = (uint8_t)(b.size() - 20);
    return b;
}

sockaddr_storage addr(const char *ip, uint16_t port)
{
    sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    if (strchr(ip, ':')) {
        sockaddr_in6 *s6 = (sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        inet_pton(AF_INET6, ip, &s6->sin6_addr);
    } else {
        sockaddr_in *s4 = (sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        inet_pton(AF_INET, ip, &s4->sin_addr);
    }
    return ss;
}

std::string addr_text(const sockaddr_storage &ss)
{
    char ip[INET6_ADDRSTRLEN] = "";
    uint16_t port = 0;
    if (ss.ss_family == AF_INET) {
        const sockaddr_in *s4 = (const sockaddr_in *)&ss;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        port = ntohs(s4->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const sockaddr_in6 *s6 = (const sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        port = ntohs(s6->sin6_port);
    }
    return std::string(ip) + "/" + std::to_string(port);
}

} // namespace

// ---- RFC 5769 vectors ----

TEST(Stun, Rfc5769SampleRequest)
{
    sr_stun_msg_t m;
    ASSERT_SR_OK(parse(rfc5769_request, &m));
    EXPECT_EQ(SR_STUN_BINDING_REQUEST, m.type);
    EXPECT_EQ(0, memcmp(rfc5769_txid, m.txid, 12));
    EXPECT_STREQ("evtj:h6vY", m.username);
    EXPECT_EQ(0x6e0001ffu, m.priority);
    EXPECT_TRUE(m.ice_controlled);
    EXPECT_FALSE(m.ice_controlling);
    EXPECT_EQ(0x932ff9b151263b36ull, m.tie_breaker);
    EXPECT_FALSE(m.use_candidate);
    EXPECT_TRUE(m.has_integrity);
    EXPECT_TRUE(m.has_fingerprint);
    EXPECT_FALSE(m.has_mapped);
    EXPECT_EQ(0, m.nb_unknown); // SOFTWARE is comprehension-optional
    EXPECT_SR_OK(verify(rfc5769_request, rfc5769_pwd));
    EXPECT_SR_ERR(SR_EINVAL, verify(rfc5769_request, "VOkJxbRl1RmTxUk/WvJxBT"));
    EXPECT_SR_ERR(SR_EINVAL, verify(rfc5769_request, ""));
    EXPECT_SR_ERR(SR_EINVAL, verify(rfc5769_request, NULL));

    size_t local_len = 0;
    const char *remote = NULL;
    ASSERT_TRUE(sr_stun_username_split(&m, &local_len, &remote));
    EXPECT_EQ("evtj", std::string(m.username, local_len));
    EXPECT_STREQ("h6vY", remote);
}

TEST(Stun, Rfc5769ResponsesIpv4AndIpv6)
{
    sr_stun_msg_t m;
    ASSERT_SR_OK(parse(rfc5769_response_v4, &m));
    EXPECT_EQ(SR_STUN_BINDING_SUCCESS, m.type);
    ASSERT_TRUE(m.has_mapped);
    EXPECT_EQ("192.0.2.1/32853", addr_text(m.mapped));
    EXPECT_SR_OK(verify(rfc5769_response_v4, rfc5769_pwd));

    ASSERT_SR_OK(parse(rfc5769_response_v6, &m));
    ASSERT_TRUE(m.has_mapped);
    EXPECT_EQ("2001:db8:1234:5678:11:2233:4455:6677/32853", addr_text(m.mapped));
    EXPECT_SR_OK(verify(rfc5769_response_v6, rfc5769_pwd));
    EXPECT_SR_ERR(SR_EINVAL, verify(rfc5769_response_v6, "wrong password"));
}

TEST(Stun, WriterXorsAddressesLikeTheVectors)
{
    // Our response has no SOFTWARE, so only the XOR-MAPPED-ADDRESS attribute matches.
    uint8_t out[128];
    size_t n = 0;
    sockaddr_storage a = addr("192.0.2.1", 32853);
    ASSERT_SR_OK(sr_stun_write_binding_success(out, sizeof(out), &n, rfc5769_txid, (sockaddr *)&a, rfc5769_pwd));
    EXPECT_EQ(0, memcmp(out + 20, rfc5769_response_v4.data() + 36, 12));
    EXPECT_EQ(20u + 12 + 24 + 8, n);

    a = addr("2001:db8:1234:5678:11:2233:4455:6677", 32853);
    ASSERT_SR_OK(sr_stun_write_binding_success(out, sizeof(out), &n, rfc5769_txid, (sockaddr *)&a, rfc5769_pwd));
    EXPECT_EQ(0, memcmp(out + 20, rfc5769_response_v6.data() + 36, 24));
    EXPECT_EQ(20u + 24 + 24 + 8, n);
}

TEST(Stun, EveryFlippedBitIsRefused)
{
    for (const bytes_t *v : {&rfc5769_request, &rfc5769_response_v4, &rfc5769_response_v6}) {
        for (size_t i = 0; i < v->size(); i++) {
            for (int bit = 0; bit < 8; bit++) {
                bytes_t b = *v;
                b[i] ^= (uint8_t)(1 << bit);
                sr_stun_msg_t m;
                if (i == v->size() - 8 || i == v->size() - 7) {
                    // FINGERPRINT's type turned into another attribute after
                    // MESSAGE-INTEGRITY: ignored (RFC 8489 14.5), integrity holds
                    ASSERT_SR_OK(parse(b, &m));
                    EXPECT_FALSE(m.has_fingerprint);
                    EXPECT_SR_OK(verify(b, rfc5769_pwd));
                    continue;
                }
                EXPECT_NE(SR_OK, verify(b, rfc5769_pwd)) << "byte " << i << " bit " << bit;
            }
        }
    }
}

TEST(Stun, IntegrityWithoutFingerprint)
{
    // MESSAGE-INTEGRITY is computed with the length ending after it, so dropping the
    // FINGERPRINT leaves it valid; then a flipped byte is an integrity failure.
    bytes_t b = request_without_fingerprint();
    sr_stun_msg_t m;
    ASSERT_SR_OK(parse(b, &m));
    EXPECT_FALSE(m.has_fingerprint);
    EXPECT_SR_OK(verify(b, rfc5769_pwd));
    b[30] ^= 0x01; // inside SOFTWARE
    EXPECT_SR_ERR(SR_EINVAL, verify(b, rfc5769_pwd));

    // a wrong FINGERPRINT is refused before integrity is looked at
    bytes_t c = rfc5769_request;
    c[c.size() - 1] ^= 0x80;
    EXPECT_SR_ERR(SR_EFORMAT, verify(c, rfc5769_pwd));
}

TEST(Stun, AttributesAfterIntegrityAreIgnored)
{
    // a PRIORITY after MESSAGE-INTEGRITY: not taken, and integrity still holds
    bytes_t b = request_without_fingerprint();
    const uint8_t priority[] = {0x00, 0x24, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04};
    b.insert(b.end(), priority, priority + sizeof(priority));
    b[3] = (uint8_t)(b.size() - 20);
    sr_stun_msg_t m;
    ASSERT_SR_OK(parse(b, &m));
    EXPECT_EQ(0x6e0001ffu, m.priority);
    EXPECT_SR_OK(verify(b, rfc5769_pwd));
}

TEST(Stun, MissingIntegrity)
{
    bytes_t b = build(SR_STUN_BINDING_REQUEST, {0x00, 0x25, 0x00, 0x00}); // USE-CANDIDATE only
    sr_stun_msg_t m;
    ASSERT_SR_OK(parse(b, &m));
    EXPECT_TRUE(m.use_candidate);
    EXPECT_FALSE(m.has_integrity);
    EXPECT_SR_ERR(SR_ENOT_FOUND, verify(b, rfc5769_pwd));
}

// ---- truncated and malformed input ----

TEST(Stun, EveryTruncationIsRefused)
{
    for (const bytes_t *v : {&rfc5769_request, &rfc5769_response_v4, &rfc5769_response_v6}) {
        for (size_t n = 0; n < v->size(); n++) {
            SCOPED_TRACE(n);
            bytes_t b(v->begin(), v->begin() + n);
            sr_stun_msg_t m;
            EXPECT_SR_ERR(SR_ETRUNCATED, parse(b, &m));
            EXPECT_SR_ERR(SR_ETRUNCATED, verify(b, rfc5769_pwd));
        }
    }
}

TEST(Stun, MalformedHeaders)
{
    sr_stun_msg_t m;
    bytes_t b = rfc5769_request;
    b.push_back(0); // bytes after the message
    EXPECT_SR_ERR(SR_EFORMAT, parse(b, &m));

    b = rfc5769_request;
    b[0] = 0x40; // not STUN (RFC 7983)
    EXPECT_SR_ERR(SR_EFORMAT, parse(b, &m));
    EXPECT_FALSE(sr_stun_is_stun(b.data(), b.size()));

    b = rfc5769_request;
    b[7] ^= 1; // magic cookie
    EXPECT_SR_ERR(SR_EFORMAT, parse(b, &m));
    EXPECT_FALSE(sr_stun_is_stun(b.data(), b.size()));

    b = build(SR_STUN_BINDING_REQUEST, {0x00, 0x25, 0x00, 0x00, 0x00, 0x00});
    EXPECT_SR_ERR(SR_EFORMAT, parse(b, &m)); // length 6: not a multiple of 4
}

TEST(Stun, MalformedAttributes)
{
    sr_stun_msg_t m;
    const std::vector<bytes_t> bad = {
        {0x00, 0x06, 0x00, 0x09, 'a', 'b', 'c', 'd'},           // USERNAME past the end
        {0x00, 0x24, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00},       // PRIORITY of 2 bytes
        {0x00, 0x25, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00},       // USE-CANDIDATE with a value
        {0x80, 0x2a, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01},       // ICE-CONTROLLING of 4 bytes
        {0x00, 0x08, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00},       // MESSAGE-INTEGRITY of 4 bytes
        {0x80, 0x28, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0},       // FINGERPRINT of 8 bytes
        {0x00, 0x09, 0x00, 0x04, 0x00, 0x00, 0x07, 0x01},       // ERROR-CODE class 7
        {0x00, 0x09, 0x00, 0x04, 0x00, 0x00, 0x04, 100},        // ERROR-CODE number 100
        {0x00, 0x09, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00},       // ERROR-CODE of 2 bytes
        {0x00, 0x20, 0x00, 0x08, 0x00, 0x03, 0, 0, 0, 0, 0, 0}, // XOR-MAPPED-ADDRESS family 3
        {0x00, 0x20, 0x00, 0x08, 0x00, 0x02, 0, 0, 0, 0, 0, 0}, // IPv6 family, IPv4 size
        {0x00, 0x20, 0x00, 0x00},                               // empty XOR-MAPPED-ADDRESS (fuzz)
        {0x00, 0x06, 0x00, 0x03, 'a', 0x00, 'b', 0x00},         // USERNAME with a NUL
        {0x80, 0x28, 0x00, 0x04, 0, 0, 0, 0, 0x00, 0x25, 0, 0}, // attribute after FINGERPRINT
    };
    for (size_t i = 0; i < bad.size(); i++) {
        SCOPED_TRACE(i);
        EXPECT_SR_ERR(SR_EFORMAT, parse(build(SR_STUN_BINDING_REQUEST, bad[i]), &m));
    }
    bytes_t long_name = {0x00, 0x06, 0x02, 0x04}; // USERNAME of 516 bytes
    long_name.resize(4 + 516, 'x');
    EXPECT_SR_ERR(SR_EFORMAT, parse(build(SR_STUN_BINDING_REQUEST, long_name), &m));
    long_name[3] = 0x01; // 513 bytes: the most two ufrags and a colon take
    long_name.resize(4 + 516, 0);
    ASSERT_SR_OK(parse(build(SR_STUN_BINDING_REQUEST, long_name), &m));
    EXPECT_EQ(513u, strlen(m.username));
}

TEST(Stun, UnknownAndRepeatedAttributes)
{
    sr_stun_msg_t m;
    bytes_t attrs = {
        0x00, 0x24, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07,                     // PRIORITY 7
        0x00, 0x24, 0x00, 0x04, 0x00, 0x00, 0x00, 0x09,                     // PRIORITY again: ignored
        0x7f, 0x01, 0x00, 0x00,                                             // unknown comprehension-required
        0x7f, 0x01, 0x00, 0x00,                                             // the same again: listed once
        0xc0, 0x57, 0x00, 0x04, 0x00, 0x01, 0x00, 0x0a,                     // GOOG-NETWORK-INFO: optional
        0x00, 0x09, 0x00, 0x08, 0x00, 0x00, 0x04, 0x01, 'a', 'b', 'c', 'd', // ERROR-CODE 401
    };
    ASSERT_SR_OK(parse(build(SR_STUN_BINDING_ERROR, attrs), &m));
    EXPECT_EQ(7u, m.priority);
    ASSERT_EQ(1, m.nb_unknown);
    EXPECT_EQ(0x7f01, m.unknown[0]);
    EXPECT_EQ(401, m.error_code);
}

TEST(Stun, UsernameSplitNeedsBothUfrags)
{
    sr_stun_msg_t m;
    memset(&m, 0, sizeof(m));
    size_t len;
    const char *remote;
    for (const char *u : {"", "abcd", ":abcd", "abcd:"}) {
        strcpy(m.username, u);
        EXPECT_FALSE(sr_stun_username_split(&m, &len, &remote)) << u;
    }
    strcpy(m.username, "ab:cd:ef");
    ASSERT_TRUE(sr_stun_username_split(&m, &len, &remote));
    EXPECT_EQ(2u, len);
    EXPECT_STREQ("cd:ef", remote);
}

// ---- write -> parse -> verify ----

TEST(Stun, RequestRoundTrip)
{
    sr_stun_request_t req;
    memset(&req, 0, sizeof(req));
    memcpy(req.txid, rfc5769_txid, 12);
    req.username = "serverufrag:clientufrag";
    req.priority = 1853824767;
    req.ice_controlling = true;
    req.tie_breaker = 0x0102030405060708ull;
    req.use_candidate = true;
    uint8_t out[SR_STUN_WRITE_MAX_BYTES];
    size_t n = 0;
    ASSERT_SR_OK(sr_stun_write_binding_request(out, sizeof(out), &n, &req, "pwd-of-the-server-side"));
    bytes_t b(out, out + n);
    EXPECT_TRUE(sr_stun_is_stun(b.data(), b.size()));
    EXPECT_EQ(SR_STUN_DEMUX_STUN, sr_stun_demux(b.data(), b.size()));

    sr_stun_msg_t m;
    ASSERT_SR_OK(parse(b, &m));
    EXPECT_EQ(SR_STUN_BINDING_REQUEST, m.type);
    EXPECT_EQ(0, memcmp(req.txid, m.txid, 12));
    EXPECT_STREQ(req.username, m.username);
    EXPECT_EQ(req.priority, m.priority);
    EXPECT_TRUE(m.ice_controlling);
    EXPECT_FALSE(m.ice_controlled);
    EXPECT_EQ(req.tie_breaker, m.tie_breaker);
    EXPECT_TRUE(m.use_candidate);
    EXPECT_TRUE(m.has_integrity);
    EXPECT_TRUE(m.has_fingerprint);
    EXPECT_SR_OK(verify(b, "pwd-of-the-server-side"));
    EXPECT_SR_ERR(SR_EINVAL, verify(b, "pwd-of-the-client-side"));

    // controlled, no username, no PRIORITY, no integrity
    req.ice_controlling = false;
    req.use_candidate = false;
    req.username = NULL;
    req.priority = 0;
    ASSERT_SR_OK(sr_stun_write_binding_request(out, sizeof(out), &n, &req, NULL));
    b.assign(out, out + n);
    ASSERT_SR_OK(parse(b, &m));
    EXPECT_TRUE(m.ice_controlled);
    EXPECT_FALSE(m.use_candidate);
    EXPECT_STREQ("", m.username);
    EXPECT_EQ(0u, m.priority);
    EXPECT_FALSE(m.has_integrity);
    EXPECT_TRUE(m.has_fingerprint);
    EXPECT_SR_ERR(SR_ENOT_FOUND, verify(b, "x"));
}

TEST(Stun, RequestLimits)
{
    sr_stun_request_t req;
    memset(&req, 0, sizeof(req));
    std::string name(SR_STUN_USERNAME_MAX, 'u');
    req.username = name.c_str();
    req.priority = 1;
    req.use_candidate = true;
    uint8_t out[SR_STUN_WRITE_MAX_BYTES];
    size_t n = 0, need = 0;
    ASSERT_SR_OK(sr_stun_write_binding_request(out, sizeof(out), &need, &req, "password"));
    for (size_t cap = 0; cap < need; cap++) {
        SCOPED_TRACE(cap);
        EXPECT_SR_ERR(SR_EOVERFLOW, sr_stun_write_binding_request(out, cap, &n, &req, "password"));
    }
    ASSERT_SR_OK(sr_stun_write_binding_request(out, need, &n, &req, "password"));
    EXPECT_EQ(need, n);
    EXPECT_SR_OK(sr_stun_verify(out, n, "password"));

    name += "u";
    req.username = name.c_str();
    EXPECT_SR_ERR(SR_EINVAL, sr_stun_write_binding_request(out, sizeof(out), &n, &req, "password"));
    req.username = "a:b";
    EXPECT_SR_ERR(SR_EINVAL, sr_stun_write_binding_request(out, sizeof(out), &n, &req, ""));
}

TEST(Stun, SuccessRoundTrip)
{
    struct {
        const char *ip, *want;
    } cases[] = {
        {"203.0.113.7", "203.0.113.7/50000"},
        {"2001:db8::1", "2001:db8::1/50000"},
        {"::ffff:198.51.100.9", "198.51.100.9/50000"}, // dual-stack socket, IPv4 peer
    };
    for (const auto &c : cases) {
        sockaddr_storage a = addr(c.ip, 50000);
        uint8_t out[80];
        size_t n = 0;
        ASSERT_SR_OK(sr_stun_write_binding_success(out, sizeof(out), &n, rfc5769_txid, (sockaddr *)&a, "icepwd"));
        sr_stun_msg_t m;
        ASSERT_SR_OK(sr_stun_parse(out, n, &m));
        EXPECT_EQ(SR_STUN_BINDING_SUCCESS, m.type);
        EXPECT_EQ(0, memcmp(rfc5769_txid, m.txid, 12));
        ASSERT_TRUE(m.has_mapped);
        EXPECT_EQ(c.want, addr_text(m.mapped));
        EXPECT_SR_OK(sr_stun_verify(out, n, "icepwd"));
        for (size_t cap = 0; cap < n; cap++) {
            size_t w = 0;
            EXPECT_SR_ERR(SR_EOVERFLOW,
                          sr_stun_write_binding_success(out, cap, &w, rfc5769_txid, (sockaddr *)&a, "icepwd"));
        }
    }
    sockaddr_storage unix_addr;
    memset(&unix_addr, 0, sizeof(unix_addr));
    unix_addr.ss_family = AF_UNIX;
    uint8_t out[80];
    size_t n = 0;
    EXPECT_SR_ERR(SR_EINVAL,
                  sr_stun_write_binding_success(out, sizeof(out), &n, rfc5769_txid, (sockaddr *)&unix_addr, "p"));
}

TEST(Stun, ErrorResponses)
{
    sr_stun_msg_t req;
    ASSERT_SR_OK(parse(rfc5769_request, &req));
    uint8_t out[128];
    size_t n = 0;
    sr_stun_msg_t m;

    // 487 Role Conflict is authenticated with the same key as a success
    ASSERT_SR_OK(sr_stun_write_binding_error(out, sizeof(out), &n, &req, 487, rfc5769_pwd));
    ASSERT_SR_OK(sr_stun_parse(out, n, &m));
    EXPECT_EQ(SR_STUN_BINDING_ERROR, m.type);
    EXPECT_EQ(487, m.error_code);
    EXPECT_EQ(0, memcmp(req.txid, m.txid, 12));
    EXPECT_SR_OK(sr_stun_verify(out, n, rfc5769_pwd));

    // 401 cannot be authenticated
    ASSERT_SR_OK(sr_stun_write_binding_error(out, sizeof(out), &n, &req, 401, NULL));
    ASSERT_SR_OK(sr_stun_parse(out, n, &m));
    EXPECT_EQ(401, m.error_code);
    EXPECT_FALSE(m.has_integrity);
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_stun_verify(out, n, rfc5769_pwd));

    // 420 lists the unknown attributes of the request
    ASSERT_SR_OK(parse(build(SR_STUN_BINDING_REQUEST, {0x7f, 0x01, 0x00, 0x00, 0x00, 0x33, 0x00, 0x00}), &req));
    ASSERT_EQ(2, req.nb_unknown);
    ASSERT_SR_OK(sr_stun_write_binding_error(out, sizeof(out), &n, &req, 420, NULL));
    ASSERT_SR_OK(sr_stun_parse(out, n, &m));
    EXPECT_EQ(420, m.error_code);
    const uint8_t unknown_attr[] = {0x00, 0x0a, 0x00, 0x04, 0x7f, 0x01, 0x00, 0x33};
    EXPECT_NE(nullptr, memmem(out, n, unknown_attr, sizeof(unknown_attr)));

    EXPECT_SR_ERR(SR_EINVAL, sr_stun_write_binding_error(out, sizeof(out), &n, &req, 200, NULL));
    EXPECT_SR_ERR(SR_EINVAL, sr_stun_write_binding_error(out, sizeof(out), &n, &req, 700, NULL));
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_stun_write_binding_error(out, 40, &n, &req, 400, rfc5769_pwd));
}

TEST(Stun, Rfc7983Demux)
{
    const uint8_t stun[] = {0x00}, dtls[] = {22}, rtp[] = {0x80}, rtcp[] = {0xbf}, turn[] = {64}, zrtp[] = {16};
    EXPECT_EQ(SR_STUN_DEMUX_STUN, sr_stun_demux(stun, 1));
    EXPECT_EQ(SR_STUN_DEMUX_DTLS, sr_stun_demux(dtls, 1));
    EXPECT_EQ(SR_STUN_DEMUX_RTP, sr_stun_demux(rtp, 1));
    EXPECT_EQ(SR_STUN_DEMUX_RTP, sr_stun_demux(rtcp, 1));
    EXPECT_EQ(SR_STUN_DEMUX_OTHER, sr_stun_demux(turn, 1));
    EXPECT_EQ(SR_STUN_DEMUX_OTHER, sr_stun_demux(zrtp, 1));
    EXPECT_EQ(SR_STUN_DEMUX_OTHER, sr_stun_demux(stun, 0));
    EXPECT_TRUE(sr_stun_is_stun(rfc5769_request.data(), rfc5769_request.size()));
    EXPECT_FALSE(sr_stun_is_stun(rfc5769_request.data(), 19));
}
