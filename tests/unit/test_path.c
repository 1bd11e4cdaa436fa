/* Op tree, paths, patterns and handles. */
#include "helpers.h"

static const char *const NET =
    "[network]\nname = project1\n"
    "[noise1]\nOPType = constantCHOP\n"
    "[noise2]\nOPType = constantCHOP\n"
    "[lfo1]\nOPType = lfoCHOP\n"
    "[container1]\nOPType = baseCOMP\n"
    "[container1/noise1]\nOPType = constantCHOP\n"
    "[container1/inner]\nOPType = baseCOMP\n"
    "[container1/inner/deep]\nOPType = constantCHOP\n"
    "[container2]\nOPType = baseCOMP\n"
    "[container2/op]\nOPType = constantCHOP\n"
    "[leg5]\nOPType = baseCOMP\n"
    "[leg5/foot1]\nOPType = constantCHOP\n"
    "[leg5/foot2]\nOPType = constantCHOP\n"
    "[leg5/knee]\nOPType = constantCHOP\n";

static void test_absolute_paths(void **state)
{
    (void)state;
    struct graph *g = load_ok(NET);
    assert_string_equal(g->root->path, "/project1");
    struct op *deep = graph_find(g, "/project1/container1/inner/deep");
    assert_non_null(deep);
    assert_string_equal(deep->path, "/project1/container1/inner/deep");
    assert_ptr_equal(graph_find(g, "/"), g->root);
    assert_ptr_equal(graph_find(g, "/project1"), g->root);
    assert_null(graph_find(g, "/project2/noise1"));
    assert_null(graph_find(g, "/project1/nothing"));
    graph_destroy(&g);
}

static void test_relative_paths(void **state)
{
    (void)state;
    struct graph *g = load_ok(NET);
    struct op *n1 = graph_find(g, "container1/noise1");
    /* A non-COMP resolves from its parent: siblings by name. */
    assert_ptr_equal(op_find(n1, "inner/deep"),
                     graph_find(g, "container1/inner/deep"));
    assert_ptr_equal(op_find(n1, ".."), g->root);
    assert_ptr_equal(op_find(n1, "../container2/op"),
                     graph_find(g, "/project1/container2/op"));
    assert_ptr_equal(op_find(n1, "noise1"), n1);
    assert_ptr_equal(op_find(n1, "./noise1"), n1);
    assert_ptr_equal(op_find(n1, "../noise1"), graph_find(g, "noise1"));
    /* A COMP resolves from itself: its children. */
    struct op *c1 = graph_find(g, "container1");
    assert_ptr_equal(op_find(c1, "noise1"), n1);
    assert_ptr_equal(op_find(c1, ".."), g->root);
    assert_null(op_find(n1, "../../.."));
    char *rel = op_relative_path(n1, graph_find(g, "container2/op"));
    assert_string_equal(rel, "../container2/op");
    free(rel);
    rel = op_relative_path(n1, graph_find(g, "container1/inner/deep"));
    assert_string_equal(rel, "inner/deep");
    free(rel);
    graph_destroy(&g);
}

static void test_patterns(void **state)
{
    (void)state;
    struct graph *g = load_ok(NET);
    struct op **out = NULL;
    size_t n = 0, cap = 0;
    assert_int_equal(op_find_all(g->root, "noise*", &out, &n, &cap), 2);
    assert_string_equal(out[0]->path, "/project1/noise1");
    assert_string_equal(out[1]->path, "/project1/noise2");
    assert_int_equal(op_find_all(g->root, "leg5/foot*", &out, &n, &cap), 2);
    assert_string_equal(out[2]->path, "/project1/leg5/foot1");
    assert_string_equal(out[3]->path, "/project1/leg5/foot2");
    /* The same op twice is listed once. */
    assert_int_equal(op_find_all(g->root, "noise1", &out, &n, &cap), 0);
    assert_int_equal(op_find_all(g->root, "container?/*", &out, &n, &cap), 3);
    assert_int_equal(op_find_all(g->root, "/project1/leg5/[fk]*", &out, &n,
                                 &cap), 1);
    assert_string_equal(out[n - 1]->path, "/project1/leg5/knee");
    assert_int_equal(op_find_all(g->root, "nomatch*", &out, &n, &cap), 0);
    free(out);
    graph_destroy(&g);
}

static void test_handles_detect_deleted_ops(void **state)
{
    (void)state;
    struct graph *g = load_ok(NET);
    struct op *n2 = graph_find(g, "noise2");
    uint32_t id = n2->id;
    assert_int_not_equal(id, 0);
    assert_ptr_equal(graph_op_by_id(g, id), n2);
    op_destroy(&n2);
    assert_null(n2);
    assert_null(graph_op_by_id(g, id));
    assert_null(graph_find(g, "noise2"));
    /* A new op may reuse the slot, never the id. */
    char err[256];
    struct op *again = op_create(g, g->root, registry_find("nullCHOP"),
                                 "noise2", err, sizeof(err));
    assert_non_null(again);
    assert_int_not_equal(again->id, id);
    assert_null(graph_op_by_id(g, id));
    assert_ptr_equal(graph_op_by_id(g, again->id), again);
    /* Destroying a COMP removes its children's ids too. */
    struct op *c1 = graph_find(g, "container1");
    uint32_t deep = graph_find(g, "container1/inner/deep")->id;
    op_destroy(&c1);
    assert_null(graph_op_by_id(g, deep));
    graph_destroy(&g);
}

static void test_names_and_families(void **state)
{
    (void)state;
    capture_log();
    struct graph *g = graph_create("project1");
    char err[256];
    assert_null(op_create(g, g->root, registry_find("lfoCHOP"), "1abc", err,
                          sizeof(err)));
    assert_non_null(strstr(err, "invalid operator name"));
    struct op *a = op_create(g, g->root, registry_find("lfoCHOP"), "a", err,
                             sizeof(err));
    assert_non_null(a);
    assert_null(op_create(g, g->root, registry_find("lfoCHOP"), "a", err,
                          sizeof(err)));
    assert_non_null(strstr(err, "duplicate"));
    assert_null(op_create(g, a, registry_find("lfoCHOP"), "b", err,
                          sizeof(err)));
    assert_non_null(strstr(err, "not a COMP"));
    assert_int_equal(a->type->family, OP_CHOP);
    assert_string_equal(a->type->name, "lfo");
    assert_string_equal(a->type->optype, "lfoCHOP");
    assert_int_equal(g->root->type->family, OP_COMP);
    graph_destroy(&g);
}

static void test_error_state_logged_once(void **state)
{
    (void)state;
    capture_log();
    struct graph *g = graph_create("project1");
    char err[64];
    struct op *a = op_create(g, g->root, registry_find("lfoCHOP"), "a", err,
                             sizeof(err));
    op_set_error(a, "broken %d", 1);
    op_set_error(a, "broken %d", 1);
    op_set_error(a, "broken %d", 1);
    assert_string_equal(a->error, "broken 1");
    assert_string_equal(logged(), "<3>[/project1/a] broken 1\n");
    op_clear_error(a);
    assert_null(a->error);
    assert_non_null(strstr(logged(), "error cleared"));
    op_set_warning(a, "careful");
    assert_string_equal(a->warning, "careful");
    assert_int_equal(graph_error_count(g), 0);
    op_set_error(a, "again");
    assert_int_equal(graph_error_count(g), 1);
    graph_destroy(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_absolute_paths),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_handles_detect_deleted_ops),
        cmocka_unit_test(test_names_and_families),
        cmocka_unit_test(test_error_state_logged_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
