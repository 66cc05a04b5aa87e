// SPDX-License-Identifier: MIT
// sr_utest.h: assertions shared by the unit tests.
#ifndef SR_UTEST_H
#define SR_UTEST_H

#include <gtest/gtest.h>

#include "sr_error.h"

#define EXPECT_SR_OK(expr)                                                                                             \
    do {                                                                                                               \
        int sr_utest_rc_ = (expr);                                                                                     \
        EXPECT_EQ(SR_OK, sr_utest_rc_) << sr_err_name(sr_utest_rc_) << ": " << sr_err_trail();                       \
    } while (0)
#define ASSERT_SR_OK(expr)                                                                                             \
    do {                                                                                                               \
        int sr_utest_rc_ = (expr);                                                                                     \
        ASSERT_EQ(SR_OK, sr_utest_rc_) << sr_err_name(sr_utest_rc_) << ": " << sr_err_trail();                       \
    } while (0)
#define EXPECT_SR_ERR(code, expr)                                                                                      \
    do {                                                                                                               \
        int sr_utest_rc_ = (expr);                                                                                     \
        EXPECT_EQ(-(code), sr_utest_rc_) << "got " << sr_err_name(sr_utest_rc_) << ": " << sr_err_trail();           \
    } while (0)

#endif
