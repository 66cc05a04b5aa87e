// SPDX-License-Identifier: MIT
// utest_output.cpp: the output registry (app/sr_output): its entries, which of them a
// vhost config asks for a given stream (dvr_apply included), and when a reload must
// restart one (its settings changed).
#include <string.h>

#include <string>

#include "sr_config_server.h"
#include "sr_error.h"
#include "sr_output.h"
#include "sr_request.h"
#include "sr_utest.h"
#include "sr_utest_request.h"
#include "sr_utest_server.h"

namespace
{

const sr_output_kind_t *kind(const char *name)
{
    for (size_t k = 0; k < sr_output_kind_count; k++) {
        if (strcmp(sr_output_kinds[k]->name, name) == 0) {
            return sr_output_kinds[k];
        }
    }
    return nullptr;
}

SrUtestRequest stream_req(const char *app, const char *stream)
{
    SrUtestRequest r;
    sr_request_set(&r, SR_REQUEST_APP, "%s", app);
    sr_request_set(&r, SR_REQUEST_STREAM, "%s", stream);
    return r;
}

const sr_vhost_config_t *vhost(const SrUtestServer &sv, const char *name)
{
    return sr_server_config_vhost_exact(sr_server_config(sv.s), name);
}

} // namespace

TEST(Output, RegistryHasDvrThenHlsThenForward)
{
    ASSERT_EQ(3u, sr_output_kind_count);
    EXPECT_STREQ("dvr", sr_output_kinds[0]->name);
    EXPECT_STREQ("hls", sr_output_kinds[1]->name);
    EXPECT_STREQ("forward", sr_output_kinds[2]->name);
    for (size_t k = 0; k < sr_output_kind_count; k++) {
        const sr_output_kind_t *o = sr_output_kinds[k];
        EXPECT_TRUE(o->wanted && o->same && o->start && o->stop && o->settings_size > 0) << o->name;
    }
}

TEST(Output, WantedFollowsTheVhostAndDvrApply)
{
    SrUtestServer sv("listen 1935;\n"
                     "vhost off { }\n"
                     "vhost on { hls { enabled on; } dvr { enabled on; dvr_apply live/a; } }\n"
                     "vhost disabled { enabled off; hls { enabled on; } }\n");
    ASSERT_NE(nullptr, sv.s);
    SrUtestRequest a = stream_req("live", "a"), b = stream_req("live", "b");
    EXPECT_EQ(nullptr, kind("hls")->wanted(vhost(sv, "off"), &a));
    EXPECT_EQ(nullptr, kind("dvr")->wanted(vhost(sv, "off"), &a));
    EXPECT_NE(nullptr, kind("hls")->wanted(vhost(sv, "on"), &a));
    EXPECT_NE(nullptr, kind("dvr")->wanted(vhost(sv, "on"), &a));
    EXPECT_NE(nullptr, kind("hls")->wanted(vhost(sv, "on"), &b));
    EXPECT_EQ(nullptr, kind("dvr")->wanted(vhost(sv, "on"), &b)) << "dvr_apply names live/a only";
    EXPECT_EQ(nullptr, kind("hls")->wanted(vhost(sv, "disabled"), &a));
    EXPECT_EQ(nullptr, kind("hls")->wanted(nullptr, &a));
}

TEST(Output, SameSeesAChangedSetting)
{
    SrUtestServer sv("listen 1935;\n"
                     "vhost a { hls { enabled on; hls_fragment 2; } dvr { enabled on; } }\n"
                     "vhost b { hls { enabled on; hls_fragment 2; } dvr { enabled on; } }\n"
                     "vhost c { hls { enabled on; hls_fragment 4; } dvr { enabled on; dvr_plan segment; } }\n");
    ASSERT_NE(nullptr, sv.s);
    SrUtestRequest r = stream_req("live", "s");
    for (const char *name : {"hls", "dvr"}) {
        const sr_output_kind_t *o = kind(name);
        const void *a = o->wanted(vhost(sv, "a"), &r), *b = o->wanted(vhost(sv, "b"), &r),
                   *c = o->wanted(vhost(sv, "c"), &r);
        ASSERT_TRUE(a && b && c) << name;
        EXPECT_TRUE(o->same(a, b)) << name;
        EXPECT_FALSE(o->same(a, c)) << name;
    }
}
