/* The first frame's memory made ready while the display starts
 * (kiosk/prefault.c): the estimate from the network's TOPs, and that
 * the shader compiler's many small allocations once the context exists,
 * and a texture-sized allocation after the block is freed, meet pages
 * already there (counted as the process's minor page faults). */
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../../kiosk/prefault.h"
#include "helpers.h"

/* This thread's: the helper's own touching is not counted. */
static long minor_faults(void)
{
    struct rusage r;
    getrusage(RUSAGE_THREAD, &r);
    return r.ru_minflt;
}

/* What this is about is glibc's heap, which AddressSanitizer replaces. */
static void skip_without_glibc_heap(void)
{
#ifdef __SANITIZE_ADDRESS__
    print_message("skipped: AddressSanitizer's allocator is not glibc's "
                  "heap, which this is about\n");
    skip();
#endif
}

static void test_estimate_counts_tops(void **state)
{
    (void)state;
    struct load_report rep;
    struct graph *g = load_text("[network]\nresolution = 64x32\n"
                                "[a]\nOPType = constantTOP\n"
                                "[b]\nOPType = levelTOP\ninputs = a\n"
                                "[c]\nOPType = lfoCHOP\n",
                                &rep, NULL);
    assert_non_null(g);
    assert_int_equal(prefault_estimate(g), 2 * 64 * 32 * 4);
    graph_destroy(&g);
    load_report_free(&rep);
    /* a large network: at most three heap blocks, each below 32 MiB */
    g = load_text("[network]\nresolution = 3840x2160\n"
                  "[a]\nOPType = constantTOP\n"
                  "[b]\nOPType = levelTOP\ninputs = a\n"
                  "[c]\nOPType = levelTOP\ninputs = b\n"
                  "[d]\nOPType = levelTOP\ninputs = c\n",
                  &rep, NULL);
    assert_non_null(g);
    size_t n = prefault_estimate(g);
    assert_true(n > 64u << 20 && n < 96u << 20);
    graph_destroy(&g);
    load_report_free(&rep);
}

static void test_nothing_to_touch(void **state)
{
    (void)state;
    struct prefault *p = prefault_start(0);
    assert_null(p);
    prefault_finish(&p); /* harmless */
    assert_int_equal(prefault_touched(NULL), 0);
}

static void test_driver_block_serves_the_compiler(void **state)
{
    (void)state;
    skip_without_glibc_heap();
    struct prefault *p = prefault_start(1u << 20);
    assert_non_null(p);
    /* the driver's block is touched first: once the second has begun, it
     * is all there (waited for up to 30 s, a loaded machine) */
    for (int i = 0; i < 30000 && prefault_touched(p) == 0; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    assert_true(prefault_touched(p) > 0);
    prefault_context(p);
    long before = minor_faults();
    enum { SMALL = 6000 }; /* 6 MiB in 1 KiB pieces, as a compiler's */
    static volatile char *piece[SMALL];
    for (int i = 0; i < SMALL; i++) {
        piece[i] = malloc(1024);
        assert_non_null((void *)piece[i]);
        piece[i][0] = piece[i][1023] = 1;
    }
    long faults = minor_faults() - before;
    /* 1536 pages; already there, a handful at most */
    assert_true(faults < 100);
    for (int i = 0; i < SMALL; i++)
        free((void *)piece[i]);
    prefault_finish(&p);
    prefault_trim();
}

/* More than one block holds (glibc serves at most 32 MiB from the heap):
 * the default network's first frame takes 35 MiB of textures. */
static void test_freed_blocks_serve_textures(void **state)
{
    (void)state;
    skip_without_glibc_heap();
    enum { TEXTURES = 5 };
    const size_t block = 48u << 20, texture = 1920 * 1080 * 4;
    struct prefault *p = prefault_start(block);
    assert_non_null(p);
    /* the helper runs on its own; waited for here (up to 30 s, a loaded
     * machine), where the runtime would take what it had done */
    for (int i = 0; i < 30000 && prefault_touched(p) < block; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    assert_int_equal(prefault_touched(p), block);
    prefault_finish(&p);
    assert_null(p);
    long before = minor_faults();
    volatile char *t[TEXTURES];
    for (int i = 0; i < TEXTURES; i++) {
        t[i] = malloc(texture); /* what the driver does */
        assert_non_null((void *)t[i]);
        for (size_t at = 0; at < texture; at += 4096)
            t[i][at] = 1;
    }
    long faults = minor_faults() - before;
    /* 5 x 2025 pages; already there, a handful at most */
    assert_true(faults < 100);
    for (int i = 0; i < TEXTURES; i++)
        free((void *)t[i]);
    prefault_trim();
}

/* Bytes of this process's mappings advised to be huge pages (VmFlags
 * "hg" in /proc/self/smaps). */
static size_t advised_huge(void)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    char line[512];
    size_t sum = 0, len = 0;
    while (fgets(line, sizeof(line), f)) {
        unsigned long a, b;
        if (sscanf(line, "%lx-%lx ", &a, &b) == 2)
            len = b - a;
        else if (strncmp(line, "VmFlags:", 8) == 0 && strstr(line, " hg"))
            sum += len;
    }
    fclose(f);
    return sum;
}

/* The blocks are advised to be huge pages while the helper touches them
 * (a fault per 2 MiB, not per 4 KiB), and no longer once it has stopped:
 * what it did not reach faults on the main thread, where a huge fault
 * could make the kernel compact memory first. */
static void test_blocks_huge_while_touched(void **state)
{
    (void)state;
    skip_without_glibc_heap();
    if (access("/sys/kernel/mm/transparent_hugepage", F_OK) != 0) {
        print_message("skipped: this kernel has no transparent huge "
                      "pages\n");
        skip();
    }
    size_t before = advised_huge();
    struct prefault *p = prefault_start(48u << 20);
    assert_non_null(p);
    /* the 8 MiB driver's block and the 48 MiB (two blocks), less their
     * ends that are not whole huge pages: at least 48 */
    assert_true(advised_huge() >= before + (48u << 20));
    prefault_context(p);
    size_t blocks = advised_huge();
    assert_true(blocks >= before + (42u << 20));
    assert_true(blocks <= before + (48u << 20)); /* the driver's is not */
    prefault_finish(&p);
    assert_int_equal(advised_huge(), before);
    prefault_trim();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_estimate_counts_tops),
        cmocka_unit_test(test_nothing_to_touch),
        cmocka_unit_test(test_driver_block_serves_the_compiler),
        cmocka_unit_test(test_freed_blocks_serve_textures),
        cmocka_unit_test(test_blocks_huge_while_touched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
