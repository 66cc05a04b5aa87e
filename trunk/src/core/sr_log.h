/* SPDX-License-Identifier: MIT */
/*
 * sr_log.h: the log. Lines look like
 *     [2026-11-22 10:00:00.123][Trace][1234][a1b2c3d4] message
 * with the running coroutine's context id. errno is not appended automatically (a stale
 * errno from an unrelated call misleads more than it helps): the error trail, which
 * carries strerror() where a system call failed, says why.
 * Levels use SRS's names. The tank is the console (stderr) or a file that SIGUSR1
 * reopens for log rotation.
 */
#ifndef SR_LOG_H
#define SR_LOG_H

#include "sr_core.h"

SR_BEGIN_DECLS

typedef enum sr_log_level {
    SR_LOG_VERBOSE = 0,
    SR_LOG_INFO = 1,
    SR_LOG_TRACE = 2,
    SR_LOG_WARN = 3,
    SR_LOG_ERROR = 4,
    SR_LOG_DISABLED = 5,
} sr_log_level_t;

extern sr_log_level_t sr_log_level;

/* "verbose".."error" to a level; returns -1 for unknown names. */
int sr_log_level_parse(const char *name);
const char *sr_log_level_name(sr_log_level_t level);
void sr_log_set_level(sr_log_level_t level);
/* Log to path (opened for append) or to the console when path is NULL. */
int sr_log_open(const char *path);
/* Whether the log goes to the console (stderr). */
bool sr_log_is_console(void);
/* Reopen the current file (log rotation). No-op on the console. */
int sr_log_reopen(void);
void sr_log_close(void);
void sr_log_write(sr_log_level_t level, int with_errno, const char *fmt, ...) SR_PRINTF(3, 4);

#define sr_verbose(...)                                                                                                \
    do {                                                                                                               \
        if (sr_log_level <= SR_LOG_VERBOSE)                                                                            \
            sr_log_write(SR_LOG_VERBOSE, 0, __VA_ARGS__);                                                              \
    } while (0)
#define sr_info(...)                                                                                                   \
    do {                                                                                                               \
        if (sr_log_level <= SR_LOG_INFO)                                                                               \
            sr_log_write(SR_LOG_INFO, 0, __VA_ARGS__);                                                                 \
    } while (0)
#define sr_trace(...)                                                                                                  \
    do {                                                                                                               \
        if (sr_log_level <= SR_LOG_TRACE)                                                                              \
            sr_log_write(SR_LOG_TRACE, 0, __VA_ARGS__);                                                                \
    } while (0)
#define sr_warn(...)                                                                                                   \
    do {                                                                                                               \
        if (sr_log_level <= SR_LOG_WARN)                                                                               \
            sr_log_write(SR_LOG_WARN, 0, __VA_ARGS__);                                                                 \
    } while (0)
#define sr_error(...)                                                                                                  \
    do {                                                                                                               \
        if (sr_log_level <= SR_LOG_ERROR)                                                                              \
            sr_log_write(SR_LOG_ERROR, 0, __VA_ARGS__);                                                                \
    } while (0)

SR_END_DECLS

#endif
