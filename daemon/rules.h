/* rules.h — rule files (YAML) and domain list files → rules plus a matcher.
 *
 * A rule file holds a list of rules under `rules:`; each rule names its
 * domains inline and/or in list files (one name per line, `#` comments,
 * hosts-file lines "0.0.0.0 evil.com"; plain or gzip).  Errors read like a
 * compiler's: "file:line:col: what is wrong". */
#ifndef C2W_RULES_H
#define C2W_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "match.h"

enum severity { SEV_HIGH = 1, SEV_MEDIUM = 2, SEV_LOW = 3, SEV_INFO = 4 };

struct rule {
	uint32_t id;          /* signature_id in alerts */
	char *name;           /* signature in alerts */
	char *category;
	char *description;
	enum severity severity;
	int32_t throttle_s;   /* alert dedup window: 0 the configured one, -1 off (`throttle:`) */
	char **references;
	size_t nreferences;
	char **lists;         /* list files the domains came from */
	size_t nlists;
	char *source;         /* rule file, or the -L list file */
	size_t ndomains;      /* entries added (after de-duplication) */
};

struct ruleset {
	struct rule *rules;
	size_t nrules;
	struct matcher *matcher;
	double load_seconds;
};

/* Error text buffer size for the loaders below. */
#define RULES_ERR_MAX 1024

/* Load rule files and directories (every *.yaml / *.yml in a directory, in
 * name order) and plain list files used as rules of their own (named after
 * the file).  Returns NULL and fills err ("file:line:col: message") on the
 * first error. */
struct ruleset *rules_load(char *const *rule_paths, size_t nrule_paths,
			   char *const *list_paths, size_t nlist_paths,
			   char err[RULES_ERR_MAX]);
/* The rules built into the binary (rules/triangulation.yaml, inline domains
 * only), used when no rule file or list is given anywhere. */
struct ruleset *rules_load_embedded(char err[RULES_ERR_MAX]);

/* Generated at build time from rules/triangulation.yaml. */
extern const char embedded_rules_yaml[];
extern const size_t embedded_rules_yaml_len;

/* The same, with where each path was named ("file:line:col" in the config
 * file; NULL arrays or entries for the command line): a path that cannot be
 * opened is reported there. */
struct ruleset *rules_load_named(char *const *rule_paths, char *const *rule_where, size_t nrule_paths,
				 char *const *list_paths, char *const *list_where, size_t nlist_paths,
				 char err[RULES_ERR_MAX]);

/* What a configuration names: its rule files and lists, or the embedded
 * rules when it names none (startup and every reload). */
struct config;
struct ruleset *rules_load_config(const struct config *c, char err[RULES_ERR_MAX]);

void rules_free(struct ruleset *rs);

const char *severity_name(enum severity s);

#endif
