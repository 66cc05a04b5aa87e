/* SPDX-License-Identifier: MIT */
/*
 * sr_av_log.c: libav's log callback: the last message of each sink's codec contexts.
 */
#include "sr_av_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
#include <libavutil/log.h>

static void sr_av_log_callback(void *avcl, int level, const char *fmt, va_list vl)
{
    if (!avcl || level > AV_LOG_WARNING || *(const AVClass **)avcl != avcodec_get_class()) {
        return;
    }
    sr_av_log_sink_t *sink = ((AVCodecContext *)avcl)->opaque;
    if (!sink || sink->magic != SR_AV_LOG_MAGIC) {
        return;
    }
    vsnprintf(sink->msg, sizeof(sink->msg), fmt, vl);
    size_t n = strlen(sink->msg);
    while (n > 0 && (sink->msg[n - 1] == '\n' || sink->msg[n - 1] == ' ')) {
        sink->msg[--n] = '\0';
    }
}

static pthread_once_t sr_av_log_once = PTHREAD_ONCE_INIT;

static void sr_av_log_set(void)
{
    av_log_set_callback(sr_av_log_callback);
}

void sr_av_log_install(void)
{
    pthread_once(&sr_av_log_once, sr_av_log_set);
}

void sr_av_log_describe(const sr_av_log_sink_t *sink, const char *what, int averr, char *error, size_t cap)
{
    char err[AV_ERROR_MAX_STRING_SIZE] = "";
    if (averr) {
        av_strerror(averr, err, sizeof(err));
    }
    const char *msg = sink->msg;
    snprintf(error, cap, "%.48s%s%s%s%s%s", what, err[0] ? ": " : "", err, msg[0] ? " (" : "", msg, msg[0] ? ")" : "");
}
