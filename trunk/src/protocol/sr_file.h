/* SPDX-License-Identifier: MIT */
/*
 * sr_file.h: the file operations of the server's own outputs (HLS segments and
 * playlists, DVR recordings), each run on the worker pool (sr_work.h) so that a slow
 * or stalled disk holds up only the coroutine that writes, never the players. Errors
 * start a trail naming the operation and the path.
 *
 * For tests, the environment variable STRAND_TEST_WRITE_DELAY_MS=N makes every write
 * of file data take N ms longer (a disk that stalls), read once at the first write.
 */
#ifndef SR_FILE_H
#define SR_FILE_H

#include "sr_bytes.h"
#include "sr_core.h"

SR_BEGIN_DECLS

/* Create (truncate) path for writing; *fd gets the descriptor. is_append adds O_APPEND.
 * -SR_EFILE_OPEN. May yield. */
int sr_file_open_write(const char *path, bool is_append, int *fd);
/* Write all size bytes of data to fd (path only names it in errors). data is borrowed
 * until return. -SR_EFILE_WRITE. May yield. */
int sr_file_write(int fd, const void *data, size_t size, const char *path);
/* Close fd. -SR_EFILE_WRITE when close reports a write error. May yield. */
int sr_file_close(int fd, const char *path);
/* rename(2). -SR_EFILE_WRITE. May yield. */
int sr_file_rename(const char *from, const char *to);
/* unlink(2). -SR_ENOT_FOUND when path does not exist, else -SR_EFILE_WRITE. May yield. */
int sr_file_unlink(const char *path);
/* mkdir -p of the directory part of path (everything before the last '/'). Parts that
 * exist are fine. -SR_EFILE_OPEN. May yield. */
int sr_file_mkdirs(const char *path);
/* Write data to path through "path.tmp" and a rename, so that readers see all of it or
 * none; the temporary file is removed on failure. -SR_EFILE_OPEN/-SR_EFILE_WRITE. May yield. */
int sr_file_write_atomic(const char *path, const void *data, size_t size);
/* Append the whole file at path to out, refusing files over max_bytes. -SR_ENOT_FOUND
 * when it does not exist, -SR_EFILE_OPEN/-SR_EFILE_READ. May yield. */
int sr_file_read_all(const char *path, size_t max_bytes, sr_buf_t *out);

SR_END_DECLS

#endif
