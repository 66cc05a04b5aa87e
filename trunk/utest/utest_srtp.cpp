// SPDX-License-Identifier: MIT
// utest_srtp.cpp: SRTP/SRTCP sessions. Two transports built from mirrored keys talk to
// each other; AES128_CM_SHA1_80 output is checked byte for byte against a reference
// written here from RFC 3711 (key derivation 4.3.1, AES-CM 4.1.1, HMAC-SHA1 4.2.1,
// SRTCP 3.4) with OpenSSL, whose key derivation is itself pinned to RFC 3711 B.3.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <string>
#include <vector>

#include "sr_error.h"
#include "sr_srtp.h"
#include "sr_utest.h"

namespace
{

typedef std::vector<uint8_t> bytes_t;

bytes_t hex(const std::string &s)
{
    bytes_t out;
    for (size_t i = 0; i + 1 < s.size(); i += 2) {
        out.push_back((uint8_t)std::stoi(s.substr(i, 2), nullptr, 16));
    }
    return out;
}

// ---- reference SRTP from RFC 3711 ----

bytes_t aes_ctr(const bytes_t &key, const uint8_t iv[16], const bytes_t &in)
{
    bytes_t out(in.size());
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0;
    EXPECT_EQ(1, EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key.data(), iv));
    EXPECT_EQ(1, EVP_EncryptUpdate(c, out.data(), &n, in.data(), (int)in.size()));
    EVP_CIPHER_CTX_free(c);
    return out;
}

// 4.3.1 with key_derivation_rate 0: x = label at byte 7 of the 14-byte salt, AES-CM from x * 2^16.
bytes_t kdf(const bytes_t &master_key, const bytes_t &master_salt, uint8_t label, size_t n)
{
    uint8_t iv[16] = {0};
    memcpy(iv, master_salt.data(), 14);
    iv[7] ^= label;
    return aes_ctr(master_key, iv, bytes_t(n, 0));
}

struct RefKeys {
    bytes_t enc, auth, salt;
    RefKeys(const bytes_t &master, bool rtcp)
    {
        bytes_t k(master.begin(), master.begin() + 16), s(master.begin() + 16, master.begin() + 30);
        uint8_t base = rtcp ? 3 : 0;
        enc = kdf(k, s, base, 16);
        auth = kdf(k, s, (uint8_t)(base + 1), 20);
        salt = kdf(k, s, (uint8_t)(base + 2), 14);
    }
};

// 4.1.1: IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16)
bytes_t ref_crypt(const RefKeys &k, uint32_t ssrc, uint64_t index, const bytes_t &data)
{
    uint8_t iv[16] = {0};
    memcpy(iv, k.salt.data(), 14);
    for (int i = 0; i < 4; i++) {
        iv[4 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
    }
    for (int i = 0; i < 6; i++) {
        iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));
    }
    return aes_ctr(k.enc, iv, data);
}

bytes_t hmac_sha1_80(const bytes_t &key, const bytes_t &data)
{
    uint8_t md[20];
    unsigned int n = 0;
    HMAC(EVP_sha1(), key.data(), (int)key.size(), data.data(), data.size(), md, &n);
    return bytes_t(md, md + 10);
}

// SRTP packet with ROC 0: header || E(payload) || tag(header || E(payload) || ROC)
bytes_t ref_srtp(const bytes_t &master, const bytes_t &rtp)
{
    RefKeys k(master, false);
    uint32_t ssrc = (uint32_t)rtp[8] << 24 | rtp[9] << 16 | rtp[10] << 8 | rtp[11];
    uint16_t seq = (uint16_t)(rtp[2] << 8 | rtp[3]);
    bytes_t out(rtp.begin(), rtp.begin() + 12);
    bytes_t enc = ref_crypt(k, ssrc, seq, bytes_t(rtp.begin() + 12, rtp.end()));
    out.insert(out.end(), enc.begin(), enc.end());
    bytes_t signed_part = out;
    signed_part.insert(signed_part.end(), 4, 0); // ROC
    bytes_t tag = hmac_sha1_80(k.auth, signed_part);
    out.insert(out.end(), tag.begin(), tag.end());
    return out;
}

// SRTCP (3.4): first 8 bytes clear || E(rest) || E-flag|index || tag(all before it)
bytes_t ref_srtcp(const bytes_t &master, const bytes_t &rtcp, uint32_t index)
{
    RefKeys k(master, true);
    uint32_t ssrc = (uint32_t)rtcp[4] << 24 | rtcp[5] << 16 | rtcp[6] << 8 | rtcp[7];
    bytes_t out(rtcp.begin(), rtcp.begin() + 8);
    bytes_t enc = ref_crypt(k, ssrc, index, bytes_t(rtcp.begin() + 8, rtcp.end()));
    out.insert(out.end(), enc.begin(), enc.end());
    uint32_t e_index = 0x80000000u | index;
    for (int i = 0; i < 4; i++) {
        out.push_back((uint8_t)(e_index >> (24 - 8 * i)));
    }
    bytes_t tag = hmac_sha1_80(k.auth, out);
    out.insert(out.end(), tag.begin(), tag.end());
    return out;
}

// ---- packets and sessions ----

bytes_t rtp_packet(uint16_t seq, uint32_t ssrc, size_t payload)
{
    bytes_t p = {0x80,
                 0x6f,
                 (uint8_t)(seq >> 8),
                 (uint8_t)seq,
                 0x00,
                 0x01,
                 0xe2,
                 0x40,
                 (uint8_t)(ssrc >> 24),
                 (uint8_t)(ssrc >> 16),
                 (uint8_t)(ssrc >> 8),
                 (uint8_t)ssrc};
    for (size_t i = 0; i < payload; i++) {
        p.push_back((uint8_t)(i * 7 + seq));
    }
    return p;
}

// A receiver report with one block (RFC 3550 6.4.2), 32 bytes.
bytes_t rtcp_rr(uint32_t ssrc)
{
    bytes_t p = {0x81,         201, 0x00, 0x07, (uint8_t)(ssrc >> 24), (uint8_t)(ssrc >> 16), (uint8_t)(ssrc >> 8),
                 (uint8_t)ssrc};
    for (int i = 0; i < 24; i++) {
        p.push_back((uint8_t)(0x40 + i));
    }
    return p;
}

// A side of a transport: keys as sr_dtls_srtp_keys hands them out.
struct Side {
    sr_srtp_t *s = nullptr;
    Side(int profile, const bytes_t &local, const bytes_t &remote)
    {
        sr_srtp_keys_t k = {};
        k.profile = profile;
        k.key_len = sr_srtp_profile_key_len(profile);
        memcpy(k.local_key, local.data(), k.key_len);
        memcpy(k.remote_key, remote.data(), k.key_len);
        EXPECT_SR_OK(sr_srtp_new(&k, &s));
    }
    ~Side()
    {
        sr_srtp_free(s);
    }
};

// The two ends of one transport, from mirrored keys.
struct Link {
    bytes_t ka, kb;
    Side a, b;
    explicit Link(int profile) : ka(master(1)), kb(master(2)), a(profile, ka, kb), b(profile, kb, ka)
    {
    }
    static bytes_t master(uint8_t seed)
    {
        bytes_t k(SR_SRTP_MAX_MASTER_LEN);
        for (size_t i = 0; i < k.size(); i++) {
            k[i] = (uint8_t)(seed * 31 + i * 13);
        }
        return k;
    }
};

// Protect into a buffer with exactly SR_SRTP_MAX_TRAILER spare bytes (ASan sees overruns).
int protect(sr_srtp_t *s, bytes_t &pkt, bool rtcp)
{
    size_t len = pkt.size();
    uint8_t *buf = new uint8_t[len + SR_SRTP_MAX_TRAILER];
    memcpy(buf, pkt.data(), len);
    int rc = rtcp ? sr_srtp_protect_rtcp(s, buf, &len, len + SR_SRTP_MAX_TRAILER)
                  : sr_srtp_protect_rtp(s, buf, &len, len + SR_SRTP_MAX_TRAILER);
    if (rc == SR_OK) {
        pkt.assign(buf, buf + len);
    }
    delete[] buf;
    return rc;
}

// Unprotect a copy of pkt into out, in a buffer of exactly its size.
int unprotect(sr_srtp_t *s, const bytes_t &pkt, bytes_t &out, bool rtcp)
{
    size_t len = pkt.size();
    uint8_t *buf = new uint8_t[len];
    memcpy(buf, pkt.data(), len);
    int rc = rtcp ? sr_srtp_unprotect_rtcp(s, buf, &len) : sr_srtp_unprotect_rtp(s, buf, &len);
    if (rc == SR_OK) {
        out.assign(buf, buf + len);
    }
    delete[] buf;
    return rc;
}

// pkt protected by s, for the tests where protecting is not what is tested.
bytes_t sent(sr_srtp_t *s, bytes_t pkt, bool rtcp = false)
{
    EXPECT_SR_OK(protect(s, pkt, rtcp));
    return pkt;
}

std::vector<int> profiles()
{
    std::vector<int> p = {SR_SRTP_PROFILE_AES128_CM_SHA1_80};
    if (sr_srtp_is_supported(SR_SRTP_PROFILE_AEAD_AES_128_GCM)) {
        p.push_back(SR_SRTP_PROFILE_AEAD_AES_128_GCM);
    }
    return p;
}

size_t tag_len(int profile)
{
    return profile == SR_SRTP_PROFILE_AEAD_AES_128_GCM ? 16 : 10;
}

} // namespace

TEST(Srtp, ReferenceKdfMatchesRfc3711B3)
{
    bytes_t key = hex("E1F97A0D3E018BE0D64FA32C06DE4139"), salt = hex("0EC675AD498AFEEBB6960B3AABE6");
    EXPECT_EQ(hex("C61E7A93744F39EE10734AFE3FF7A087"), kdf(key, salt, 0, 16));
    EXPECT_EQ(hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"), kdf(key, salt, 1, 20));
    EXPECT_EQ(hex("30CBBC08863D8C85D49DB34A9AE1"), kdf(key, salt, 2, 14));
}

TEST(Srtp, ProtectsCm80ExactlyAsRfc3711)
{
    bytes_t master = hex("E1F97A0D3E018BE0D64FA32C06DE41390EC675AD498AFEEBB6960B3AABE6");
    Side s(SR_SRTP_PROFILE_AES128_CM_SHA1_80, master, Link::master(9));
    for (uint16_t seq : {1, 2, 1000}) {
        bytes_t rtp = rtp_packet(seq, 0xcafebabe, 160), expect = ref_srtp(master, rtp);
        ASSERT_SR_OK(protect(s.s, rtp, false));
        EXPECT_EQ(expect, rtp) << "seq " << seq;
    }
    bytes_t rtcp = rtcp_rr(0xcafebabe);
    ASSERT_SR_OK(protect(s.s, rtcp, true));
    ASSERT_EQ(32u + 4 + 10, rtcp.size());
    uint32_t index = ((uint32_t)rtcp[32] << 24 | rtcp[33] << 16 | rtcp[34] << 8 | rtcp[35]) & 0x7fffffffu;
    EXPECT_EQ(ref_srtcp(master, rtcp_rr(0xcafebabe), index), rtcp);
}

TEST(Srtp, UnprotectsAReferencePacket)
{
    bytes_t master = hex("E1F97A0D3E018BE0D64FA32C06DE41390EC675AD498AFEEBB6960B3AABE6");
    Side s(SR_SRTP_PROFILE_AES128_CM_SHA1_80, Link::master(9), master);
    bytes_t rtp = rtp_packet(77, 0x01020304, 40), plain;
    ASSERT_SR_OK(unprotect(s.s, ref_srtp(master, rtp), plain, false));
    EXPECT_EQ(rtp, plain);
    bytes_t rtcp = rtcp_rr(0x01020304);
    ASSERT_SR_OK(unprotect(s.s, ref_srtcp(master, rtcp, 5), plain, true));
    EXPECT_EQ(rtcp, plain);
}

TEST(Srtp, RoundTripsRtpAndRtcpBothWaysForEachProfile)
{
    for (int profile : profiles()) {
        SCOPED_TRACE(profile);
        Link l(profile);
        for (uint16_t seq = 100; seq < 110; seq++) {
            bytes_t rtp = rtp_packet(seq, 0x11111111, 200), wire = rtp, plain;
            ASSERT_SR_OK(protect(l.a.s, wire, false));
            EXPECT_EQ(rtp.size() + tag_len(profile), wire.size());
            EXPECT_NE(0, memcmp(wire.data() + 12, rtp.data() + 12, 200)) << "payload encrypted";
            ASSERT_SR_OK(unprotect(l.b.s, wire, plain, false));
            EXPECT_EQ(rtp, plain);
            wire = rtp_packet(seq, 0x22222222, 20);
            ASSERT_SR_OK(protect(l.b.s, wire, false));
            ASSERT_SR_OK(unprotect(l.a.s, wire, plain, false));
            EXPECT_EQ(rtp_packet(seq, 0x22222222, 20), plain);
        }
        bytes_t rtcp = rtcp_rr(0x11111111), wire = rtcp, plain;
        ASSERT_SR_OK(protect(l.a.s, wire, true));
        EXPECT_EQ(rtcp.size() + 4 + tag_len(profile), wire.size());
        ASSERT_SR_OK(unprotect(l.b.s, wire, plain, true));
        EXPECT_EQ(rtcp, plain);
        wire = rtcp_rr(0x22222222);
        ASSERT_SR_OK(protect(l.b.s, wire, true));
        ASSERT_SR_OK(unprotect(l.a.s, wire, plain, true));
        EXPECT_EQ(rtcp_rr(0x22222222), plain);
    }
}

TEST(Srtp, ManySsrcsAndReorderingWithinTheWindow)
{
    for (int profile : profiles()) {
        SCOPED_TRACE(profile);
        Link l(profile);
        std::vector<bytes_t> wire;
        for (uint16_t seq = 0; seq < 50; seq++) {
            wire.push_back(sent(l.a.s, rtp_packet(seq, 1000u + seq % 5, 30)));
        }
        for (size_t i = wire.size(); i-- > 0;) { // backwards: every one is still new
            bytes_t plain;
            EXPECT_SR_OK(unprotect(l.b.s, wire[i], plain, false));
            EXPECT_EQ(rtp_packet((uint16_t)i, 1000u + i % 5, 30), plain);
        }
    }
}

TEST(Srtp, TamperedPacketsAreRefusedWithoutATrail)
{
    for (int profile : profiles()) {
        SCOPED_TRACE(profile);
        Link l(profile);
        bytes_t wire = sent(l.a.s, rtp_packet(1, 0xabcdef01, 100)), plain;
        for (size_t pos : {(size_t)1, (size_t)5, (size_t)12, (size_t)60, wire.size() - 1}) {
            bytes_t bad = wire;
            bad[pos] ^= 0x01;
            SCOPED_TRACE(pos);
            sr_err_clear();
            EXPECT_SR_ERR(SR_ESRTP_AUTH, unprotect(l.b.s, bad, plain, false));
            EXPECT_STREQ("", sr_err_trail());
        }
        bytes_t cut(wire.begin(), wire.end() - 1);
        EXPECT_LT(unprotect(l.b.s, cut, plain, false), 0);
        EXPECT_SR_OK(unprotect(l.b.s, wire, plain, false)); // the real one still passes

        bytes_t rtcp = sent(l.a.s, rtcp_rr(0xabcdef01), true);
        rtcp[10] ^= 0x80;
        EXPECT_SR_ERR(SR_ESRTP_AUTH, unprotect(l.b.s, rtcp, plain, true));

        // the sender's own key does not open what it sent
        bytes_t mine = sent(l.a.s, rtp_packet(2, 0xabcdef01, 10));
        EXPECT_SR_ERR(SR_ESRTP_AUTH, unprotect(l.a.s, mine, plain, false));
    }
}

TEST(Srtp, ReplaysAreRefused)
{
    for (int profile : profiles()) {
        SCOPED_TRACE(profile);
        Link l(profile);
        bytes_t wire = sent(l.a.s, rtp_packet(500, 7, 50)), plain;
        EXPECT_SR_OK(unprotect(l.b.s, wire, plain, false));
        sr_err_clear();
        EXPECT_SR_ERR(SR_ESRTP_REPLAY, unprotect(l.b.s, wire, plain, false));
        EXPECT_STREQ("", sr_err_trail());

        // older than the 1024-packet window, though never seen
        bytes_t old = sent(l.a.s, rtp_packet(501, 7, 50));
        bytes_t ahead = sent(l.a.s, rtp_packet(501 + 2000, 7, 50));
        EXPECT_SR_OK(unprotect(l.b.s, ahead, plain, false));
        EXPECT_SR_ERR(SR_ESRTP_REPLAY, unprotect(l.b.s, old, plain, false));

        bytes_t rtcp = sent(l.a.s, rtcp_rr(7), true);
        EXPECT_SR_OK(unprotect(l.b.s, rtcp, plain, true));
        EXPECT_SR_ERR(SR_ESRTP_REPLAY, unprotect(l.b.s, rtcp, plain, true));
    }
}

TEST(Srtp, ARetransmitCanBeProtectedAgain)
{
    for (int profile : profiles()) {
        SCOPED_TRACE(profile);
        Link l(profile);
        bytes_t first = sent(l.a.s, rtp_packet(10, 42, 80)), later = sent(l.a.s, rtp_packet(11, 42, 80)), plain;
        bytes_t again = sent(l.a.s, rtp_packet(10, 42, 80)); // the NACKed packet, sent again
        EXPECT_EQ(first, again) << "same packet, same bytes";
        // the receiver lost the first copy: the retransmission is new to it
        EXPECT_SR_OK(unprotect(l.b.s, later, plain, false));
        EXPECT_SR_OK(unprotect(l.b.s, again, plain, false));
        EXPECT_EQ(rtp_packet(10, 42, 80), plain);
    }
}

TEST(Srtp, SizesAndKeysAreChecked)
{
    Link l(SR_SRTP_PROFILE_AES128_CM_SHA1_80);
    uint8_t buf[64] = {0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    size_t len = 11;
    EXPECT_SR_ERR(SR_EFORMAT, sr_srtp_protect_rtp(l.a.s, buf, &len, sizeof(buf)));
    len = 7;
    EXPECT_SR_ERR(SR_EFORMAT, sr_srtp_protect_rtcp(l.a.s, buf, &len, sizeof(buf)));
    len = 50; // 14 bytes of room: less than SR_SRTP_MAX_TRAILER
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_srtp_protect_rtp(l.a.s, buf, &len, sizeof(buf)));
    EXPECT_EQ(50u, len);
    len = 65;
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_srtp_protect_rtp(l.a.s, buf, &len, sizeof(buf)));
    len = 5;
    EXPECT_SR_ERR(SR_EFORMAT, sr_srtp_unprotect_rtp(l.b.s, buf, &len));
    EXPECT_SR_ERR(SR_EFORMAT, sr_srtp_unprotect_rtcp(l.b.s, buf, &len));
    len = 12; // a header and no tag
    EXPECT_LT(sr_srtp_unprotect_rtp(l.b.s, buf, &len), 0);

    sr_srtp_keys_t k = {};
    sr_srtp_t *s = nullptr;
    k.profile = SR_SRTP_PROFILE_AES128_CM_SHA1_80;
    k.key_len = 28;
    EXPECT_SR_ERR(SR_EINVAL, sr_srtp_new(&k, &s));
    EXPECT_EQ(nullptr, s);
    k.profile = 0x0002; // SRTP_AES128_CM_SHA1_32: not offered
    k.key_len = 30;
    EXPECT_SR_ERR(SR_EINVAL, sr_srtp_new(&k, &s));
    EXPECT_EQ(0u, sr_srtp_profile_key_len(0x0002));
    EXPECT_FALSE(sr_srtp_is_supported(0x0002));
    EXPECT_TRUE(sr_srtp_is_supported(SR_SRTP_PROFILE_AES128_CM_SHA1_80));
    EXPECT_SR_OK(sr_srtp_library_init());
    sr_srtp_free(nullptr);
}

TEST(Srtp, DebianLibsrtpRunsGcm)
{
    // Debian builds libsrtp2 with NSS, so DTLS offers GCM first; this notices if that changes.
    EXPECT_TRUE(sr_srtp_is_supported(SR_SRTP_PROFILE_AEAD_AES_128_GCM));
    EXPECT_EQ(28u, sr_srtp_profile_key_len(SR_SRTP_PROFILE_AEAD_AES_128_GCM));
}
