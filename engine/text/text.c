/* text.c: fonts, shaping and glyphs (see text.h).
 *
 * A paragraph (a line of the text) goes through FriBidi for the embedding
 * level of each character; runs of one level are shaped by HarfBuzz in
 * their own direction (with the whole paragraph as context, so that
 * Arabic joins across a run's edge) and laid out in visual order (the
 * Unicode Bidirectional Algorithm's rule L2). Glyph images come from a
 * cache keyed by glyph and size; the pen is rounded to whole pixels. */
#include "text.h"

#include <fontconfig/fontconfig.h>
#include <fribidi.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb-ft.h>
#include <hb.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/lazylib.h"
#include "../base/util.h"

/* The text libraries are loaded when the first font is opened: most
 * networks show no text. */
enum { HB, FT, FC, BIDI, TEXT_LIBS };
#define TEXT_FUNCS(X) \
    X(HB, hb_buffer_add_utf32) \
    X(HB, hb_buffer_clear_contents) \
    X(HB, hb_buffer_create) \
    X(HB, hb_buffer_destroy) \
    X(HB, hb_buffer_get_glyph_infos) \
    X(HB, hb_buffer_get_glyph_positions) \
    X(HB, hb_buffer_guess_segment_properties) \
    X(HB, hb_buffer_set_direction) \
    X(HB, hb_font_destroy) \
    X(HB, hb_ft_font_changed) \
    X(HB, hb_ft_font_create_referenced) \
    X(HB, hb_ft_font_set_load_flags) \
    X(HB, hb_shape) \
    X(FT, FT_Done_Face) \
    X(FT, FT_Done_FreeType) \
    X(FT, FT_Error_String) \
    X(FT, FT_Init_FreeType) \
    X(FT, FT_Load_Glyph) \
    X(FT, FT_New_Face) \
    X(FT, FT_Render_Glyph) \
    X(FT, FT_Set_Char_Size) \
    X(FC, FcConfigSubstitute) \
    X(FC, FcDefaultSubstitute) \
    X(FC, FcFontMatch) \
    X(FC, FcInit) \
    X(FC, FcNameParse) \
    X(FC, FcPatternAddInteger) \
    X(FC, FcPatternDestroy) \
    X(FC, FcPatternGetInteger) \
    X(FC, FcPatternGetString) \
    X(BIDI, fribidi_charset_to_unicode) \
    X(BIDI, fribidi_get_bidi_types) \
    X(BIDI, fribidi_get_bracket_types) \
    X(BIDI, fribidi_get_par_embedding_levels_ex)

static struct {
#define X(lib, f) __typeof__(f) *f;
    TEXT_FUNCS(X)
#undef X
} tl;

static const struct lazylib_sym text_syms[] = {
#define X(lib, f) {lib, #f, (void **)&tl.f},
    TEXT_FUNCS(X)
#undef X
};

static const char *const text_sonames[TEXT_LIBS] = {
    [HB] = "libharfbuzz.so.0",
    [FT] = "libfreetype.so.6",
    [FC] = "libfontconfig.so.1",
    [BIDI] = "libfribidi.so.0",
};
static struct lazylib text_lib = LAZYLIB("the text libraries (HarfBuzz, "
                                         "FreeType, fontconfig, FriBidi)",
                                         text_sonames, text_syms);

struct glyph {
    uint32_t gid;
    int32_t sx, sy; /* size, 26.6 */
    int left, top, w, h;
    size_t at; /* in the pool */
    bool used;
};

struct text_font {
    FT_Library ft;
    FT_Face face;
    hb_font_t *hb;
    hb_buffer_t *buf;
    char *file;
    int32_t sx, sy; /* the size set, 26.6 */
    struct glyph *cache; /* open addressing */
    size_t ncache, cap_cache;
    uint8_t *pool;
    size_t npool, cap_pool;
    uint64_t rendered;
};

/* The cache is emptied past these: a script that animates the size makes
 * new glyphs every frame. */
#define CACHE_MAX_GLYPHS 8192
#define CACHE_MAX_BYTES (32u << 20)

static pthread_mutex_t fc_lock = PTHREAD_MUTEX_INITIALIZER;

static char *find_font(const char *family, bool bold, bool italic,
                       int *index, char *err, size_t errlen)
{
    pthread_mutex_lock(&fc_lock);
    char *out = NULL;
    if (!tl.FcInit()) {
        snprintf(err, errlen, "fontconfig cannot start (no configuration?)");
        goto done;
    }
    FcPattern *pat = tl.FcNameParse((const FcChar8 *)(family && *family
                                                          ? family
                                                          : "sans-serif"));
    if (!pat) {
        snprintf(err, errlen, "'%s' is not a font name", family);
        goto done;
    }
    tl.FcPatternAddInteger(pat, FC_WEIGHT,
                           bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    tl.FcPatternAddInteger(pat, FC_SLANT,
                           italic ? FC_SLANT_ITALIC : FC_SLANT_ROMAN);
    tl.FcConfigSubstitute(NULL, pat, FcMatchPattern);
    tl.FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *m = tl.FcFontMatch(NULL, pat, &res);
    FcChar8 *file = NULL;
    if (m && tl.FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch) {
        out = xstrdup((const char *)file);
        if (tl.FcPatternGetInteger(m, FC_INDEX, 0, index) != FcResultMatch)
            *index = 0;
    } else {
        snprintf(err, errlen, "no font found for '%s' (is a font package "
                 "such as fonts-dejavu-core installed?)", family);
    }
    if (m)
        tl.FcPatternDestroy(m);
    tl.FcPatternDestroy(pat);
done:
    pthread_mutex_unlock(&fc_lock);
    return out;
}

struct text_font *text_font_open(const char *family, const char *file,
                                 bool bold, bool italic, const char **used,
                                 char *err, size_t errlen)
{
    if (!lazylib_load(&text_lib)) {
        snprintf(err, errlen, "%s", text_lib.error);
        return NULL;
    }
    int index = 0;
    char *path = file && *file ? xstrdup(file)
                               : find_font(family, bold, italic, &index, err,
                                           errlen);
    if (!path)
        return NULL;
    struct text_font *f = xcalloc(1, sizeof(*f));
    f->file = path;
    if (tl.FT_Init_FreeType(&f->ft) != 0) {
        snprintf(err, errlen, "FreeType cannot start");
        text_font_close(&f);
        return NULL;
    }
    FT_Error e = tl.FT_New_Face(f->ft, path, index, &f->face);
    if (e != 0) {
        snprintf(err, errlen, "%s: %s", path,
                 tl.FT_Error_String(e) ? tl.FT_Error_String(e)
                                       : "not a font FreeType can read");
        text_font_close(&f);
        return NULL;
    }
    if (!FT_IS_SCALABLE(f->face)) {
        snprintf(err, errlen, "%s: a bitmap font (only outline fonts "
                 "scale to any size)", path);
        text_font_close(&f);
        return NULL;
    }
    f->hb = tl.hb_ft_font_create_referenced(f->face);
    /* unhinted outlines and advances: text set at any size keeps the
     * design's proportions, as HarfBuzz's own renderer shows it */
    tl.hb_ft_font_set_load_flags(f->hb, FT_LOAD_NO_HINTING);
    f->buf = tl.hb_buffer_create();
    if (used)
        *used = f->file;
    return f;
}

void text_font_close(struct text_font **pf)
{
    struct text_font *f = *pf;
    if (!f)
        return;
    if (f->buf)
        tl.hb_buffer_destroy(f->buf);
    if (f->hb)
        tl.hb_font_destroy(f->hb); /* it holds a reference to the face */
    if (f->face)
        tl.FT_Done_Face(f->face);
    if (f->ft)
        tl.FT_Done_FreeType(f->ft);
    free(f->cache);
    free(f->pool);
    free(f->file);
    free(f);
    *pf = NULL;
}

uint64_t text_glyphs_rendered(const struct text_font *f)
{
    return f->rendered;
}

static void set_size(struct text_font *f, double sx, double sy)
{
    int32_t x = (int32_t)lround(sx * 64), y = (int32_t)lround(sy * 64);
    if (x < 64)
        x = 64;
    if (y < 64)
        y = 64;
    if (x == f->sx && y == f->sy)
        return;
    tl.FT_Set_Char_Size(f->face, x, y, 72, 72);
    tl.hb_ft_font_changed(f->hb);
    f->sx = x;
    f->sy = y;
}

static size_t glyph_hash(uint32_t gid, int32_t sx, int32_t sy)
{
    uint64_t h = gid * 0x9e3779b97f4a7c15ull ^ (uint64_t)sx * 0xc2b2ae3d27d4eb4full ^
                 (uint64_t)sy * 0x165667b19e3779f9ull;
    return (size_t)(h ^ (h >> 29));
}

static void cache_clear(struct text_font *f)
{
    free(f->cache);
    f->cache = NULL;
    f->ncache = f->cap_cache = 0;
    f->npool = 0;
}

static void cache_grow(struct text_font *f)
{
    size_t cap = f->cap_cache ? f->cap_cache * 2 : 256;
    struct glyph *old = f->cache;
    size_t old_cap = f->cap_cache;
    f->cache = xcalloc(cap, sizeof(*f->cache));
    f->cap_cache = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].used)
            continue;
        size_t k = glyph_hash(old[i].gid, old[i].sx, old[i].sy) & (cap - 1);
        while (f->cache[k].used)
            k = (k + 1) & (cap - 1);
        f->cache[k] = old[i];
    }
    free(old);
}

/* The glyph's image at the size set: from the cache, or rendered into
 * it. NULL when FreeType cannot render it. */
static const struct glyph *glyph_get(struct text_font *f, uint32_t gid)
{
    if (f->ncache >= CACHE_MAX_GLYPHS || f->npool >= CACHE_MAX_BYTES)
        cache_clear(f);
    if ((f->ncache + 1) * 2 > f->cap_cache)
        cache_grow(f);
    size_t k = glyph_hash(gid, f->sx, f->sy) & (f->cap_cache - 1);
    for (; f->cache[k].used; k = (k + 1) & (f->cap_cache - 1)) {
        struct glyph *g = &f->cache[k];
        if (g->gid == gid && g->sx == f->sx && g->sy == f->sy)
            return g;
    }
    if (tl.FT_Load_Glyph(f->face, gid, FT_LOAD_NO_HINTING) != 0 ||
        tl.FT_Render_Glyph(f->face->glyph, FT_RENDER_MODE_NORMAL) != 0)
        return NULL;
    const FT_Bitmap *bm = &f->face->glyph->bitmap;
    if (bm->pixel_mode != FT_PIXEL_MODE_GRAY && bm->width && bm->rows)
        return NULL;
    struct glyph *g = &f->cache[k];
    *g = (struct glyph){.gid = gid, .sx = f->sx, .sy = f->sy,
                        .left = f->face->glyph->bitmap_left,
                        .top = f->face->glyph->bitmap_top,
                        .w = (int)bm->width, .h = (int)bm->rows,
                        .at = f->npool, .used = true};
    size_t bytes = (size_t)g->w * (size_t)g->h;
    grow_array((void **)&f->pool, &f->cap_pool, f->npool + bytes, 1);
    for (int r = 0; r < g->h; r++)
        memcpy(f->pool + f->npool + (size_t)r * (size_t)g->w,
               bm->buffer + (ptrdiff_t)r * bm->pitch, (size_t)g->w);
    f->npool += bytes;
    f->ncache++;
    f->rendered++;
    return g;
}

/* ---- a paragraph: levels, runs, shaping ---- */

struct para {
    const FriBidiChar *s; /* the whole paragraph, UTF-32 */
    int len;
    FriBidiLevel *levels;
};

/* Shapes s[from, to) (one level) in its direction; the paragraph is its
 * context. */
static void shape(struct text_font *f, const struct para *p, int from,
                  int to)
{
    tl.hb_buffer_clear_contents(f->buf);
    tl.hb_buffer_add_utf32(f->buf, (const uint32_t *)p->s, p->len,
                           (unsigned)from, to - from);
    tl.hb_buffer_set_direction(f->buf, p->levels[from] & 1
                                           ? HB_DIRECTION_RTL
                                           : HB_DIRECTION_LTR);
    tl.hb_buffer_guess_segment_properties(f->buf);
    tl.hb_shape(f->hb, f->buf, NULL, 0);
}

/* Calls each(ctx, glyph info, position) for every glyph of s[from, to)
 * in visual order, run by run. */
typedef void (*glyph_fn)(void *ctx, const hb_glyph_info_t *info,
                         const hb_glyph_position_t *pos);

static void visual_glyphs(struct text_font *f, const struct para *p,
                          int from, int to, glyph_fn each, void *ctx)
{
    if (to <= from)
        return;
    /* runs of one level, in logical order */
    int nruns = 0;
    int(*runs)[2] = xmalloc((size_t)(to - from) * sizeof(*runs));
    for (int i = from; i < to;) {
        int j = i + 1;
        while (j < to && p->levels[j] == p->levels[i])
            j++;
        runs[nruns][0] = i;
        runs[nruns][1] = j;
        nruns++;
        i = j;
    }
    /* rule L2: from the highest level down to the lowest odd one, reverse
     * every sequence of runs at that level or above */
    FriBidiLevel hi = 0, lo_odd = 255;
    for (int r = 0; r < nruns; r++) {
        FriBidiLevel l = p->levels[runs[r][0]];
        if (l > hi)
            hi = l;
        if ((l & 1) && l < lo_odd)
            lo_odd = l;
    }
    for (int l = hi; l >= lo_odd && l > 0; l--)
        for (int r = 0; r < nruns;) {
            if (p->levels[runs[r][0]] < l) {
                r++;
                continue;
            }
            int e = r;
            while (e < nruns && p->levels[runs[e][0]] >= l)
                e++;
            for (int a = r, b = e - 1; a < b; a++, b--) {
                int t0 = runs[a][0], t1 = runs[a][1];
                runs[a][0] = runs[b][0];
                runs[a][1] = runs[b][1];
                runs[b][0] = t0;
                runs[b][1] = t1;
            }
            r = e;
        }
    for (int r = 0; r < nruns; r++) {
        shape(f, p, runs[r][0], runs[r][1]);
        unsigned n;
        hb_glyph_info_t *info = tl.hb_buffer_get_glyph_infos(f->buf, &n);
        hb_glyph_position_t *pos =
            tl.hb_buffer_get_glyph_positions(f->buf, &n);
        for (unsigned g = 0; g < n; g++)
            each(ctx, &info[g], &pos[g]);
    }
    free(runs);
}

/* Each character's share of the paragraph's advance (26.6), summed from
 * the start: prefix[i] is the width of p->s[0, i). Each run of one level
 * is shaped once; a glyph's advance goes to the character it starts at
 * (its cluster), and tracking follows every glyph. */
static int64_t *advances(struct text_font *f, const struct para *p,
                         int32_t track)
{
    int64_t *prefix = xcalloc((size_t)p->len + 1, sizeof(*prefix));
    for (int i = 0; i < p->len;) {
        int j = i + 1;
        while (j < p->len && p->levels[j] == p->levels[i])
            j++;
        shape(f, p, i, j);
        unsigned n;
        hb_glyph_info_t *info = tl.hb_buffer_get_glyph_infos(f->buf, &n);
        hb_glyph_position_t *pos =
            tl.hb_buffer_get_glyph_positions(f->buf, &n);
        for (unsigned g = 0; g < n; g++)
            if (info[g].cluster < (unsigned)p->len)
                prefix[info[g].cluster + 1] += pos[g].x_advance + track;
        i = j;
    }
    for (int i = 0; i < p->len; i++)
        prefix[i + 1] += prefix[i];
    return prefix;
}

/* The width of s[from, to) in pixels, without the tracking after its
 * last glyph. */
static double width_of(const int64_t *prefix, int from, int to,
                       int32_t track)
{
    int64_t w = prefix[to] - prefix[from];
    return (double)(to > from ? w - track : 0) / 64.0;
}

struct draw {
    struct text_font *f;
    uint8_t *cover;
    struct text_box *ink;
    int w, h;
    int64_t pen; /* 26.6, from the line's left */
    double x0;
    int baseline;
    int32_t track;
    int count;
};

static void draw_glyph(void *ctx, const hb_glyph_info_t *info,
                       const hb_glyph_position_t *pos)
{
    struct draw *d = ctx;
    const struct glyph *g = glyph_get(d->f, info->codepoint);
    int gx = (int)lround(d->x0 + (double)(d->pen + pos->x_offset) / 64.0);
    int gy = d->baseline + (int)lround(pos->y_offset / 64.0);
    d->pen += pos->x_advance + d->track;
    d->count++;
    if (!g)
        return;
    const uint8_t *src = d->f->pool + g->at;
    if (g->w && g->h) { /* the ink's box grows by the glyph's, clipped */
        struct text_box *b = d->ink;
        int x0 = gx + g->left, x1 = x0 + g->w;
        int y1 = gy + g->top, y0 = y1 - g->h;
        x0 = x0 < 0 ? 0 : x0;
        y0 = y0 < 0 ? 0 : y0;
        x1 = x1 > d->w ? d->w : x1;
        y1 = y1 > d->h ? d->h : y1;
        if (x0 < x1 && y0 < y1) {
            if (b->x0 >= b->x1) {
                *b = (struct text_box){x0, y0, x1, y1};
            } else {
                b->x0 = x0 < b->x0 ? x0 : b->x0;
                b->y0 = y0 < b->y0 ? y0 : b->y0;
                b->x1 = x1 > b->x1 ? x1 : b->x1;
                b->y1 = y1 > b->y1 ? y1 : b->y1;
            }
        }
    }
    for (int r = 0; r < g->h; r++) {
        int y = gy + g->top - 1 - r; /* rows bottom to top */
        if (y < 0 || y >= d->h)
            continue;
        uint8_t *row = d->cover + (size_t)y * (size_t)d->w;
        for (int c = 0; c < g->w; c++) {
            int x = gx + g->left + c;
            uint8_t v = src[(size_t)r * (size_t)g->w + (size_t)c];
            if (x >= 0 && x < d->w && v > row[x])
                row[x] = v;
        }
    }
}

/* Lines of a paragraph as [from, to) pairs, broken at spaces to fit max
 * (<= 0: no wrapping); returns the count. */
static int wrap_lines(const struct para *p, const int64_t *prefix,
                      double max, int32_t track, int (**out)[2])
{
    int cap = 4, n = 0;
    int(*lines)[2] = xmalloc((size_t)cap * sizeof(*lines));
    int start = 0;
    while (start < p->len || n == 0) {
        int end = p->len;
        if (max > 0 && width_of(prefix, start, end, track) > max) {
            int fit = -1; /* the last break that fits */
            for (int i = start + 1; i < p->len; i++) {
                if (p->s[i] != ' ')
                    continue;
                if (width_of(prefix, start, i, track) > max)
                    break;
                fit = i;
            }
            if (fit < 0) /* a word longer than the line: it goes alone */
                for (fit = start + 1; fit < p->len && p->s[fit] != ' ';)
                    fit++;
            end = fit;
        }
        if (n == cap) {
            cap *= 2;
            lines = xrealloc(lines, (size_t)cap * sizeof(*lines));
        }
        lines[n][0] = start;
        lines[n][1] = end;
        n++;
        start = end;
        while (start < p->len && p->s[start] == ' ')
            start++; /* the spaces at a break belong to neither line */
        if (start >= p->len)
            break;
    }
    *out = lines;
    return n;
}

static bool valid_utf8(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        int n = *u < 0x80 ? 0 : (*u & 0xe0) == 0xc0 ? 1
                : (*u & 0xf0) == 0xe0                ? 2
                : (*u & 0xf8) == 0xf0                ? 3
                                                     : -1;
        if (n < 0 || (n == 1 && *u < 0xc2))
            return false;
        u++;
        for (int i = 0; i < n; i++, u++)
            if ((*u & 0xc0) != 0x80)
                return false;
    }
    return true;
}

int text_render(struct text_font *f, const struct text_layout *l,
                uint8_t *cover, struct text_box *ink, char *err,
                size_t errlen)
{
    memset(cover, 0, (size_t)l->width * (size_t)l->height);
    *ink = (struct text_box){0};
    if (!valid_utf8(l->utf8)) {
        snprintf(err, errlen, "the text is not UTF-8");
        return -1;
    }
    set_size(f, l->size_x, l->size_y);
    const FT_Size_Metrics *sm = &f->face->size->metrics;
    double asc = sm->ascender / 64.0, desc = sm->descender / 64.0;
    double advance = sm->height / 64.0 + l->line_spacing;
    int32_t track = (int32_t)lround(l->tracking * 64);

    /* every paragraph's lines first: the block's height places them */
    size_t len = strlen(l->utf8);
    if (len && l->utf8[len - 1] == '\n')
        len--; /* a file's last newline ends its line, starts none */
    FriBidiChar *all = xmalloc((len + 1) * sizeof(*all));
    int nall = (int)tl.fribidi_charset_to_unicode(
        FRIBIDI_CHAR_SET_UTF8, l->utf8, (FriBidiStrIndex)len, all);
    FriBidiLevel *levels = xmalloc(((size_t)nall + 1) * sizeof(*levels));
    FriBidiCharType *types = xmalloc(((size_t)nall + 1) * sizeof(*types));
    FriBidiBracketType *brackets =
        xmalloc(((size_t)nall + 1) * sizeof(*brackets));
    struct line { struct para p; int from, to; double width; } *lines = NULL;
    size_t nlines = 0, cap = 0;
    for (int start = 0; start <= nall;) {
        int end = start;
        while (end < nall && all[end] != '\n')
            end++;
        struct para p = {all + start, end - start, levels + start};
        if (p.len > 0) {
            FriBidiParType base = l->dir == TEXT_DIR_LTR   ? FRIBIDI_PAR_LTR
                                  : l->dir == TEXT_DIR_RTL ? FRIBIDI_PAR_RTL
                                                           : FRIBIDI_PAR_ON;
            tl.fribidi_get_bidi_types(p.s, p.len, types + start);
            tl.fribidi_get_bracket_types(p.s, p.len, types + start,
                                         brackets + start);
            if (!tl.fribidi_get_par_embedding_levels_ex(types + start,
                                                        brackets + start,
                                                        p.len, &base,
                                                        p.levels))
                memset(p.levels, 0, (size_t)p.len); /* left to right */
        }
        int(*wrapped)[2] = NULL;
        int64_t *prefix = advances(f, &p, track);
        int nw = wrap_lines(&p, prefix,
                            l->wrap ? l->width - 2 * fabs(l->x) : 0, track,
                            &wrapped);
        for (int i = 0; i < nw; i++) {
            grow_array((void **)&lines, &cap, nlines + 1, sizeof(*lines));
            lines[nlines++] = (struct line){
                p, wrapped[i][0], wrapped[i][1],
                width_of(prefix, wrapped[i][0], wrapped[i][1], track)};
        }
        free(prefix);
        free(wrapped);
        start = end + 1;
    }
    double block = (double)(nlines ? nlines - 1 : 0) * advance + asc - desc;
    double top = l->align_y == TEXT_END      ? l->height
                 : l->align_y == TEXT_CENTER ? (l->height + block) / 2
                                             : block;
    top += l->y;
    int glyphs = 0;
    for (size_t i = 0; i < nlines; i++) {
        struct line *ln = &lines[i];
        double w = ln->width;
        double x0 = l->align_x == TEXT_END      ? l->width - w
                    : l->align_x == TEXT_CENTER ? (l->width - w) / 2
                                                : 0;
        struct draw d = {
            .f = f, .cover = cover, .ink = ink, .w = l->width,
            .h = l->height,
            .x0 = floor(x0 + l->x + 0.5), .track = track,
            .baseline = (int)lround(top - asc - (double)i * advance),
        };
        visual_glyphs(f, &ln->p, ln->from, ln->to, draw_glyph, &d);
        glyphs += d.count;
    }
    free(lines);
    free(brackets);
    free(types);
    free(levels);
    free(all);
    return glyphs;
}
