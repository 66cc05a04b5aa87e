/* SPDX-License-Identifier: MIT */
#include "sr_wake.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_st.h"

#define SR_WAKE_POLL_US SR_UTIME_S /* the pipe read's timeout: the coroutine loops, never waits forever */

struct sr_wake {
    int fds[2];
    sr_sock_t *reader; /* owns fds[0] */
    sr_co_t *co;
    void (*on_wake)(void *arg);
    void *arg;
};

static void sr_wake_cycle(void *arg)
{
    sr_wake_t *w = arg;
    char buf[64];
    while (sr_co_pull() == SR_OK) {
        size_t n = 0;
        int rc = sr_io_read(sr_sock_io(w->reader), buf, sizeof(buf), &n);
        if (rc != SR_OK && !sr_err_is_timeout(rc)) {
            break;
        }
        sr_err_clear();
        w->on_wake(w->arg);
    }
}

int sr_wake_start(void (*on_wake)(void *arg), void *arg, const char *cid, sr_wake_t **out)
{
    sr_wake_t *w = SR_NEW(sr_wake_t);
    if (pipe2(w->fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        sr_free(w);
        return sr_err_new(SR_ESYSTEM, "wake pipe: %s", strerror(errno));
    }
    int rc = sr_sock_from_fd(w->fds[0], &w->reader);
    if (rc != SR_OK) {
        close(w->fds[0]);
        close(w->fds[1]);
        sr_free(w);
        return rc;
    }
    sr_sock_set_timeouts(w->reader, SR_WAKE_POLL_US, SR_WAKE_POLL_US);
    w->on_wake = on_wake;
    w->arg = arg;
    w->co = sr_co_start(sr_wake_cycle, w, cid);
    *out = w;
    return SR_OK;
}

void sr_wake_poke(sr_wake_t *w)
{
    ssize_t n = write(w->fds[1], "", 1); /* EAGAIN: a wake-up is pending anyway */
    SR_UNUSED(n);
}

void sr_wake_stop(sr_wake_t *w)
{
    if (!w) {
        return;
    }
    sr_co_stop(w->co);
    sr_sock_close(w->reader);
    close(w->fds[1]);
    sr_free(w);
}
