/* Libraries loaded when first needed (engine/base/lazylib.c): the table
 * filled from a real library, and a missing library or function named in
 * the error, the same at every later call. */
#include <math.h>

#include "../../engine/base/lazylib.h"
#include "helpers.h"

enum { M, LIBS };

static struct {
    __typeof__(cos) *cos;
    __typeof__(sqrt) *sqrt;
} mt;

static const struct lazylib_sym good_syms[] = {
    {M, "cos", (void **)&mt.cos},
    {M, "sqrt", (void **)&mt.sqrt},
};
static const char *const libm[LIBS] = {"libm.so.6"};

static void test_functions_are_resolved_once(void **state)
{
    (void)state;
    static struct lazylib set = LAZYLIB("the maths library", libm, good_syms);
    assert_false(lazylib_loaded(&set));
    assert_true(lazylib_load(&set));
    assert_true(lazylib_loaded(&set));
    assert_non_null(mt.cos);
    assert_true(mt.cos(0.0) == 1.0);
    assert_true(mt.sqrt(16.0) == 4.0);
    assert_true(lazylib_load(&set)); /* again: the same answer */
}

static void test_a_missing_library_is_named(void **state)
{
    (void)state;
    static void *slot;
    static const struct lazylib_sym syms[] = {{0, "f", &slot}};
    static const char *const names[] = {"libvitrine-nothing.so.9"};
    static struct lazylib set = LAZYLIB("Nothing", names, syms);
    assert_false(lazylib_load(&set));
    assert_false(lazylib_loaded(&set));
    assert_non_null(strstr(set.error, "Nothing cannot be loaded"));
    assert_non_null(strstr(set.error, "libvitrine-nothing.so.9"));
    assert_false(lazylib_load(&set)); /* not tried again */
    assert_null(slot);
}

static void test_a_missing_function_is_named(void **state)
{
    (void)state;
    static void *slot;
    static const struct lazylib_sym syms[] = {
        {M, "cos", &slot},
        {M, "vitrine_no_such_function", &slot},
    };
    static struct lazylib set = LAZYLIB("the maths library", libm, syms);
    assert_false(lazylib_load(&set));
    assert_string_equal(set.error, "the maths library: libm.so.6 has no "
                                   "vitrine_no_such_function");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_functions_are_resolved_once),
        cmocka_unit_test(test_a_missing_library_is_named),
        cmocka_unit_test(test_a_missing_function_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
