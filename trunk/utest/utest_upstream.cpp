// SPDX-License-Identifier: MIT
// utest_upstream.cpp: the pure parts of app/cluster: the query a stream carries upstream
// (its own vhost and Strand's loop marker dropped, every other pair kept in order).
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
