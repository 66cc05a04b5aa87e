// SPDX-License-Identifier: MIT
#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_utest.h"

TEST(Bytes, ReaderRefusesOverread)
{
    const uint8_t d[] = {0x01, 0x02, 0x03};
    sr_reader_t r;
    sr_reader_init(&r, d, sizeof(d));
    uint16_t v16 = 0;
    ASSERT_SR_OK(sr_reader_be16(&r, &v16));
    EXPECT_EQ(0x0102, v16);
    uint32_t v32 = 0;
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_reader_be32(&r, &v32));
    EXPECT_EQ(1u, sr_reader_left(&r));
}

TEST(Bytes, BufferRoundTripsDouble)
{
    sr_buf_t b;
    sr_buf_init(&b);
    sr_buf_put_double(&b, 1935.5);
    sr_buf_put_be24(&b, 0xabcdef);
    sr_reader_t r;
    sr_reader_init(&r, b.data, b.len);
    double d = 0;
    uint32_t v = 0;
    ASSERT_SR_OK(sr_reader_double(&r, &d));
    ASSERT_SR_OK(sr_reader_be24(&r, &v));
    EXPECT_EQ(1935.5, d);
    EXPECT_EQ(0xabcdefu, v);
    sr_buf_deinit(&b);
}

TEST(Error, TrailCarriesFrames)
{
    int rc = sr_err_new(SR_ETIMEOUT, "read %d", 7);
    rc = sr_err_wrap(rc, "handshake");
    EXPECT_EQ(-SR_ETIMEOUT, rc);
    EXPECT_TRUE(sr_err_is_timeout(rc));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "read 7"));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "handshake"));
    EXPECT_STREQ("ETIMEOUT", sr_err_name(rc));
}
