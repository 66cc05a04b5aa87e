// SPDX-License-Identifier: MIT
// utest_rtsp_auth.cpp: the camera side of RTSP auth (sr_rtsp_auth.h) against the RFCs'
// own examples: RFC 2617 3.5 (Mufasa, MD5 with qop auth), RFC 7616 3.9.1 (the same
// with SHA-256), RFC 7617 2 (Aladdin, Basic); challenges with several schemes,
// escapes, unknown algorithms, every truncated prefix.
#include <string.h>

#include <string>

#include "sr_error.h"
#include "sr_rtsp_auth.h"
#include "sr_utest.h"

namespace
{

int Parse(const std::string &v, sr_rtsp_auth_challenge_t *c)
{
    return sr_rtsp_auth_parse_challenge(v.data(), v.size(), c);
}

const char *kRfc2617 = "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                       "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

} // namespace

TEST(RtspAuth, Rfc2617Md5)
{
    sr_rtsp_auth_challenge_t c;
    ASSERT_EQ(Parse(kRfc2617, &c), SR_OK);
    EXPECT_TRUE(c.is_digest);
    EXPECT_FALSE(c.is_sha256);
    EXPECT_TRUE(c.has_qop_auth);
    EXPECT_STREQ(c.realm, "testrealm@host.com");
    char out[1024];
    ASSERT_EQ(
        sr_rtsp_auth_write(&c, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", 1, "0a4f113b", out, sizeof(out)),
        SR_OK);
    EXPECT_NE(strstr(out, "response=\"6629fae49393a05397450978507c4ef1\""), nullptr) << out;
    EXPECT_NE(strstr(out, "nc=00000001, cnonce=\"0a4f113b\""), nullptr) << out;
    EXPECT_NE(strstr(out, "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""), nullptr) << out;
    char tiny[40];
    EXPECT_EQ(
        sr_rtsp_auth_write(&c, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", 1, "0a4f113b", tiny, sizeof(tiny)),
        -SR_EOVERFLOW);
}

TEST(RtspAuth, Rfc7616Sha256)
{
    // RFC 7616 3.9.1: the SHA-256 challenge of the two it offers
    std::string v = "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
                    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
                    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    sr_rtsp_auth_challenge_t c;
    ASSERT_EQ(Parse(v, &c), SR_OK);
    EXPECT_TRUE(c.is_sha256);
    char out[1024];
    ASSERT_EQ(sr_rtsp_auth_write(&c, "Mufasa", "Circle of Life", "GET", "/dir/index.html", 1,
                                 "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", out, sizeof(out)),
              SR_OK);
    EXPECT_NE(strstr(out, "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""), nullptr)
        << out;
}

TEST(RtspAuth, BasicAndSchemeChoice)
{
    sr_rtsp_auth_challenge_t c;
    ASSERT_EQ(Parse("Basic realm=\"WallyWorld\"", &c), SR_OK);
    EXPECT_FALSE(c.is_digest);
    char out[256];
    ASSERT_EQ(sr_rtsp_auth_write(&c, "Aladdin", "open sesame", "DESCRIBE", "rtsp://x/y", 1, "00", out, sizeof(out)),
              SR_OK);
    EXPECT_STREQ(out, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    // Digest is preferred wherever it comes
    ASSERT_EQ(Parse("Basic realm=\"a\", Digest realm=\"b\", nonce=\"n\"", &c), SR_OK);
    EXPECT_TRUE(c.is_digest);
    EXPECT_STREQ(c.realm, "b");
    // a Digest we cannot answer falls back to the Basic next to it
    ASSERT_EQ(Parse("Digest realm=\"b\", nonce=\"n\", algorithm=SHA-512-256, Basic realm=\"a\"", &c), SR_OK);
    EXPECT_FALSE(c.is_digest);
    EXPECT_EQ(Parse("Digest realm=\"b\", nonce=\"n\", qop=\"auth-int\"", &c), -SR_EUNSUPPORTED);
    EXPECT_EQ(Parse("Bearer realm=\"x\"", &c), -SR_EUNSUPPORTED);
    EXPECT_EQ(Parse("Digest realm=\"b\"", &c), -SR_EFORMAT);
    // escapes inside quotes; without qop the RFC 2069 form
    ASSERT_EQ(Parse("Digest realm=\"a \\\"q\\\" b\", nonce=abc", &c), SR_OK);
    EXPECT_STREQ(c.realm, "a \"q\" b");
    EXPECT_STREQ(c.nonce, "abc");
    ASSERT_EQ(sr_rtsp_auth_write(&c, "u", "p", "DESCRIBE", "rtsp://h/s", 1, "00", out, sizeof(out)), SR_OK);
    EXPECT_EQ(strstr(out, "qop="), nullptr);
    EXPECT_EQ(Parse("Digest realm=\"" + std::string(300, 'r') + "\", nonce=n", &c), -SR_ENAME_TOO_LONG);
}

TEST(RtspAuth, TruncatedChallenges)
{
    std::string v = kRfc2617;
    for (size_t n = 0; n < v.size(); n++) {
        sr_rtsp_auth_challenge_t c;
        int rc = sr_rtsp_auth_parse_challenge(v.data(), n, &c);
        if (rc == SR_OK) {
            EXPECT_TRUE(c.is_digest && c.nonce[0]) << n;
        } else {
            EXPECT_TRUE(rc == -SR_EFORMAT || rc == -SR_EUNSUPPORTED) << n << " " << rc;
        }
    }
}
