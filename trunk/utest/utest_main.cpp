// SPDX-License-Identifier: MIT
// utest_main.cpp: runs every unit test and checks after each one that no media
// payload leaked (STYLE 10: each test ends with zero live payloads).
#include <gtest/gtest.h>

#include "sr_payload.h"

namespace
{
class PayloadLeakCheck : public ::testing::EmptyTestEventListener
{
    long before_ = 0;
    void OnTestStart(const ::testing::TestInfo &) override
    {
        before_ = sr_payload_live_count();
    }
    void OnTestEnd(const ::testing::TestInfo &info) override
    {
        EXPECT_EQ(before_, sr_payload_live_count())
            << "payload leak in " << info.test_suite_name() << "." << info.name();
    }
};
} // namespace

int main(int argc, char **argv)
{
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::UnitTest::GetInstance()->listeners().Append(new PayloadLeakCheck);
    return RUN_ALL_TESTS();
}
