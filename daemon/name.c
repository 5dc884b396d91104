/* name.c — the one normal form of a domain name, shared by the DNS and TLS
 * parsers, the list loader and the matcher, plus what a list entry may hold. */
#include "name.h"

size_t name_normalize(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	if (len > 0 && s[len - 1] == '.')
		len--;
	return len;
}

static bool entry_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Report the first offending character in reading order, so the column a
 * loader prints points at the place to fix. */
bool name_valid_entry(const char *s, size_t len, size_t *bad_at, const char **why)
{
	size_t label = 0;

	for (size_t i = 0; i < len; i++) {
		if (i == 253) {
			*bad_at = i;
			*why = "name longer than 253";
			return false;
		}
		if (s[i] == '.') {
			if (label == 0) {
				*bad_at = i;
				*why = "empty label";
				return false;
			}
			label = 0;
			continue;
		}
		if (!entry_char(s[i])) {
			*bad_at = i;
			*why = "invalid character";
			return false;
		}
		if (++label > 63) {
			*bad_at = i;
			*why = "label longer than 63";
			return false;
		}
	}
	if (label == 0) {
		/* empty name, or a final dot left after normalisation */
		*bad_at = len > 0 ? len - 1 : 0;
		*why = "empty label";
		return false;
	}
	return true;
}
