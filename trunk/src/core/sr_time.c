/* SPDX-License-Identifier: MIT */
#include "sr_time.h"

#include <time.h>

sr_utime_t sr_time_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (sr_utime_t)ts.tv_sec * SR_UTIME_S + (sr_utime_t)ts.tv_nsec / 1000;
}

int64_t sr_time_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
