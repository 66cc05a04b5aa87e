/* SPDX-License-Identifier: MIT */
/*
 * sr_time.h: clocks. sr_utime_t is microseconds, like st_utime_t.
 */
#ifndef SR_TIME_H
#define SR_TIME_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef uint64_t sr_utime_t;

#define SR_UTIME_MS 1000ULL
#define SR_UTIME_S 1000000ULL
/* Only for accept, the signal pipe and cond waits that a stop interrupts (STYLE 6). */
#define SR_UTIME_NO_TIMEOUT ((sr_utime_t)-1)

/* Monotonic clock in microseconds. */
sr_utime_t sr_time_mono_us(void);
/* Wall clock in microseconds since the epoch. */
int64_t sr_time_wall_us(void);

SR_END_DECLS

#endif
