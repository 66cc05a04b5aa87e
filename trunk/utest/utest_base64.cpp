// SPDX-License-Identifier: MIT
// utest_base64.cpp: core/sr_base64: the RFC 4648 10 test vectors both ways, optional
// padding, every malformed shape the decoder must refuse, and output bounds. The
// HTTP API's Basic auth decodes through it (utest_http_api.cpp).
#include <string.h>

#include <string>

#include "sr_base64.h"
#include "sr_error.h"
#include "sr_utest.h"

namespace
{

std::string b64(const char *in, size_t cap = 256)
{
    uint8_t out[256];
    size_t n = 12345;
    int rc = sr_base64_decode(in, strlen(in), out, cap, &n);
    return rc < 0 ? std::string("ERR:") + sr_err_name(rc) : std::string((const char *)out, n);
}

std::string enc(const std::string &in)
{
    char out[256];
    sr_base64_encode((const uint8_t *)in.data(), in.size(), out);
    EXPECT_EQ(sr_base64_encoded_len(in.size()), strlen(out));
    return out;
}

} // namespace

TEST(Base64, DecodesRfc4648VectorsWithAndWithoutPadding)
{
    EXPECT_EQ("", b64(""));
    EXPECT_EQ("f", b64("Zg=="));
    EXPECT_EQ("f", b64("Zg"));
    EXPECT_EQ("fo", b64("Zm8="));
    EXPECT_EQ("fo", b64("Zm8"));
    EXPECT_EQ("foo", b64("Zm9v"));
    EXPECT_EQ("foob", b64("Zm9vYg=="));
    EXPECT_EQ("fooba", b64("Zm9vYmE="));
    EXPECT_EQ("foobar", b64("Zm9vYmFy"));
    EXPECT_EQ("admin:admin", b64("YWRtaW46YWRtaW4="));
    EXPECT_EQ(std::string("\xff\xfe", 2), b64("//4="));
    EXPECT_EQ(std::string("\xfb\xff", 2), b64("+/8="));
}

TEST(Base64, EncodesRfc4648Vectors)
{
    EXPECT_EQ("", enc(""));
    EXPECT_EQ("Zg==", enc("f"));
    EXPECT_EQ("Zm8=", enc("fo"));
    EXPECT_EQ("Zm9v", enc("foo"));
    EXPECT_EQ("Zm9vYg==", enc("foob"));
    EXPECT_EQ("Zm9vYmE=", enc("fooba"));
    EXPECT_EQ("Zm9vYmFy", enc("foobar"));
    std::string all;
    for (int i = 0; i < 256; i++) {
        all.push_back((char)i);
    }
    std::string half = all.substr(0, 180);
    EXPECT_EQ(half, b64(enc(half).c_str()));
}

TEST(Base64, RefusesMalformedInput)
{
    EXPECT_EQ("ERR:EFORMAT", b64("Zm9v!"));
    EXPECT_EQ("ERR:EFORMAT", b64("Z"));     // 1 mod 4
    EXPECT_EQ("ERR:EFORMAT", b64("Zm9vY")); // 1 mod 4
    EXPECT_EQ("ERR:EFORMAT", b64("Zg="));   // padded but not a multiple of 4
    EXPECT_EQ("ERR:EFORMAT", b64("Z=g="));  // '=' in the middle
    EXPECT_EQ("ERR:EFORMAT", b64("Zg===")); // three '='
    EXPECT_EQ("ERR:EFORMAT", b64("===="));
    EXPECT_EQ("ERR:EFORMAT", b64("Zm9v Zm9v")); // whitespace is not skipped
    EXPECT_EQ("ERR:EFORMAT", b64("Zm9v\n"));
    EXPECT_EQ("ERR:EFORMAT", b64("Zm-_")); // URL-safe alphabet
    // a NUL inside the given length is a character like any other
    uint8_t out[8];
    size_t n;
    EXPECT_SR_ERR(SR_EFORMAT, sr_base64_decode("Zm\0v", 4, out, sizeof(out), &n));
}

TEST(Base64, StopsAtTheOutputCapacity)
{
    EXPECT_EQ("ERR:EOVERFLOW", b64("Zm9v", 2));
    EXPECT_EQ("foo", b64("Zm9v", 3));
    EXPECT_EQ("ERR:EOVERFLOW", b64("Zg==", 0));
    EXPECT_EQ("", b64("", 0));
    EXPECT_EQ(3u, sr_base64_decoded_max(4));
    EXPECT_EQ(1u, sr_base64_decoded_max(2));
    EXPECT_EQ(2u, sr_base64_decoded_max(3));
    EXPECT_EQ(6u, sr_base64_decoded_max(8)); // padding counts: an upper bound
}
