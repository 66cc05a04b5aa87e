// SPDX-License-Identifier: MIT
// sr_utest_st.h: state-threads setup shared by the unit tests that run real coroutines.
// ST can be initialised once per process, and a test binary (one file via
// scripts/utest-one.sh, or every file in objs/utest) runs these tests in any order, so
// each ST suite uses the fixture below. The test body runs on the primordial thread and
// drives coroutines with sr_usleep and sr_co_stop.
#ifndef SR_UTEST_ST_H
#define SR_UTEST_ST_H

#if defined(__SANITIZE_ADDRESS__) && defined(__has_include)
#if __has_include(<sanitizer/lsan_interface.h>)
#include <sanitizer/lsan_interface.h>
#define SR_UTEST_HAS_LSAN 1
#endif
#endif

#include "sr_st.h"
#include "sr_time.h"
#include "sr_utest.h"

// SR_OK once ST runs on epoll. The first call starts ST (an inline function's static
// local is one object in the whole program); every later call makes sr_st_init put the
// ST context provider back, since a non-ST test may have replaced it (per-coroutine cids
// and error trails depend on it).
inline int sr_utest_st_init()
{
    static const int first = [] {
#ifdef SR_UTEST_HAS_LSAN
        // st_init's idle thread keeps its stack descriptor on its own mmap'd stack, which
        // LeakSanitizer does not scan; it lives as long as the process.
        __lsan_disable();
#endif
        int r = sr_st_init();
#ifdef SR_UTEST_HAS_LSAN
        __lsan_enable();
#endif
        return r;
    }();
    return first != SR_OK ? first : sr_st_init();
}

// Fixture for ST suites: `using Suite = SrUtestSt;` then TEST_F(Suite, Behaviour).
// TearDown yields once: st_thread_join only marks a joined coroutine runnable, and it
// frees its stack and join cond the next time it is scheduled. Without that turn, the
// last test's coroutine would still hold them when the process exits.
class SrUtestSt : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        ASSERT_SR_OK(sr_utest_st_init());
    }
    void TearDown() override
    {
        sr_usleep(SR_UTIME_MS);
    }
};

// Owns a joinable coroutine: stops (interrupts and joins) it when the test leaves the
// scope, also through a failed ASSERT, so it never outlives the test state it points to.
// Declare it after that state, so it is destroyed first.
class SrUtestCo
{
  public:
    explicit SrUtestCo(sr_co_t *co) : co_(co)
    {
    }
    ~SrUtestCo()
    {
        sr_co_stop(co_);
    }
    SrUtestCo(const SrUtestCo &) = delete;
    SrUtestCo &operator=(const SrUtestCo &) = delete;
    sr_co_t *get() const
    {
        return co_;
    }
    // Stop now (idempotent).
    void stop()
    {
        sr_co_stop(co_);
        co_ = nullptr;
    }

  private:
    sr_co_t *co_;
};

// Yield (1 ms sleeps) until done() holds or timeout_us passes; true when it held.
// The timeout only bounds a failing test, so it is generous.
template <typename Pred> bool sr_utest_st_wait_until(Pred done, sr_utime_t timeout_us = 5 * SR_UTIME_S)
{
    sr_utime_t deadline = sr_time_mono_us() + timeout_us;
    while (!done()) {
        if (sr_time_mono_us() >= deadline) {
            return false;
        }
        sr_usleep(SR_UTIME_MS);
    }
    return true;
}

#endif
