/* OSC decoding: every OSC 1.0 type tag, bundles (nested, timetags), and
 * malformed packets of every kind, including 100,000 random ones. */
#include <math.h>
#include <stdint.h>

#include "../../control/osc.h"
#include "helpers.h"

struct sink {
    struct osc_msg m[64];
    int n;
};

static void collect(void *ctx, const struct osc_msg *m)
{
    struct sink *s = ctx;
    if (s->n < 64)
        s->m[s->n++] = *m;
}

/* A tiny OSC writer. */
struct pkt {
    unsigned char b[4096];
    size_t n;
};

static void put_str(struct pkt *p, const char *s)
{
    size_t len = strlen(s) + 1;
    memcpy(p->b + p->n, s, len);
    p->n += len;
    while (p->n % 4)
        p->b[p->n++] = 0;
}

static void put32(struct pkt *p, uint32_t v)
{
    p->b[p->n++] = (unsigned char)(v >> 24);
    p->b[p->n++] = (unsigned char)(v >> 16);
    p->b[p->n++] = (unsigned char)(v >> 8);
    p->b[p->n++] = (unsigned char)v;
}

static void put64(struct pkt *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p, (uint32_t)v);
}

static void putf(struct pkt *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put32(p, u);
}

static void putd(struct pkt *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    put64(p, u);
}

static void test_every_type_tag(void **state)
{
    (void)state;
    struct pkt p = {0};
    put_str(&p, "/all");
    put_str(&p, ",ifhdTFNItsSbcrm[ii]");
    put32(&p, (uint32_t)-7);
    putf(&p, 0.5f);
    put64(&p, (uint64_t)-3);
    putd(&p, 2.25);
    put64(&p, 1);        /* t */
    put_str(&p, "text"); /* s */
    put_str(&p, "sym");  /* S */
    put32(&p, 3);        /* b: 3 bytes, padded */
    p.b[p.n++] = 1, p.b[p.n++] = 2, p.b[p.n++] = 3, p.b[p.n++] = 0;
    put32(&p, 'x');       /* c */
    put32(&p, 0xff0000ff); /* r */
    put32(&p, 0x00903c40); /* m */
    put32(&p, 1);
    put32(&p, 2);
    struct sink s = {0};
    assert_int_equal(osc_decode(p.b, p.n, collect, &s), 1);
    assert_string_equal(s.m[0].addr, "/all");
    /* numbers: i f h d T F, then the two in the array */
    assert_int_equal(s.m[0].nargs, 8);
    double want[] = {-7, 0.5, -3, 2.25, 1, 0, 1, 2};
    for (int i = 0; i < 8; i++)
        assert_true(s.m[0].val[i] == want[i]);
    assert_int_equal(s.m[0].skipped, 9); /* N I t s S b c r m */
    assert_int_equal(s.m[0].due_ns, 0);
}

static void test_bundles_nested_with_timetags(void **state)
{
    (void)state;
    struct pkt inner = {0};
    put_str(&inner, "/b");
    put_str(&inner, ",f");
    putf(&inner, 2);
    struct pkt nested = {0};
    put_str(&nested, "#bundle");
    /* 2033-05-18 03:33:20 UTC: 2000000000 s after 1970 */
    uint64_t later = (uint64_t)(2000000000u + 2208988800u) << 32 |
                     0x80000000u;
    put64(&nested, later);
    put32(&nested, (uint32_t)inner.n);
    memcpy(nested.b + nested.n, inner.b, inner.n);
    nested.n += inner.n;

    struct pkt msg = {0};
    put_str(&msg, "/a");
    put_str(&msg, ",i");
    put32(&msg, 5);
    struct pkt p = {0};
    put_str(&p, "#bundle");
    put64(&p, 1); /* immediately */
    put32(&p, (uint32_t)msg.n);
    memcpy(p.b + p.n, msg.b, msg.n);
    p.n += msg.n;
    put32(&p, (uint32_t)nested.n);
    memcpy(p.b + p.n, nested.b, nested.n);
    p.n += nested.n;

    struct sink s = {0};
    assert_int_equal(osc_decode(p.b, p.n, collect, &s), 2);
    assert_string_equal(s.m[0].addr, "/a");
    assert_int_equal(s.m[0].due_ns, 0);
    assert_true(s.m[0].val[0] == 5);
    assert_string_equal(s.m[1].addr, "/b");
    assert_true(s.m[1].due_ns == 2000000000ull * 1000000000ull + 500000000ull);
}

static void expect_malformed(const unsigned char *b, size_t n,
                             const char *what)
{
    struct sink s = {0};
    int rc = osc_decode(b, n, collect, &s);
    if (rc != -1 || s.n != 0)
        fail_msg("%s: decoded as %d message(s)", what, rc);
}

static void test_malformed_packets(void **state)
{
    (void)state;
    struct pkt p = {0};
    put_str(&p, "/x");
    put_str(&p, ",fi");
    putf(&p, 1);
    put32(&p, 2);
    struct sink s = {0};
    assert_int_equal(osc_decode(p.b, p.n, collect, &s), 1);
    for (size_t cut = 0; cut < p.n; cut++)
        if (cut != 4) /* "/x" alone is a message without arguments */
            expect_malformed(p.b, cut, "truncated");
    unsigned char bad[64];
    memcpy(bad, p.b, p.n);
    bad[5] = ','; /* the address loses its terminator */
    expect_malformed(bad, p.n, "unterminated address");
    memcpy(bad, p.b, p.n);
    bad[5] = 'z'; /* ",zi" */
    memcpy(bad, p.b, p.n);
    bad[4 + 1] = 'z';
    expect_malformed(bad, p.n, "bad type tag");
    struct pkt q = {0};
    put_str(&q, "noslash");
    expect_malformed(q.b, q.n, "no leading slash");
    struct pkt sp = {0};
    put_str(&sp, "/a b\xe3");
    put_str(&sp, ",i");
    put32(&sp, 1);
    expect_malformed(sp.b, sp.n, "an address that is not printable ASCII");
    struct pkt arr = {0};
    put_str(&arr, "/a");
    put_str(&arr, ",]");
    expect_malformed(arr.b, arr.n, "unbalanced array");
    struct pkt blob = {0};
    put_str(&blob, "/a");
    put_str(&blob, ",b");
    put32(&blob, 0x7fffffff);
    expect_malformed(blob.b, blob.n, "huge blob");
    struct pkt bun = {0};
    put_str(&bun, "#bundle");
    put64(&bun, 1);
    put32(&bun, 0x40000000);
    expect_malformed(bun.b, bun.n, "huge bundle element");
    /* bundles nested deeper than 8 */
    struct pkt deep = {0};
    size_t depth = 12, at = 0;
    for (size_t i = 0; i < depth; i++) {
        put_str(&deep, "#bundle");
        put64(&deep, 1);
        at = deep.n;
        put32(&deep, 0); /* sizes filled below */
    }
    put_str(&deep, "/d");
    put_str(&deep, ",i");
    put32(&deep, 1);
    (void)at;
    for (size_t i = 0; i < depth; i++) {
        size_t size_at = 16 + i * 20;
        uint32_t size = (uint32_t)(deep.n - size_at - 4);
        deep.b[size_at] = (unsigned char)(size >> 24);
        deep.b[size_at + 1] = (unsigned char)(size >> 16);
        deep.b[size_at + 2] = (unsigned char)(size >> 8);
        deep.b[size_at + 3] = (unsigned char)size;
    }
    expect_malformed(deep.b, deep.n, "nested too deep");
    /* a bundle half valid: nothing of it is emitted */
    struct pkt half = {0};
    put_str(&half, "#bundle");
    put64(&half, 1);
    put32(&half, (uint32_t)p.n);
    memcpy(half.b + half.n, p.b, p.n);
    half.n += p.n;
    put32(&half, 8);
    put_str(&half, "/z");
    put_str(&half, ",q");
    expect_malformed(half.b, half.n, "a bad element in a bundle");
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

/* 100,000 packets: random bytes, valid packets mutated (truncated, bytes
 * flipped, sizes and tags garbled). None may crash or read out of bounds
 * (SAN=1 checks); each either decodes or is malformed. */
static void test_fuzz(void **state)
{
    (void)state;
    struct pkt base = {0};
    put_str(&base, "#bundle");
    put64(&base, 1);
    struct pkt m = {0};
    put_str(&m, "/fuzz/a");
    put_str(&m, ",ifsb[d]T");
    put32(&m, 1);
    putf(&m, 2);
    put_str(&m, "str");
    put32(&m, 2);
    put32(&m, 0x01020000);
    putd(&m, 3);
    put32(&base, (uint32_t)m.n);
    memcpy(base.b + base.n, m.b, m.n);
    base.n += m.n;
    int ok = 0, bad = 0;
    for (int i = 0; i < 100000; i++) {
        unsigned char *b = malloc(base.n + 64); /* exact size for ASan */
        size_t n;
        if (i % 4 == 0) {
            n = rnd() % 64;
            for (size_t k = 0; k < n; k++)
                b[k] = (unsigned char)rnd();
            if (n >= 1 && rnd() % 2)
                b[0] = '/';
        } else {
            n = base.n;
            memcpy(b, base.b, n);
            int flips = 1 + (int)(rnd() % 4);
            for (int f = 0; f < flips; f++)
                b[rnd() % n] = (unsigned char)rnd();
            if (i % 4 == 2)
                n = rnd() % (n + 1);
        }
        unsigned char *exact = malloc(n ? n : 1);
        memcpy(exact, b, n);
        struct sink s = {0};
        int rc = osc_decode(exact, n, collect, &s);
        if (rc >= 0) {
            assert_int_equal(rc, s.n);
            ok++;
        } else {
            assert_int_equal(s.n, 0);
            bad++;
        }
        free(exact);
        free(b);
    }
    print_message("fuzz: %d decoded, %d malformed\n", ok, bad);
    assert_int_equal(ok + bad, 100000);
    assert_true(bad > 50000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_type_tag),
        cmocka_unit_test(test_bundles_nested_with_timetags),
        cmocka_unit_test(test_malformed_packets),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
