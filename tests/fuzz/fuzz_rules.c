/* fuzz_rules.c — a YAML rule file through the rules loader.  The file sits in
 * a directory of its own beside two small list files (one gzip), which its
 * rules may name by relative path ("lists: [a.list, b.list.gz]"). */
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "rules.h"

#include "fuzz.h"

static void lists(void)
{
	static const char a[] = "alpha.example\n# comment\n0.0.0.0 beta.example\n";
	/* "gamma.example\n", gzip: written once through zlib */
	fuzz_file("a.list", (const uint8_t *)a, sizeof a - 1);
	const char *gz = fuzz_file("b.list.gz", NULL, 0);
	gzFile g = gzopen(gz, "wb");
	if (!g || gzputs(g, "gamma.example\n") < 0 || gzclose(g) != Z_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char err[RULES_ERR_MAX];
	if (!ready) {
		lists();
		ready = 1;
	}
	char *path = (char *)fuzz_file("input.yaml", data, size);
	struct ruleset *rs = rules_load(&path, 1, NULL, 0, err);
	rules_free(rs);
	return 0;
}
