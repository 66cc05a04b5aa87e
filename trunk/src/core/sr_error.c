/* SPDX-License-Identifier: MIT */
/*
 * sr_error.c: the error-code table and the trail writer. Frames are appended as
 * " <- func:line msg" so the log reads from the failure outwards.
 */
#include "sr_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sr_context.h"

static void sr_err_append(sr_context_t *ctx, const char *func, int line, const char *fmt, va_list ap)
{
    size_t cap = sizeof(ctx->trail);
    if (ctx->trail_len >= cap - 1) {
        return;
    }
    int n = snprintf(ctx->trail + ctx->trail_len, cap - ctx->trail_len, "%s%s:%d ", ctx->trail_len ? " <- " : "", func,
                     line);
    if (n < 0) {
        return;
    }
    ctx->trail_len = SR_MIN(cap - 1, ctx->trail_len + (size_t)n);
    n = vsnprintf(ctx->trail + ctx->trail_len, cap - ctx->trail_len, fmt, ap);
    if (n > 0) {
        ctx->trail_len = SR_MIN(cap - 1, ctx->trail_len + (size_t)n);
    }
}

int sr_err__new(int code, const char *func, int line, const char *fmt, ...)
{
    sr_context_t *ctx = sr_context_current();
    ctx->trail_len = 0;
    ctx->trail[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    sr_err_append(ctx, func, line, fmt, ap);
    va_end(ap);
    return code > 0 ? -code : code;
}

int sr_err__wrap(int rc, const char *func, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_err_append(sr_context_current(), func, line, fmt, ap);
    va_end(ap);
    return rc;
}

const char *sr_err_trail(void)
{
    return sr_context_current()->trail;
}

void sr_err_clear(void)
{
    sr_context_t *ctx = sr_context_current();
    ctx->trail_len = 0;
    ctx->trail[0] = '\0';
}

const char *sr_err_name(int rc)
{
    switch (abs(rc)) {
#define SR_ERRNO_NAME(code, name, text)                                                                                \
    case code:                                                                                                         \
        return #name;
        SR_ERRNO_MAP(SR_ERRNO_NAME)
#undef SR_ERRNO_NAME
    default:
        return "E?";
    }
}

const char *sr_err_text(int rc)
{
    switch (abs(rc)) {
#define SR_ERRNO_TEXT(code, name, text)                                                                                \
    case code:                                                                                                         \
        return text;
        SR_ERRNO_MAP(SR_ERRNO_TEXT)
#undef SR_ERRNO_TEXT
    default:
        return "unknown error";
    }
}
