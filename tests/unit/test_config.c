/* kiosk.ini: the example installed beside the runtime states the real
 * defaults; every wrong value is refused with file:line, nan included; a
 * damaged file never crashes the reader. */
#include <fcntl.h>
#include <math.h>

#include "../../kiosk/config.h"
#include "helpers.h"

#define EXAMPLE "kiosk/kiosk.ini.example"

/* What config_load printed, and how many problems it counted. */
static char *load(struct kiosk_config *c, const char *path, int *problems)
{
    char out[600];
    snprintf(out, sizeof(out), "%s/stderr", scratch());
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
    *problems = config_load(c, path);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char *text = file_read_all(out, NULL);
    assert_non_null(text);
    return text;
}

/* The example with every key set as shown (";key = value" uncommented). */
static char *example_uncommented(void)
{
    char *text = file_read_all(EXAMPLE, NULL);
    if (!text)
        fail_msg("cannot read %s (run from the repository root)", EXAMPLE);
    struct strbuf sb = {0};
    for (char *save, *l = strtok_r(text, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save)) {
        if (l[0] == ';' && l[1] && l[1] != ' ' && strchr(l, '='))
            sb_printf(&sb, "%s\n", l + 1);
        else
            sb_printf(&sb, "%s\n", l);
    }
    free(text);
    return sb_steal(&sb);
}

static void test_example_states_the_defaults(void **state)
{
    (void)state;
    char *text = example_uncommented();
    const char *path = write_file("kiosk.ini", text);
    struct kiosk_config def, c;
    config_defaults(&def);
    config_defaults(&c);
    int problems;
    char *err = load(&c, path, &problems);
    if (problems)
        fail_msg("%s", err);
    assert_int_equal(c.monitor, def.monitor);
    assert_int_equal(c.fullscreen, def.fullscreen);
    assert_int_equal(c.vsync, def.vsync);
    assert_int_equal(c.cursor, def.cursor);
    assert_int_equal(c.overlay, def.overlay);
    assert_string_equal(c.fit, def.fit);
    assert_int_equal(c.osc_port, def.osc_port);
    assert_string_equal(c.osc_bind, def.osc_bind);
    assert_string_equal(c.osc_allow, def.osc_allow);
    assert_int_equal(c.osc_namespace, def.osc_namespace);
    assert_int_equal(c.osc_params, def.osc_params);
    assert_true(c.hang_timeout == def.hang_timeout);
    assert_true(c.script_budget_ms == def.script_budget_ms);
    assert_true(c.state_interval == def.state_interval);
    assert_true(c.gpu_max_memory == def.gpu_max_memory);
    assert_true(c.storage_max == def.storage_max);
    /* the example's network, fallback, device and dir are examples of
     * where things go, not defaults */
    config_free(&def);
    config_free(&c);
    free(err);
    free(text);
}

static void test_numbers_out_of_range_or_not_numbers(void **state)
{
    (void)state;
    static const char *const keys[][2] = {
        {"watchdog", "hang_timeout"}, {"watchdog", "script_budget_ms"},
        {"state", "interval"}, {"osc", "port"}, {"kiosk", "monitor"},
        {"gpu", "max_memory"},
    };
    static const char *const values[] = {
        "nan", "-nan", "inf", "-inf", "1e999", "", "x", "-1", "5s", "0x",
    };
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
            char text[200];
            snprintf(text, sizeof(text), "; line 1\n[%s]\n%s = %s\n",
                     keys[k][0], keys[k][1], values[v]);
            const char *path = write_file("kiosk.ini", text);
            struct kiosk_config c;
            config_defaults(&c);
            int problems;
            char *err = load(&c, path, &problems);
            char want[700];
            snprintf(want, sizeof(want), "%s:3: [%s] %s = '%s' is not",
                     path, keys[k][0], keys[k][1], values[v]);
            if (problems != 1 || !strstr(err, want))
                fail_msg("%s = %s: %d problems, said:\n%s", keys[k][1],
                         values[v], problems, err);
            assert_true(isfinite(c.hang_timeout) &&
                        isfinite(c.script_budget_ms) &&
                        isfinite(c.state_interval));
            config_free(&c);
            free(err);
        }
}

static void test_sizes_take_units(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double bytes;
    } cases[] = {
        {"0", 0}, {"1048576", 1048576}, {"512M", 512.0 * 1048576},
        {"2G", 2.0 * 1073741824}, {"1.5GiB", 1.5 * 1073741824},
        {"64mb", 64.0 * 1048576}, {"3k", 3072},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[100];
        snprintf(text, sizeof(text), "[gpu]\nmax_memory = %s\n",
                 cases[i].text);
        const char *path = write_file("kiosk.ini", text);
        struct kiosk_config c;
        config_defaults(&c);
        int problems;
        char *err = load(&c, path, &problems);
        if (problems || c.gpu_max_memory != cases[i].bytes)
            fail_msg("%s: %g (%s)", cases[i].text, c.gpu_max_memory, err);
        config_free(&c);
        free(err);
    }
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

/* Cut, lose lines, change bytes: each problem is said on a line of its
 * own, "file:N:" with N a line of the file, and counted. */
static void test_damaged_files(void **state)
{
    (void)state;
    char *example = example_uncommented();
    size_t len = strlen(example);
    int with_problems = 0;
    for (int i = 0; i < 2000; i++) {
        char *text = xstrdup(example);
        size_t n = len;
        for (int k = 1 + (int)rnd(6); k > 0; k--) {
            switch (rnd(3)) {
            case 0: /* cut short */
                n = rnd((uint32_t)n + 1);
                text[n] = '\0';
                break;
            case 1: /* a line lost */
                if (n) {
                    char *a = text + rnd((uint32_t)n);
                    char *b = strchr(a, '\n');
                    if (b)
                        memmove(a, b + 1, strlen(b + 1) + 1);
                    n = strlen(text);
                }
                break;
            default: /* a byte changed, any but NUL */
                if (n)
                    text[rnd((uint32_t)n)] = (char)(1 + rnd(255));
            }
        }
        int lines = 1;
        for (const char *p = text; *p; p++)
            lines += *p == '\n';
        const char *path = write_file("kiosk.ini", text);
        struct kiosk_config c;
        config_defaults(&c);
        int problems;
        char *err = load(&c, path, &problems);
        int said = 0;
        size_t plen = strlen(path);
        for (char *save, *l = strtok_r(err, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save), said++) {
            char *end;
            long line = strncmp(l, path, plen) == 0 && l[plen] == ':'
                            ? strtol(l + plen + 1, &end, 10) : -1;
            if (line < 1 || line > lines || *end != ':')
                fail_msg("not file:line: %s\nfor:\n%s", l, text);
        }
        assert_int_equal(said, problems);
        assert_true(isfinite(c.hang_timeout) && c.hang_timeout >= 0.1);
        assert_true(isfinite(c.state_interval) && c.state_interval >= 0.1);
        with_problems += problems > 0;
        config_free(&c);
        free(err);
        free(text);
    }
    print_message("2000 damaged kiosk.ini files: %d with problems said\n",
                  with_problems);
    assert_true(with_problems > 200 && with_problems < 2000);
    free(example);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_states_the_defaults),
        cmocka_unit_test(test_numbers_out_of_range_or_not_numbers),
        cmocka_unit_test(test_sizes_take_units),
        cmocka_unit_test(test_damaged_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
