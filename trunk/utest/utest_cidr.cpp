// SPDX-License-Identifier: MIT
// utest_cidr.cpp: addresses and CIDR blocks of access rules (core/sr_cidr): IPv4 and
// IPv6 parse vectors, /0, /32, /128, host bits cleared, IPv4-mapped IPv6 on both sides,
// matching at prefix boundaries that do not fall on a byte, and the inputs refused.
#include <string>

#include "sr_cidr.h"
#include "sr_error.h"
#include "sr_utest.h"

namespace
{

std::string fmt(const char *s)
{
    sr_cidr_t c;
    if (sr_cidr_parse(s, &c) != SR_OK) {
        return "(refused)";
    }
    char out[SR_CIDR_TEXT_MAX];
    sr_cidr_format(&c, out, sizeof(out));
    return out;
}

bool match(const char *net, const char *ip)
{
    sr_cidr_t c;
    EXPECT_EQ(SR_OK, sr_cidr_parse(net, &c)) << net;
    return sr_cidr_match_str(&c, ip);
}

TEST(Cidr, ParsesAddressesAndBlocks)
{
    EXPECT_EQ("all", fmt("all"));
    EXPECT_EQ("1.2.3.4/32", fmt("1.2.3.4"));
    EXPECT_EQ("10.0.0.0/8", fmt("10.0.0.0/8"));
    EXPECT_EQ("10.0.0.0/8", fmt("10.1.2.3/8")); // host bits cleared
    EXPECT_EQ("0.0.0.0/0", fmt("0.0.0.0/0"));
    EXPECT_EQ("192.168.1.128/25", fmt("192.168.1.200/25"));
    EXPECT_EQ("::1/128", fmt("::1"));
    EXPECT_EQ("2001:db8::/32", fmt("2001:db8::/32"));
    EXPECT_EQ("2001:db8::/32", fmt("2001:0DB8:ffff::1/32"));
    EXPECT_EQ("::/0", fmt("::/0"));
    EXPECT_EQ("fe80::/10", fmt("febf::1/10"));
    EXPECT_EQ("1.2.3.0/24", fmt("1.2.3.4/024")); // leading zeros are still decimal
}

TEST(Cidr, MappedRulesAreIpv4)
{
    EXPECT_EQ("1.2.3.4/32", fmt("::ffff:1.2.3.4"));
    EXPECT_EQ("10.0.0.0/8", fmt("::ffff:10.0.0.0/104"));
    EXPECT_EQ("0.0.0.0/0", fmt("::ffff:0.0.0.0/96"));
    EXPECT_EQ("(refused)", fmt("::ffff:10.0.0.0/95")); // reaches outside ::ffff:0:0/96
    EXPECT_EQ("(refused)", fmt("::ffff:10.0.0.0/129"));
}

TEST(Cidr, RefusesBadInput)
{
    sr_err_clear();
    const char *bad[] = {"",
                         "al",
                         "ALL",
                         "1.2.3",
                         "1.2.3.4.5",
                         "256.0.0.1",
                         "1.2.3.4/",
                         "1.2.3.4/33",
                         "1.2.3.4/-1",
                         "1.2.3.4/+8",
                         "1.2.3.4/8 ",
                         " 1.2.3.4",
                         "1.2.3.4/8/8",
                         "1.2.3.4/1000",
                         "::1/129",
                         "::1/",
                         "2001:db8:::1",
                         "fe80::1%eth0",
                         "example.com",
                         "/8",
                         "1.2.3.4/0x8",
                         "012.0.0.1/8x",
                         "10.1",
                         "::1 /64"};
    for (const char *s : bad) {
        sr_cidr_t c;
        EXPECT_EQ(-SR_EINVAL, sr_cidr_parse(s, &c)) << "'" << s << "'";
    }
    sr_cidr_ip_t ip;
    EXPECT_SR_ERR(SR_EINVAL, sr_cidr_parse_ip("10.0.0.0/8", &ip)); // an address, not a block
    EXPECT_SR_ERR(SR_EINVAL, sr_cidr_parse_ip("all", &ip));
    EXPECT_SR_ERR(SR_EINVAL, sr_cidr_parse_ip("", &ip));
    EXPECT_STREQ("", sr_err_trail()); // pure: no trail
}

TEST(Cidr, MatchesIpv4)
{
    EXPECT_TRUE(match("1.2.3.4", "1.2.3.4"));
    EXPECT_FALSE(match("1.2.3.4", "1.2.3.5"));
    EXPECT_TRUE(match("10.0.0.0/8", "10.255.255.255"));
    EXPECT_FALSE(match("10.0.0.0/8", "11.0.0.0"));
    EXPECT_TRUE(match("127.0.0.0/8", "127.0.0.1"));
    EXPECT_TRUE(match("0.0.0.0/0", "203.0.113.9"));
    EXPECT_FALSE(match("0.0.0.0/0", "::1")); // /0 of IPv4 is not IPv6
    // a prefix inside a byte: 192.168.1.128/25 holds .128 - .255
    EXPECT_TRUE(match("192.168.1.128/25", "192.168.1.128"));
    EXPECT_TRUE(match("192.168.1.128/25", "192.168.1.255"));
    EXPECT_FALSE(match("192.168.1.128/25", "192.168.1.127"));
    EXPECT_TRUE(match("172.16.0.0/12", "172.31.255.1"));
    EXPECT_FALSE(match("172.16.0.0/12", "172.32.0.1"));
}

TEST(Cidr, MatchesIpv6)
{
    EXPECT_TRUE(match("::1", "::1"));
    EXPECT_TRUE(match("::1/128", "0:0:0:0:0:0:0:1"));
    EXPECT_FALSE(match("::1", "::2"));
    EXPECT_TRUE(match("2001:db8::/32", "2001:db8:1234::5"));
    EXPECT_FALSE(match("2001:db8::/32", "2001:db9::1"));
    EXPECT_TRUE(match("::/0", "fd00::2"));
    EXPECT_FALSE(match("::/0", "127.0.0.1")); // IPv4 clients meet IPv4 rules only
    EXPECT_TRUE(match("fe80::/10", "febf:ffff::1"));
    EXPECT_FALSE(match("fe80::/10", "fec0::1"));
    EXPECT_FALSE(match("::1", "1.2.3.4"));
}

TEST(Cidr, MappedClientsMeetIpv4Rules)
{
    EXPECT_TRUE(match("127.0.0.1", "::ffff:127.0.0.1"));
    EXPECT_TRUE(match("10.0.0.0/8", "::ffff:10.9.8.7"));
    EXPECT_FALSE(match("10.0.0.0/8", "::ffff:11.0.0.1"));
    EXPECT_TRUE(match("::ffff:10.0.0.0/104", "10.1.1.1")); // and mapped rules meet IPv4 clients
    EXPECT_FALSE(match("::/0", "::ffff:1.2.3.4"));
    sr_cidr_ip_t ip;
    ASSERT_SR_OK(sr_cidr_parse_ip("::ffff:1.2.3.4", &ip));
    EXPECT_FALSE(ip.is_v6);
    EXPECT_EQ(1, ip.addr[0]);
    EXPECT_EQ(4, ip.addr[3]);
}

TEST(Cidr, AllMatchesEveryAddressButNotGarbage)
{
    sr_cidr_t all;
    ASSERT_SR_OK(sr_cidr_parse("all", &all));
    EXPECT_TRUE(sr_cidr_match_str(&all, "1.2.3.4"));
    EXPECT_TRUE(sr_cidr_match_str(&all, "::1"));
    EXPECT_FALSE(sr_cidr_match_str(&all, "not an ip")); // the _str form needs an address
    sr_cidr_ip_t any = {};
    EXPECT_TRUE(sr_cidr_match(&all, &any));
    sr_cidr_t one;
    ASSERT_SR_OK(sr_cidr_parse("1.2.3.4", &one));
    EXPECT_FALSE(sr_cidr_match_str(&one, "garbage"));
}

} // namespace
