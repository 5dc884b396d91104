/* fuzz_list.c — a domain list file (one name a line, `#` comments, hosts-file
 * lines; plain or gzip) through the rules loader, as a rule of its own. */
#include <stdint.h>
#include <stdlib.h>

#include "rules.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[RULES_ERR_MAX];
	char *path = (char *)fuzz_file("input.list", data, size);
	struct ruleset *rs = rules_load(NULL, 0, &path, 1, err);
	rules_free(rs);
	return 0;
}
