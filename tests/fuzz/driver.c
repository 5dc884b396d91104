/* driver.c — replay inputs through LLVMFuzzerTestOneInput without libFuzzer:
 * every file named, and every file in the directories named (not recursive).
 * `make test` links it with each harness under the normal compiler, so that
 * the committed corpora (crashes once found among them) are run every time.
 * Each input is handed over in a heap block of exactly its size, so that
 * ASan sees a read one byte past it. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static unsigned long replayed;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	struct stat sb;
	if (fstat(fileno(f), &sb) < 0 || sb.st_size < 0) {
		perror(path);
		fclose(f);
		return -1;
	}
	size_t size = (size_t)sb.st_size;
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf || fread(buf, 1, size, f) != size) {
		fprintf(stderr, "%s: cannot read\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (getenv("FUZZ_DRIVER_VERBOSE"))
		fprintf(stderr, "replay %s (%zu bytes)\n", path, size);
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	replayed++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of a directory, in name order (a stable replay). */
static int run_dir(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		perror(path);
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof *names);
			if (!nn) {
				rc = -1;
				break;
			}
			names = nn;
		}
		size_t len = strlen(path) + strlen(e->d_name) + 2;
		if (!(names[n] = malloc(len))) {
			rc = -1;
			break;
		}
		snprintf(names[n++], len, "%s/%s", path, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (rc == 0 && stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode) && run_file(names[i]) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb) < 0) {
			perror(argv[i]);
			rc = 1;
		} else if (S_ISDIR(sb.st_mode) ? run_dir(argv[i]) < 0 : run_file(argv[i]) < 0) {
			rc = 1;
		}
	}
	printf("%s: %lu inputs replayed\n", argv[0], replayed);
	return rc;
}
