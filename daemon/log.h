/* log.h — the daemon's few log calls: to stderr (the journal under systemd),
 * one line each, "c2watchd: " then the message.  Nothing per packet. */
#ifndef C2W_LOG_H
#define C2W_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_quiet(int quiet);

#endif
