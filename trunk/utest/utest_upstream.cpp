// SPDX-License-Identifier: MIT
// utest_upstream.cpp: the pure parts of app/cluster: the query a stream carries upstream
// (its own vhost and Strand's loop marker dropped, every other pair kept in order), and
// the destinations forward accepts (rtmp:// and rtmps:// URLs, host:port).
#include <string>

#include "sr_upstream.h"
#include "sr_utest.h"

namespace
{

std::string without(const char *param, const char *key)
{
    char out[256];
    sr_upstream_query_without(param, key, out, sizeof(out));
    return out;
}

} // namespace

TEST(Upstream, QueryWithoutVhostAndKey)
{
    EXPECT_EQ("", without("", nullptr));
    EXPECT_EQ("", without("?", nullptr));
    EXPECT_EQ("token=abc", without("?token=abc", nullptr));
    EXPECT_EQ("token=abc&x=1", without("?vhost=v.test&token=abc&x=1", nullptr));
    EXPECT_EQ("token=abc", without("token=abc&strand_via=vid-a.vid-b", "strand_via"));
    EXPECT_EQ("a=1&b=2", without("?a=1&&vhost=x&strand_via=q&b=2", "strand_via"));
    // a key that only starts like ours is someone else's
    EXPECT_EQ("vhosts=2&strand_viaX=1", without("?vhosts=2&strand_viaX=1", "strand_via"));
}

TEST(Upstream, QueryDropsPairsThatDoNotFit)
{
    char out[8];
    sr_upstream_query_without("?a=1&bbbbbbbbbb=2&c=3", nullptr, out, sizeof(out));
    EXPECT_STREQ("a=1&c=3", out);
}

TEST(Upstream, DestinationUrls)
{
    sr_cluster_addr_t a;
    ASSERT_EQ(SR_OK, sr_config_cluster_addr(nullptr, "rtmps://live-api-s.facebook.com/rtmp/KEY?s=1", true, &a));
    EXPECT_TRUE(a.is_tls);
    EXPECT_STREQ("live-api-s.facebook.com", a.host);
    EXPECT_EQ(443, a.port); // RTMPS's usual port when the URL names none
    EXPECT_STREQ("rtmp", a.app);
    EXPECT_STREQ("KEY?s=1", a.stream);
    ASSERT_EQ(SR_OK, sr_config_cluster_addr(nullptr, "rtmps://[::1]:1443/live/s", true, &a));
    EXPECT_TRUE(a.is_tls);
    EXPECT_STREQ("::1", a.host);
    EXPECT_EQ(1443, a.port);
    ASSERT_EQ(SR_OK, sr_config_cluster_addr(nullptr, "rtmp://h/live/s", true, &a));
    EXPECT_FALSE(a.is_tls);
    EXPECT_EQ(1935, a.port);
    ASSERT_EQ(SR_OK, sr_config_cluster_addr(nullptr, "h:19350", false, &a));
    EXPECT_FALSE(a.is_tls);
    EXPECT_EQ(-SR_EINVAL, sr_config_cluster_addr(nullptr, "rtmpt://h/live/s", true, &a));
    sr_err_clear();
    EXPECT_EQ(-SR_EINVAL, sr_config_cluster_addr(nullptr, "rtmps://h/live/s", false, &a)); // origins are host:port
    sr_err_clear();
}
