// SPDX-License-Identifier: MIT
// utest_dtls.cpp: DTLS-SRTP sessions driven in memory: a server and a client, each with
// its own certificate and the other's fingerprint, pass datagrams to each other (or
// drop them). Certificates for the PEM tests are made with OpenSSL calls here and with
// the openssl command line, and fingerprints are checked against `openssl x509`.
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "sr_dtls.h"
#include "sr_error.h"
#include "sr_srtp.h"
#include "sr_utest.h"

namespace
{

typedef std::vector<uint8_t> bytes_t;

struct Cert {
    sr_dtls_cert_t *c = nullptr;
    Cert()
    {
        EXPECT_SR_OK(sr_dtls_cert_generate(&c));
    }
    ~Cert()
    {
        sr_dtls_cert_free(c);
    }
    const char *fp() const
    {
        return sr_dtls_cert_fingerprint(c);
    }
};

// Everything a session has queued, in order.
std::vector<bytes_t> take_all(sr_dtls_t *d)
{
    std::vector<bytes_t> out;
    uint8_t buf[SR_DTLS_MTU];
    size_t len = 0;
    while (sr_dtls_take(d, buf, sizeof(buf), &len)) {
        EXPECT_LE(len, (size_t)SR_DTLS_MTU);
        out.emplace_back(buf, buf + len);
    }
    return out;
}

// Feeds each datagram; returns the first error (or SR_OK).
int feed_all(sr_dtls_t *d, const std::vector<bytes_t> &dgrams)
{
    int first = SR_OK;
    for (const bytes_t &g : dgrams) {
        int rc = sr_dtls_feed(d, g.data(), g.size());
        if (first == SR_OK) {
            first = rc;
        }
    }
    return first;
}

struct Pair {
    sr_dtls_t *server = nullptr;
    sr_dtls_t *client = nullptr;
    int server_rc = SR_OK; // first error each side's feed returned
    int client_rc = SR_OK;
    size_t datagrams = 0;

    Pair(const sr_dtls_cert_t *sc, const sr_dtls_cert_t *cc)
    {
        EXPECT_SR_OK(sr_dtls_new(sc, SR_DTLS_ROLE_SERVER, &server));
        EXPECT_SR_OK(sr_dtls_new(cc, SR_DTLS_ROLE_CLIENT, &client));
    }
    ~Pair()
    {
        sr_dtls_free(server);
        sr_dtls_free(client);
    }
    // Carry datagrams both ways until nothing moves. drop(from_client, index) loses one.
    void pump(const std::function<bool(bool, size_t)> &drop = nullptr)
    {
        for (int round = 0; round < 20; round++) {
            std::vector<bytes_t> c2s = take_all(client), s2c = take_all(server);
            if (c2s.empty() && s2c.empty()) {
                return;
            }
            for (const bytes_t &g : c2s) {
                if (!(drop && drop(true, datagrams++))) {
                    int rc = sr_dtls_feed(server, g.data(), g.size());
                    server_rc = server_rc == SR_OK ? rc : server_rc;
                }
            }
            for (const bytes_t &g : s2c) {
                if (!(drop && drop(false, datagrams++))) {
                    int rc = sr_dtls_feed(client, g.data(), g.size());
                    client_rc = client_rc == SR_OK ? rc : client_rc;
                }
            }
        }
    }
    void handshake()
    {
        EXPECT_SR_OK(sr_dtls_start(server));
        EXPECT_SR_OK(sr_dtls_start(client));
        pump();
    }
};

void set_fingerprints(Pair &p, const Cert &server, const Cert &client)
{
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.server, client.fp()));
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.client, server.fp()));
}

// Two sessions with their own certificates, each knowing the other's fingerprint.
struct Peers {
    Cert sc, cc;
    Pair p;
    Peers() : p(sc.c, cc.c)
    {
        set_fingerprints(p, sc, cc);
    }
};

void expect_mirrored_keys(sr_dtls_t *server, sr_dtls_t *client)
{
    sr_srtp_keys_t sk, ck;
    ASSERT_SR_OK(sr_dtls_srtp_keys(server, &sk));
    ASSERT_SR_OK(sr_dtls_srtp_keys(client, &ck));
    EXPECT_EQ(sk.profile, ck.profile);
    EXPECT_EQ(sr_srtp_profile_key_len(sk.profile), sk.key_len);
    EXPECT_EQ(sk.key_len, ck.key_len);
    EXPECT_EQ(0, memcmp(sk.local_key, ck.remote_key, sk.key_len));
    EXPECT_EQ(0, memcmp(sk.remote_key, ck.local_key, sk.key_len));
    EXPECT_NE(0, memcmp(sk.local_key, sk.remote_key, sk.key_len));
}

// Both ends finished the handshake and agree on the keys.
void expect_connected(const Pair &p)
{
    EXPECT_TRUE(sr_dtls_is_connected(p.server)) << sr_err_name(p.server_rc);
    EXPECT_TRUE(sr_dtls_is_connected(p.client)) << sr_err_name(p.client_rc);
    expect_mirrored_keys(p.server, p.client);
}

void sleep_until_due(sr_dtls_t *d)
{
    sr_utime_t t = sr_dtls_timeout_us(d);
    ASSERT_NE(SR_DTLS_NO_TIMER, t);
    usleep((useconds_t)(t + 5000));
    EXPECT_EQ(0u, sr_dtls_timeout_us(d));
}

std::string trail()
{
    return sr_err_trail();
}

// ---- PEM files made with OpenSSL ----

struct TempDir {
    std::string path;
    TempDir()
    {
        char tmpl[] = "/tmp/utest_dtls_XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir()
    {
        std::string cmd = "rm -rf '" + path + "'";
        EXPECT_EQ(0, system(cmd.c_str()));
    }
    std::string file(const char *name) const
    {
        return path + "/" + name;
    }
};

EVP_PKEY *make_key(bool rsa)
{
    return rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
}

X509 *make_cert(EVP_PKEY *key, const char *cn)
{
    X509 *x = X509_new();
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_set_pubkey(x, key);
    EXPECT_GT(X509_sign(x, key, EVP_sha256()), 0);
    return x;
}

// Writes key.pem and cert.pem (the leaf, then `extra` more certificates as a chain).
void write_pem(const TempDir &dir, bool rsa, int extra, const char *cert_name = "cert.pem",
               const char *key_name = "key.pem")
{
    EVP_PKEY *key = make_key(rsa);
    ASSERT_TRUE(key);
    FILE *f = fopen(dir.file(key_name).c_str(), "w");
    ASSERT_TRUE(f);
    EXPECT_EQ(1, PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL));
    fclose(f);
    f = fopen(dir.file(cert_name).c_str(), "w");
    ASSERT_TRUE(f);
    X509 *x = make_cert(key, "leaf");
    EXPECT_EQ(1, PEM_write_X509(f, x));
    X509_free(x);
    for (int i = 0; i < extra; i++) {
        EVP_PKEY *k = make_key(false);
        X509 *c = make_cert(k, "intermediate");
        EXPECT_EQ(1, PEM_write_X509(f, c));
        X509_free(c);
        EVP_PKEY_free(k);
    }
    fclose(f);
    EVP_PKEY_free(key);
}

std::string run(const std::string &cmd)
{
    std::string out;
    FILE *p = popen(cmd.c_str(), "r");
    if (!p) {
        return out;
    }
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
        out.append(buf, n);
    }
    pclose(p);
    return out;
}

} // namespace

// ---- certificates ----

TEST(Dtls, GeneratedCertFingerprintIsSha256ColonHex)
{
    Cert a, b;
    std::string fp = a.fp();
    ASSERT_EQ(8u + 32 * 3 - 1, fp.size()) << fp;
    EXPECT_EQ("sha-256 ", fp.substr(0, 8));
    for (size_t i = 8; i < fp.size(); i++) {
        char ch = fp[i];
        if ((i - 8) % 3 == 2) {
            EXPECT_EQ(':', ch) << fp;
        } else {
            EXPECT_TRUE((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F')) << fp;
        }
    }
    EXPECT_NE(fp, std::string(b.fp())); // new key and serial each time
}

TEST(Dtls, LoadsPemFromOpensslCliAndFingerprintMatchesIt)
{
    if (system("openssl version >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "openssl command not installed";
    }
    TempDir dir;
    std::string cert = dir.file("cli.pem"), key = dir.file("cli.key");
    std::string gen = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=cli -days 2 "
                      "-keyout '" +
                      key + "' -out '" + cert + "' 2>/dev/null";
    ASSERT_EQ(0, system(gen.c_str()));
    std::string out = run("openssl x509 -fingerprint -sha256 -noout -in '" + cert + "'");
    // "sha256 Fingerprint=AB:CD:...\n" (OpenSSL 3; 1.1 wrote "SHA256 Fingerprint=")
    size_t eq = out.find('=');
    ASSERT_NE(std::string::npos, eq) << out;
    std::string hex = out.substr(eq + 1);
    hex.erase(hex.find_last_not_of("\r\n") + 1);

    sr_dtls_cert_t *c = nullptr;
    ASSERT_SR_OK(sr_dtls_cert_load(cert.c_str(), key.c_str(), &c));
    EXPECT_EQ("sha-256 " + hex, std::string(sr_dtls_cert_fingerprint(c)));

    // and a session accepts exactly that fingerprint for the peer
    Cert server;
    Pair p(server.c, c);
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.server, ("sha-256 " + hex).c_str()));
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.client, server.fp()));
    p.handshake();
    EXPECT_TRUE(sr_dtls_is_connected(p.server)) << sr_err_name(p.server_rc);
    EXPECT_TRUE(sr_dtls_is_connected(p.client)) << sr_err_name(p.client_rc);
    sr_dtls_cert_free(c);
}

TEST(Dtls, LoadedRsaCertWithChainHandshakesInMtuSizedDatagrams)
{
    TempDir dir;
    write_pem(dir, true, 3); // RSA leaf and three more certificates: a Certificate message over one MTU
    sr_dtls_cert_t *loaded = nullptr;
    ASSERT_SR_OK(sr_dtls_cert_load(dir.file("cert.pem").c_str(), dir.file("key.pem").c_str(), &loaded));
    Cert client;
    Pair p(loaded, client.c);
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.server, client.fp()));
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.client, sr_dtls_cert_fingerprint(loaded)));
    EXPECT_SR_OK(sr_dtls_start(p.client));
    size_t biggest = 0, count = 0;
    for (int i = 0; i < 10 && !sr_dtls_is_connected(p.client); i++) {
        for (const bytes_t &g : take_all(p.client)) {
            sr_dtls_feed(p.server, g.data(), g.size());
        }
        for (const bytes_t &g : take_all(p.server)) {
            biggest = std::max(biggest, g.size());
            count++;
            EXPECT_SR_OK(sr_dtls_feed(p.client, g.data(), g.size()));
        }
    }
    EXPECT_TRUE(sr_dtls_is_connected(p.client));
    p.pump();
    EXPECT_TRUE(sr_dtls_is_connected(p.server));
    EXPECT_LE(biggest, (size_t)SR_DTLS_MTU);
    EXPECT_GE(count, 3u) << "the server's flight should span several datagrams";
    expect_mirrored_keys(p.server, p.client);
    sr_dtls_cert_free(loaded);
}

TEST(Dtls, CertLoadErrorsNameTheFileAndReason)
{
    TempDir dir;
    write_pem(dir, false, 0);
    write_pem(dir, false, 0, "other.pem", "other.key");
    std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
    sr_dtls_cert_t *c = nullptr;

    EXPECT_SR_ERR(SR_EDTLS, sr_dtls_cert_load(dir.file("missing.pem").c_str(), key.c_str(), &c));
    EXPECT_EQ(nullptr, c);
    EXPECT_NE(std::string::npos, trail().find("missing.pem")) << trail();
    EXPECT_NE(std::string::npos, trail().find("No such file")) << trail();

    EXPECT_SR_ERR(SR_EDTLS, sr_dtls_cert_load(cert.c_str(), dir.file("nokey.pem").c_str(), &c));
    EXPECT_NE(std::string::npos, trail().find("nokey.pem")) << trail();

    // a key that belongs to another certificate
    EXPECT_SR_ERR(SR_EDTLS, sr_dtls_cert_load(cert.c_str(), dir.file("other.key").c_str(), &c));
    EXPECT_NE(std::string::npos, trail().find("other.key")) << trail();
    EXPECT_NE(std::string::npos, trail().find("mismatch")) << trail();

    // the key file given as the certificate
    EXPECT_SR_ERR(SR_EDTLS, sr_dtls_cert_load(key.c_str(), key.c_str(), &c));
    EXPECT_NE(std::string::npos, trail().find("key.pem")) << trail();
    EXPECT_NE(std::string::npos, trail().find("no start line")) << trail();
    EXPECT_EQ(0u, ERR_peek_error()) << "the OpenSSL error queue is drained";

    // an encrypted key fails instead of prompting for a password
    EVP_PKEY *k = EVP_EC_gen("P-256");
    FILE *f = fopen(dir.file("enc.key").c_str(), "w");
    ASSERT_TRUE(f);
    PEM_write_PrivateKey(f, k, EVP_aes_128_cbc(), (unsigned char *)"secret", 6, NULL, NULL);
    fclose(f);
    EVP_PKEY_free(k);
    EXPECT_SR_ERR(SR_EDTLS, sr_dtls_cert_load(cert.c_str(), dir.file("enc.key").c_str(), &c));

    ASSERT_SR_OK(sr_dtls_cert_load(cert.c_str(), key.c_str(), &c));
    sr_dtls_cert_free(c);
}

// ---- handshake ----

TEST(Dtls, HandshakeDerivesMirroredSrtpKeys)
{
    Peers peers;
    Pair &p = peers.p;
    EXPECT_EQ(SR_DTLS_NO_TIMER, sr_dtls_timeout_us(p.server));
    EXPECT_FALSE(sr_dtls_is_connected(p.server));
    p.handshake();
    EXPECT_SR_OK(p.server_rc);
    EXPECT_SR_OK(p.client_rc);
    ASSERT_TRUE(sr_dtls_is_connected(p.server));
    ASSERT_TRUE(sr_dtls_is_connected(p.client));
    EXPECT_FALSE(sr_dtls_is_closed(p.server));
    expect_mirrored_keys(p.server, p.client);
    sr_srtp_keys_t k;
    ASSERT_SR_OK(sr_dtls_srtp_keys(p.server, &k));
    if (sr_srtp_is_supported(SR_SRTP_PROFILE_AEAD_AES_128_GCM)) {
        EXPECT_EQ(SR_SRTP_PROFILE_AEAD_AES_128_GCM, k.profile);
        EXPECT_EQ(28u, k.key_len);
    } else {
        EXPECT_EQ(SR_SRTP_PROFILE_AES128_CM_SHA1_80, k.profile);
    }
    EXPECT_EQ(SR_DTLS_NO_TIMER, sr_dtls_timeout_us(p.client));
}

TEST(Dtls, KeysFeedSrtpBothWays)
{
    Peers peers;
    Pair &p = peers.p;
    p.handshake();
    sr_srtp_keys_t sk, ck;
    ASSERT_SR_OK(sr_dtls_srtp_keys(p.server, &sk));
    ASSERT_SR_OK(sr_dtls_srtp_keys(p.client, &ck));
    sr_srtp_t *s = nullptr, *c = nullptr;
    ASSERT_SR_OK(sr_srtp_new(&sk, &s));
    ASSERT_SR_OK(sr_srtp_new(&ck, &c));
    uint8_t pkt[64 + SR_SRTP_MAX_TRAILER] = {0x80, 0x60, 0x00, 0x01, 0, 0, 0, 9, 0x11, 0x22, 0x33, 0x44};
    memset(pkt + 12, 0xab, 52);
    uint8_t orig[64];
    memcpy(orig, pkt, sizeof(orig));
    size_t len = 64;
    ASSERT_SR_OK(sr_srtp_protect_rtp(c, pkt, &len, sizeof(pkt)));
    ASSERT_SR_OK(sr_srtp_unprotect_rtp(s, pkt, &len));
    ASSERT_EQ(64u, len);
    EXPECT_EQ(0, memcmp(orig, pkt, len));
    ASSERT_SR_OK(sr_srtp_protect_rtp(s, pkt, &len, sizeof(pkt)));
    ASSERT_SR_OK(sr_srtp_unprotect_rtp(c, pkt, &len));
    EXPECT_EQ(0, memcmp(orig, pkt, len));
    sr_srtp_free(s);
    sr_srtp_free(c);
}

TEST(Dtls, SessionsOutliveTheirCertificates)
{
    Cert *sc = new Cert, *cc = new Cert;
    Pair p(sc->c, cc->c);
    set_fingerprints(p, *sc, *cc);
    delete sc;
    delete cc;
    p.handshake();
    EXPECT_TRUE(sr_dtls_is_connected(p.server));
    EXPECT_TRUE(sr_dtls_is_connected(p.client));
}

TEST(Dtls, WrongFingerprintAtServerFailsBothSides)
{
    Cert sc, cc, stranger;
    Pair p(sc.c, cc.c);
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.server, stranger.fp()));
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.client, sc.fp()));
    p.handshake();
    EXPECT_EQ(-SR_EDTLS_FINGERPRINT, p.server_rc);
    EXPECT_EQ(-SR_EDTLS, p.client_rc) << "the client gets the server's bad_certificate alert";
    EXPECT_FALSE(sr_dtls_is_connected(p.server));
    EXPECT_FALSE(sr_dtls_is_connected(p.client));
    EXPECT_TRUE(sr_dtls_is_closed(p.server));
    EXPECT_TRUE(sr_dtls_is_closed(p.client));
    sr_srtp_keys_t k;
    EXPECT_SR_ERR(SR_EINVAL, sr_dtls_srtp_keys(p.server, &k));
    EXPECT_EQ(0u, ERR_peek_error());
}

TEST(Dtls, WrongFingerprintAtClientFailsWithTheCertificatesHash)
{
    Cert sc, cc, stranger;
    Pair p(sc.c, cc.c);
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.server, cc.fp()));
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.client, stranger.fp()));
    EXPECT_SR_OK(sr_dtls_start(p.client));
    for (int i = 0; i < 5 && p.client_rc == SR_OK; i++) {
        feed_all(p.server, take_all(p.client));
        p.client_rc = feed_all(p.client, take_all(p.server));
    }
    EXPECT_EQ(-SR_EDTLS_FINGERPRINT, p.client_rc);
    EXPECT_NE(std::string::npos, trail().find(std::string(sc.fp()))) << trail(); // says what the peer showed
    p.pump();
    EXPECT_FALSE(sr_dtls_is_connected(p.server));
}

TEST(Dtls, MissingRemoteFingerprintFails)
{
    Cert sc, cc;
    Pair p(sc.c, cc.c);
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.client, sc.fp()));
    p.handshake();
    EXPECT_EQ(-SR_EDTLS_FINGERPRINT, p.server_rc);
    EXPECT_FALSE(sr_dtls_is_connected(p.client));
}

TEST(Dtls, RemoteFingerprintParsing)
{
    Cert sc, cc;
    Pair p(sc.c, cc.c);
    std::string fp = sc.fp();
    std::string hex = fp.substr(8);
    EXPECT_SR_ERR(SR_EINVAL, sr_dtls_set_remote_fingerprint(p.client, ("md5 " + hex).c_str()));
    EXPECT_SR_ERR(SR_EINVAL, sr_dtls_set_remote_fingerprint(p.client, hex.c_str()));
    EXPECT_SR_ERR(SR_EFORMAT, sr_dtls_set_remote_fingerprint(p.client, "sha-256 AB:CD"));
    EXPECT_SR_ERR(SR_EFORMAT, sr_dtls_set_remote_fingerprint(p.client, (fp + ":00").c_str()));
    EXPECT_SR_ERR(SR_EFORMAT, sr_dtls_set_remote_fingerprint(p.client, (fp + " ").c_str()));
    EXPECT_SR_ERR(SR_EFORMAT, sr_dtls_set_remote_fingerprint(p.client, ("sha-1 " + hex).c_str()));
    std::string bad = fp;
    bad[9] = 'G';
    EXPECT_SR_ERR(SR_EFORMAT, sr_dtls_set_remote_fingerprint(p.client, bad.c_str()));
    bad = fp;
    bad[10] = '-';
    EXPECT_SR_ERR(SR_EFORMAT, sr_dtls_set_remote_fingerprint(p.client, bad.c_str()));
    EXPECT_SR_ERR(SR_EFORMAT, sr_dtls_set_remote_fingerprint(p.client, "sha-256"));
    // hash names and hex in any case (Firefox writes lower-case hex)
    std::string lower = fp;
    for (char &ch : lower) {
        ch = (char)tolower((unsigned char)ch);
    }
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.client, ("SHA-256 " + lower.substr(8)).c_str()));
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.server, cc.fp()));
    p.handshake();
    EXPECT_TRUE(sr_dtls_is_connected(p.client));
}

TEST(Dtls, OtherHashesOfTheFingerprintWork)
{
    if (system("openssl version >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "openssl command not installed";
    }
    TempDir dir;
    write_pem(dir, false, 0);
    sr_dtls_cert_t *c = nullptr;
    ASSERT_SR_OK(sr_dtls_cert_load(dir.file("cert.pem").c_str(), dir.file("key.pem").c_str(), &c));
    std::string out = run("openssl x509 -fingerprint -sha1 -noout -in '" + dir.file("cert.pem") + "'");
    std::string hex = out.substr(out.find('=') + 1);
    hex.erase(hex.find_last_not_of("\r\n") + 1);
    Cert cc;
    Pair p(c, cc.c);
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.client, ("sha-1 " + hex).c_str()));
    EXPECT_SR_OK(sr_dtls_set_remote_fingerprint(p.server, cc.fp()));
    p.handshake();
    EXPECT_TRUE(sr_dtls_is_connected(p.client)) << sr_err_name(p.client_rc);
    sr_dtls_cert_free(c);
}

// ---- loss and retransmission ----

TEST(Dtls, LostClientHelloIsSentAgainOnTimeout)
{
    Peers peers;
    Pair &p = peers.p;
    ASSERT_SR_OK(sr_dtls_start(p.client));
    std::vector<bytes_t> hello = take_all(p.client);
    ASSERT_EQ(1u, hello.size());
    EXPECT_EQ(22, hello[0][0]); // handshake record
    sr_utime_t t = sr_dtls_timeout_us(p.client);
    EXPECT_GT(t, 0u);
    EXPECT_LE(t, 250 * 1000u);
    EXPECT_SR_OK(sr_dtls_on_timeout(p.client)); // not due: nothing happens
    EXPECT_TRUE(take_all(p.client).empty());
    sleep_until_due(p.client);
    ASSERT_SR_OK(sr_dtls_on_timeout(p.client));
    std::vector<bytes_t> again = take_all(p.client);
    ASSERT_EQ(1u, again.size());
    EXPECT_EQ(hello[0].size(), again[0].size());
    EXPECT_GT(sr_dtls_timeout_us(p.client), t) << "the timer backs off";
    EXPECT_SR_OK(feed_all(p.server, again));
    p.pump();
    expect_connected(p);
}

TEST(Dtls, LostFinalServerFlightIsRecoveredByTheClientsRetransmission)
{
    Peers peers;
    Pair &p = peers.p;
    ASSERT_SR_OK(sr_dtls_start(p.client));
    // ClientHello -> ServerHello..Done -> client flight 5 -> server done, its flight 6 lost
    EXPECT_SR_OK(feed_all(p.server, take_all(p.client)));
    EXPECT_SR_OK(feed_all(p.client, take_all(p.server)));
    EXPECT_SR_OK(feed_all(p.server, take_all(p.client)));
    ASSERT_TRUE(sr_dtls_is_connected(p.server));
    EXPECT_FALSE(take_all(p.server).empty());
    EXPECT_FALSE(sr_dtls_is_connected(p.client));
    sleep_until_due(p.client);
    ASSERT_SR_OK(sr_dtls_on_timeout(p.client));
    std::vector<bytes_t> flight5 = take_all(p.client);
    EXPECT_FALSE(flight5.empty());
    EXPECT_SR_OK(feed_all(p.server, flight5)); // the connected server sends flight 6 again
    EXPECT_SR_OK(feed_all(p.client, take_all(p.server)));
    expect_connected(p);
}

TEST(Dtls, DuplicatedDatagramsAreHarmless)
{
    Peers peers;
    Pair &p = peers.p;
    ASSERT_SR_OK(sr_dtls_start(p.client));
    for (int i = 0; i < 6; i++) {
        std::vector<bytes_t> c2s = take_all(p.client), s2c = take_all(p.server);
        EXPECT_SR_OK(feed_all(p.server, c2s));
        EXPECT_SR_OK(feed_all(p.server, c2s));
        EXPECT_SR_OK(feed_all(p.client, s2c));
        EXPECT_SR_OK(feed_all(p.client, s2c));
    }
    expect_connected(p);
}

// ---- closing and bad input ----

TEST(Dtls, CloseNotifyEndsThePeersSession)
{
    Peers peers;
    Pair &p = peers.p;
    p.handshake();
    ASSERT_TRUE(sr_dtls_is_connected(p.server));
    sr_dtls_close(p.client);
    EXPECT_TRUE(sr_dtls_is_closed(p.client));
    EXPECT_FALSE(sr_dtls_is_connected(p.client));
    std::vector<bytes_t> alert = take_all(p.client);
    ASSERT_EQ(1u, alert.size());
    EXPECT_EQ(21, alert[0][0]); // alert record
    EXPECT_SR_ERR(SR_EPEER_CLOSED, feed_all(p.server, alert));
    EXPECT_TRUE(sr_dtls_is_closed(p.server));
    EXPECT_FALSE(sr_dtls_is_connected(p.server));
    // the server answers with its own close_notify, which the closed client ignores
    EXPECT_SR_OK(feed_all(p.client, take_all(p.server)));
    EXPECT_SR_OK(feed_all(p.server, alert)); // and the closed server ignores more
    sr_srtp_keys_t k;
    EXPECT_SR_ERR(SR_EINVAL, sr_dtls_srtp_keys(p.server, &k));
    sr_dtls_close(p.server); // twice is fine
    EXPECT_TRUE(take_all(p.server).empty());
}

TEST(Dtls, NonDtlsDatagramsAreRefusedAndLeaveTheSessionAsItWas)
{
    Peers peers;
    Pair &p = peers.p;
    const uint8_t stun[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
    const uint8_t rtp[20] = {0x80, 0x60};
    const uint8_t short_record[12] = {22, 0xfe, 0xfd};
    EXPECT_SR_ERR(SR_EFORMAT, sr_dtls_feed(p.server, stun, sizeof(stun)));
    EXPECT_SR_ERR(SR_EFORMAT, sr_dtls_feed(p.server, rtp, sizeof(rtp)));
    EXPECT_SR_ERR(SR_EFORMAT, sr_dtls_feed(p.server, short_record, sizeof(short_record)));
    EXPECT_SR_ERR(SR_EFORMAT, sr_dtls_feed(p.server, rtp, 0));
    p.handshake();
    EXPECT_TRUE(sr_dtls_is_connected(p.server));
    EXPECT_TRUE(sr_dtls_is_connected(p.client));
}

TEST(Dtls, GarbageRecordsAreDroppedDuringAndAfterTheHandshake)
{
    Peers peers;
    Pair &p = peers.p;
    srand(7);
    auto garbage = [](sr_dtls_t *d, int n) {
        for (int i = 0; i < n; i++) {
            uint8_t g[300];
            size_t len = 13 + (size_t)(rand() % (int)(sizeof(g) - 13));
            for (size_t j = 0; j < len; j++) {
                g[j] = (uint8_t)rand();
            }
            g[0] = (uint8_t)(20 + rand() % 44);
            if (i % 2) { // a plausible DTLS 1.2 header with a random body
                g[1] = 0xfe;
                g[2] = 0xfd;
                g[11] = (uint8_t)((len - 13) >> 8);
                g[12] = (uint8_t)(len - 13);
            }
            sr_dtls_feed(d, g, len); // any result but a crash is fine; the session must survive
        }
    };
    garbage(p.server, 300); // before the ClientHello
    ASSERT_SR_OK(sr_dtls_start(p.client));
    std::vector<bytes_t> hello = take_all(p.client);
    // every truncation of the real ClientHello
    for (size_t cut = 13; cut < hello[0].size(); cut++) {
        sr_dtls_feed(p.server, hello[0].data(), cut);
    }
    garbage(p.client, 300);
    EXPECT_FALSE(sr_dtls_is_closed(p.server));
    EXPECT_FALSE(sr_dtls_is_closed(p.client));
    feed_all(p.server, hello);
    p.pump();
    ASSERT_TRUE(sr_dtls_is_connected(p.server)) << sr_err_name(p.server_rc);
    ASSERT_TRUE(sr_dtls_is_connected(p.client));
    garbage(p.server, 300);
    EXPECT_TRUE(sr_dtls_is_connected(p.server));
    expect_mirrored_keys(p.server, p.client);
}

TEST(Dtls, KeysAndTimerBeforeTheHandshake)
{
    Cert sc;
    sr_dtls_t *d = nullptr;
    ASSERT_SR_OK(sr_dtls_new(sc.c, SR_DTLS_ROLE_SERVER, &d));
    sr_srtp_keys_t k;
    EXPECT_SR_ERR(SR_EINVAL, sr_dtls_srtp_keys(d, &k));
    EXPECT_EQ(SR_DTLS_NO_TIMER, sr_dtls_timeout_us(d));
    EXPECT_SR_OK(sr_dtls_on_timeout(d));
    EXPECT_SR_OK(sr_dtls_start(d)); // a server waits for the ClientHello
    uint8_t buf[SR_DTLS_MTU];
    size_t len = 0;
    EXPECT_FALSE(sr_dtls_take(d, buf, sizeof(buf), &len));
    sr_dtls_close(d); // closing before the handshake sends nothing
    EXPECT_FALSE(sr_dtls_take(d, buf, sizeof(buf), &len));
    EXPECT_TRUE(sr_dtls_is_closed(d));
    sr_dtls_free(d);
    sr_dtls_free(nullptr);
    sr_dtls_cert_free(nullptr);
}
