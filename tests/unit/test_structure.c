// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shape of the model: no file under src/model/ names a specific
 * command set or media model except that set's or model's own files, the
 * registration table (registry.c) and the specification's constants
 * (nvme.h). Adding a device type then means adding files, not editing
 * switch statements across the core.
 */
#include <dirent.h>
#include <string.h>
#include <strings.h>

#include "th.h"

#define MODEL_DIR "../../src/model"

struct rule {
	const char *token;	/* matched case-insensitively */
	const char *allowed[6];	/* files that may name it */
};

static const struct rule rules[] = {
	/* the NVM command set */
	{ "NVME_CMD_", { "nvm.c", "media_optane.c", "zns.c", "media_zns.c", "media_conv.c" } },
	{ "NVME_CSI_NVM", { "nvm.c" } },
	{ "nvm_cmd_set", { "nvm.c", "nvm.h", "registry.c" } },
	{ "NVME_ONCS_DSM", { "nvm.c" } },
	{ "NVME_ONCS_WRITE_ZEROES", { "nvm.c", "zns.c" } },
	{ "NVME_DSM_", { "nvm.c" } },
	/* the Optane-class media model */
	{ "optane", { "media_optane.c", "media_optane.h", "registry.c" } },
	{ "nvm_timing", { "media_optane.c", "media_optane.h" } },
	{ "nvm_xfer", { "media_optane.c", "media_optane.h" } },
	/* the conventional media model and its FTL */
	{ "conv_", { "media_conv.c", "conv.h", "registry.c" } },
	{ "nvmev_ftl", { "ftl.c", "ftl.h", "conv.h", "media_conv.c" } },
};

static bool allowed(const struct rule *r, const char *file)
{
	u32 i;

	if (!strcmp(file, "nvme.h"))
		return true;
	for (i = 0; i < NVMEV_ARRAY_SIZE(r->allowed) && r->allowed[i]; i++)
		if (!strcmp(r->allowed[i], file))
			return true;
	return false;
}

static bool names(const char *path, const char *token)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p;

		for (p = line; *p && !found; p++)
			found = !strncasecmp(p, token, strlen(token));
	}
	fclose(f);
	return found;
}

UNIT_TEST(structure_core_names_no_command_set_or_media)
{
	struct dirent *e;
	u32 files = 0, i;
	DIR *d = opendir(MODEL_DIR);

	CHECK(d != NULL);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[512];
		size_t n = strlen(e->d_name);

		if (n < 3 || (strcmp(e->d_name + n - 2, ".c") && strcmp(e->d_name + n - 2, ".h")))
			continue;
		files++;
		snprintf(path, sizeof(path), "%s/%s", MODEL_DIR, e->d_name);
		for (i = 0; i < NVMEV_ARRAY_SIZE(rules); i++) {
			bool bad = !allowed(&rules[i], e->d_name) && names(path, rules[i].token);

			if (bad)
				fprintf(stderr, "structure: %s names %s\n", e->d_name, rules[i].token);
			CHECK(!bad);
		}
	}
	closedir(d);
	CHECK(files >= 10);
}
