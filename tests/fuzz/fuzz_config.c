/* fuzz_config.c — a YAML config file through config_load() over the
 * built-in defaults, then config_check(). */
#include <stdint.h>

#include "config.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[CONFIG_ERR_MAX];
	config_defaults(&c);
	if (config_load(&c, fuzz_file("input.yaml", data, size), err) == 0)
		config_check(&c, err);
	config_free(&c);
	return 0;
}
