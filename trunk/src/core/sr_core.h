/* SPDX-License-Identifier: MIT */
/*
 * sr_core.h: the few definitions every Strand file needs: C linkage guards for the
 * GoogleTest build, the OK code, and small helpers. Not a grab bag: anything with
 * its own concern gets its own header.
 */
#ifndef SR_CORE_H
#define SR_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define SR_BEGIN_DECLS extern "C" {
#define SR_END_DECLS }
#else
#define SR_BEGIN_DECLS
#define SR_END_DECLS
#endif

#define SR_OK 0

#define SR_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SR_MAX(a, b) ((a) > (b) ? (a) : (b))
#define SR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SR_UNUSED(x) (void)(x)

#if defined(__GNUC__)
#define SR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SR_PRINTF(f, a)
#endif

#endif
