/* fuzz.h — what the harnesses share: the libFuzzer entry point, files in a
 * private temporary directory (for the loaders that take a path), and a
 * worker to push frames through the whole packet path. */
#ifndef C2W_FUZZ_H
#define C2W_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write data to `name` in the harness's own directory (made once, under
 * $TMPDIR, removed at exit) and return its path (static storage).  Aborts
 * when the file cannot be written: that is the harness's fault, not the
 * input's. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

/* A worker made afresh for each input, so that an input's result does not
 * depend on those before it: small tables (bounded state), the embedded
 * rules plus a few names of its own, events to /dev/null. */
void fuzz_worker_begin(void);
void fuzz_worker_frame(int dlt, uint64_t ts_ns, const uint8_t *frame, uint32_t len);
struct frame;
void fuzz_worker_frames(int dlt, const struct frame *f, size_t n);   /* the batched path */
void fuzz_worker_end(void);

#endif
