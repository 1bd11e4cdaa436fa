/* glslTOP: a user fragment shader from a file (`file`) or a DAT
 * (`pixeldat`, TouchDesigner's name), drawn over the whole output.
 *
 * The shader's own `uniform float/vec2/vec3/vec4/int` declarations become
 * parameters, as TouchDesigner's Vectors page does: slot N has `vecNname`
 * and `vecNvaluex..w`. A slot whose name the network gives is used for
 * that uniform; the others are filled in declaration order, and the name
 * written into the slot, so `op('glsl1').par.vec0name` says which is which.
 *
 * Built in, declared for the shader unless it declares them itself:
 *   in vec2 vUV;                       0..1 across the output
 *   uniform float uTime;               seconds of the network's clock
 *   uniform vec2 uResolution;          output size in pixels
 *   uniform sampler2D sTD2DInputs[N];  the 2D inputs (N at least 1)
 *   uniform sampler3D sTD3DInputs[N];  texture3dTOP inputs of type 3D
 *   uniform sampler2DArray sTD2DArrayInputs[N];  ... of type 2D array
 *   uniform TDTexInfo uTDOutputInfo, uTD2DInfos[N], uTD3DInfos[N],
 *                     uTD2DArrayInfos[N];  .res = 1/w, 1/h, w, h;
 *       .depth = 1/depth, depth, w of the newest slice's centre, its index
 *   TD_NUM_2D_INPUTS, TD_NUM_3D_INPUTS, TD_NUM_2D_ARRAY_INPUTS
 *   vec4 TDOutputSwizzle(vec4);        identity, for TouchDesigner code
 * `#version 330 core` is assumed when the file has no #version line.
 * Compile errors name the file and its own line. A shader that stops
 * compiling (its file edited into a typo, its DAT rewritten, or the same
 * on a reload of the network) leaves the last one that compiled on the
 * screen, with the error on the op; one that never compiled shows black.
 * The rest of the network goes on either way. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "top_util.h"

#define SLOTS 16
#define MAX_INPUTS 8

struct uniform {
    char name[64];
    int ncomp;   /* 1..4 */
    bool is_int;
    int slot;    /* -1: none free */
    GLint loc;
    int ninit;   /* numbers in its initializer ("= vec3(1.0)") */
    double init[4];
};

/* One shader as read and prepared for the driver. */
struct shader {
    char *text;       /* the user's text, NULL until read */
    char *where;      /* its file path or DAT path, for messages */
    char *full;       /* with the prelude, as compiled */
    char kinds[MAX_INPUTS + 1]; /* the inputs the prelude was made for:
                                 * '2' 2D, '3' 3D, 'a' 2D array */
    struct uniform *uniforms;
    int nuniforms;
    bool user_decl[7]; /* the shader declares a built-in itself */
    GLuint prog;      /* uniform locations belong to this program */
    bool uses_time;
};

struct glsl {
    struct top_common common;
    char *file, *pixeldat;
    int extend;
    char *vecname[SLOTS];
    double vecvalue[SLOTS][4];
    char *read_from;  /* `file` or `pixeldat` as it was when last read */
    uint64_t dat_version; /* the DAT's out_version when last read */
    struct shader cur;  /* the shader as last read */
    struct shader good; /* the last one that compiled (full NULL: none) */
    bool uses_time;     /* the one drawn reads uTime */
    bool on_good;       /* drawing the last good one */
};

enum { B_VUV, B_TIME, B_RES, B_INPUTS, B_INPUTS3D, B_ARRAYS, B_INFOS };
static const char *const builtin_names[] = {
    "vUV",         "uTime",           "uResolution", "sTD2DInputs",
    "sTD3DInputs", "sTD2DArrayInputs", "uTD2DInfos"};
/* per input kind: its character, sampler type, sampler and info names */
static const struct {
    char kind;
    const char *type, *sampler, *info, *count;
} kinds[] = {
    {'2', "sampler2D", "sTD2DInputs", "uTD2DInfos", "TD_NUM_2D_INPUTS"},
    {'3', "sampler3D", "sTD3DInputs", "uTD3DInfos", "TD_NUM_3D_INPUTS"},
    {'a', "sampler2DArray", "sTD2DArrayInputs", "uTD2DArrayInfos",
     "TD_NUM_2D_ARRAY_INPUTS"},
};

static int count_kind(const char *k, char c)
{
    int n = 0;
    for (; *k; k++)
        n += *k == c;
    return n;
}

/* Blanks out comments, keeping newlines so line numbers stay. */
static char *strip_comments(const char *s)
{
    char *o = xstrdup(s);
    for (char *c = o; *c;) {
        if (c[0] == '/' && c[1] == '/') {
            while (*c && *c != '\n')
                *c++ = ' ';
        } else if (c[0] == '/' && c[1] == '*') {
            while (*c && !(c[0] == '*' && c[1] == '/')) {
                if (*c != '\n')
                    *c = ' ';
                c++;
            }
            if (*c)
                c[0] = c[1] = ' ', c += 2;
        } else {
            c++;
        }
    }
    return o;
}

/* Next identifier or punctuation character; false at the end. */
static bool next_token(const char **s, char *tok, size_t n)
{
    const char *c = *s;
    while (*c && isspace((unsigned char)*c))
        c++;
    if (!*c)
        return false;
    size_t k = 0;
    if (isalnum((unsigned char)*c) || *c == '_' || *c == '.') {
        while (isalnum((unsigned char)*c) || *c == '_' || *c == '.') {
            if (k + 1 < n)
                tok[k++] = *c;
            c++;
        }
    } else {
        tok[k++] = *c++;
    }
    tok[k] = '\0';
    *s = c;
    return true;
}

static int type_comps(const char *t, bool *is_int)
{
    static const struct {
        const char *name;
        int n;
        bool is_int;
    } types[] = {{"float", 1, false}, {"vec2", 2, false},
                 {"vec3", 3, false},  {"vec4", 4, false},
                 {"int", 1, true},    {"ivec2", 2, true},
                 {"ivec3", 3, true},  {"ivec4", 4, true}};
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        if (strcmp(t, types[i].name) == 0) {
            *is_int = types[i].is_int;
            return types[i].n;
        }
    return 0;
}

static int builtin_index(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(builtin_names); i++)
        if (strcmp(name, builtin_names[i]) == 0)
            return (int)i;
    if (strcmp(name, "uTDOutputInfo") == 0 ||
        strcmp(name, "uTD3DInfos") == 0 ||
        strcmp(name, "uTD2DArrayInfos") == 0)
        return B_INFOS; /* declared together with uTD2DInfos */
    return -1;
}

/* The numbers of an initializer between s and end: "0.5" or
 * "vec3(1.0)" (one number fills every component) or "vec2(0.1, 2)". */
static void parse_init(struct uniform *u, const char *s, const char *end)
{
    if (!u)
        return;
    while (s < end && u->ninit < 4) {
        if (isdigit((unsigned char)*s) || *s == '.' || *s == '-' ||
            *s == '+') {
            char *e;
            double v = strtod(s, &e);
            if (e > s && e <= end) {
                u->init[u->ninit++] = v;
                s = e;
                continue;
            }
        } else if (isalpha((unsigned char)*s) || *s == '_') {
            while (s < end && (isalnum((unsigned char)*s) || *s == '_'))
                s++; /* a type name or a constant: skip it */
            continue;
        }
        s++;
    }
    if (u->ninit == 1)
        for (int i = 1; i < 4; i++)
            u->init[i] = u->init[0];
}

/* Finds `uniform TYPE a, b = 1.0, c[2];` and `in TYPE vUV;` at the top
 * level of the (comment-free) text. */
static void scan_declarations(struct shader *p, const char *text)
{
    char tok[64], type[64];
    const char *s = text;
    int depth = 0;
    while (next_token(&s, tok, sizeof(tok))) {
        if (tok[0] == '{' || tok[0] == '(')
            depth++;
        else if ((tok[0] == '}' || tok[0] == ')') && depth > 0)
            depth--;
        bool is_uniform = strcmp(tok, "uniform") == 0;
        if (depth > 0 || (!is_uniform && strcmp(tok, "in") != 0))
            continue;
        if (!next_token(&s, type, sizeof(type)))
            return;
        if (strcmp(type, "lowp") == 0 || strcmp(type, "mediump") == 0 ||
            strcmp(type, "highp") == 0)
            if (!next_token(&s, type, sizeof(type)))
                return;
        bool is_int = false;
        int ncomp = type_comps(type, &is_int);
        /* declarators up to ';' */
        bool want_name = true;
        int inner = 0;
        struct uniform *last = NULL;
        const char *init = NULL;
        while (next_token(&s, tok, sizeof(tok))) {
            if ((tok[0] == ';' || tok[0] == ',') && inner == 0 && init) {
                parse_init(last, init, s - 1);
                init = NULL;
            }
            if (tok[0] == ';' && inner == 0)
                break;
            if (tok[0] == '=' && inner == 0) {
                init = s;
                continue;
            }
            if (tok[0] == '(' || tok[0] == '[' || tok[0] == '{') {
                inner++;
                continue;
            }
            if (tok[0] == ')' || tok[0] == ']' || tok[0] == '}') {
                inner -= inner > 0;
                continue;
            }
            if (tok[0] == ',' && inner == 0) {
                want_name = true;
                continue;
            }
            if (!want_name || inner > 0 ||
                !(isalpha((unsigned char)tok[0]) || tok[0] == '_'))
                continue;
            want_name = false;
            last = NULL;
            int b = builtin_index(tok);
            if (b >= 0) {
                p->user_decl[b] = true;
                continue;
            }
            /* arrays are not parameters: look ahead for '[' */
            const char *look = s;
            char after[8];
            if (next_token(&look, after, sizeof(after)) && after[0] == '[')
                continue;
            if (!is_uniform || !ncomp || strlen(tok) >= 64)
                continue;
            p->uniforms = xrealloc(p->uniforms, (size_t)(p->nuniforms + 1) *
                                                    sizeof(*p->uniforms));
            struct uniform *u = &p->uniforms[p->nuniforms++];
            memset(u, 0, sizeof(*u));
            snprintf(u->name, sizeof(u->name), "%s", tok);
            u->ncomp = ncomp;
            u->is_int = is_int;
            u->slot = -1;
            u->loc = -1;
            last = u;
        }
    }
}

/* A uniform's initializer becomes its slot's values, where the network
 * has not set them. */
static void apply_init(struct op *op, const struct uniform *u)
{
    if (u->slot < 0 || !u->ninit)
        return;
    for (int c = 0; c < u->ncomp; c++) {
        char name[32];
        snprintf(name, sizeof(name), "vec%dvalue%c", u->slot, "xyzw"[c]);
        struct par *par = op_par(op, name);
        if (par->line == 0 && par->mode == PAR_MODE_CONSTANT)
            par_apply_double(op, par, u->init[c]);
    }
}

/* Slots named by the network first, then free slots in declaration
 * order; the chosen name is written into the slot's vecNname. */
static void assign_slots(struct op *op, struct glsl *p, struct shader *sh)
{
    bool taken[SLOTS] = {false};
    for (int i = 0; i < sh->nuniforms; i++)
        for (int k = 0; k < SLOTS; k++)
            if (!taken[k] && strcmp(p->vecname[k], sh->uniforms[i].name) == 0) {
                sh->uniforms[i].slot = k;
                taken[k] = true;
                break;
            }
    int unplaced = 0;
    for (int i = 0; i < sh->nuniforms; i++) {
        struct uniform *u = &sh->uniforms[i];
        if (u->slot >= 0)
            continue;
        for (int k = 0; k < SLOTS && u->slot < 0; k++) {
            if (taken[k] || *p->vecname[k])
                continue;
            char name[32];
            snprintf(name, sizeof(name), "vec%dname", k);
            par_apply_string(op, op_par(op, name), u->name);
            u->slot = k;
            taken[k] = true;
        }
        unplaced += u->slot < 0;
    }
    for (int i = 0; i < sh->nuniforms; i++)
        apply_init(op, &sh->uniforms[i]);
    for (int k = 0; k < SLOTS; k++)
        if (*p->vecname[k] && !taken[k])
            op_set_warning(op, "vec%dname: '%s' is not a uniform of %s", k,
                           p->vecname[k], sh->where);
    if (unplaced)
        op_set_warning(op, "%s declares %d more uniforms than the %d "
                       "vector slots; they stay 0", sh->where, unplaced, SLOTS);
}

static bool has_version(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    return strncmp(line, "#version", 8) == 0;
}

/* The user's text with the prelude after its #version line (or after a
 * #version of ours) and a #line that puts the rest back on its own line
 * numbers. */
static char *with_prelude(const struct shader *p, const char *text)
{
    struct strbuf sb = {0};
    const char *rest = text;
    int line = 1;
    /* keep everything up to and including a #version line at the top */
    for (const char *c = text; *c;) {
        const char *eol = strchr(c, '\n');
        size_t len = eol ? (size_t)(eol - c) : strlen(c);
        char first[16] = "";
        sscanf(c, " %15s", first);
        if (has_version(c)) {
            sb_append(&sb, c, len);
            sb_append(&sb, "\n", 1);
            rest = eol ? eol + 1 : c + len;
            line++;
            break;
        }
        bool blank = strspn(c, " \t\r") == len;
        if (!blank && strncmp(first, "//", 2) != 0)
            break;
        if (!eol)
            break;
        c = eol + 1;
        line++;
    }
    if (rest == text) {
        sb_printf(&sb, "#version 330 core\n");
        line = 1;
    }
    if (!p->user_decl[B_VUV])
        sb_printf(&sb, "in vec2 vUV;\n");
    if (!p->user_decl[B_TIME])
        sb_printf(&sb, "uniform float uTime;\n");
    if (!p->user_decl[B_RES])
        sb_printf(&sb, "uniform vec2 uResolution;\n");
    if (!p->user_decl[B_INFOS])
        sb_printf(&sb, "struct TDTexInfo { vec4 res; vec4 depth; };\n"
                       "uniform TDTexInfo uTDOutputInfo;\n");
    for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
        int n = count_kind(p->kinds, kinds[k].kind);
        sb_printf(&sb, "#define %s %d\n", kinds[k].count, n);
        if (!p->user_decl[B_INPUTS + (int)k])
            sb_printf(&sb, "uniform %s %s[%d];\n", kinds[k].type,
                      kinds[k].sampler, n > 0 ? n : 1);
        if (!p->user_decl[B_INFOS])
            sb_printf(&sb, "uniform TDTexInfo %s[%d];\n", kinds[k].info,
                      n > 0 ? n : 1);
    }
    sb_printf(&sb, "vec4 TDOutputSwizzle(vec4 c) { return c; }\n");
    sb_printf(&sb, "#line %d\n", line);
    sb_printf(&sb, "%s", rest);
    return sb_steal(&sb);
}

/* Rewrites the driver's "0:12(5): error" (Mesa) and "0(12) : error"
 * (NVIDIA) into "where:12:5: error", line by line. */
static char *relabel_log(const char *log, const char *where)
{
    struct strbuf sb = {0};
    for (const char *c = log; *c;) {
        const char *eol = strchr(c, '\n');
        size_t len = eol ? (size_t)(eol - c) : strlen(c);
        int src, line, col, used = 0;
        if (sscanf(c, "%d:%d(%d)%n", &src, &line, &col, &used) == 3 &&
            used > 0) {
            sb_printf(&sb, "%s:%d:%d", where, line, col);
        } else if (sscanf(c, "%d(%d)%n", &src, &line, &used) == 2 &&
                   used > 0) {
            sb_printf(&sb, "%s:%d", where, line);
            if (strncmp(c + used, " :", 2) == 0)
                used++;
        } else if (sscanf(c, "ERROR: %d:%d%n", &src, &line, &used) == 2 &&
                   used > 0) {
            sb_printf(&sb, "%s:%d: error", where, line);
        } else {
            used = 0;
        }
        sb_append(&sb, c + used, len - (size_t)used);
        if (!eol)
            break;
        sb_append(&sb, "\n", 1);
        c = eol + 1;
    }
    return sb_steal(&sb);
}

static void forget_shader(struct shader *sh)
{
    free(sh->text);
    free(sh->where);
    free(sh->full);
    free(sh->uniforms);
    *sh = (struct shader){0};
}

/* good becomes a copy of cur: the shader to fall back on. */
static void keep_good(struct shader *good, const struct shader *cur)
{
    if (good->full && strcmp(good->full, cur->full) == 0)
        return;
    forget_shader(good);
    *good = *cur;
    good->text = xstrdup(cur->text);
    good->where = xstrdup(cur->where);
    good->full = xstrdup(cur->full);
    size_t n = (size_t)cur->nuniforms * sizeof(*cur->uniforms);
    good->uniforms = n ? memcpy(xmalloc(n), cur->uniforms, n) : NULL;
}

/* Reads the shader's text when `file`/`pixeldat` changed (or the DAT's
 * text did). False with the op's error set when there is none. */
static bool read_shader(struct op *op, struct glsl *p)
{
    char k[MAX_INPUTS + 1] = "";
    for (size_t i = 0; i < op->ninputs && i < MAX_INPUTS; i++) {
        struct op *in = op_input(op, i);
        const struct gpu_stack *s = in ? in->top.stack : NULL;
        k[i] = !s ? '2' : s->target == GL_TEXTURE_3D ? '3' : 'a';
    }
    struct op *dat = op_par_ref(op, op_par(op, "pixeldat"));
    const char *from = *p->pixeldat ? p->pixeldat : p->file;
    uint64_t version = dat ? dat->out_version : 0;
    /* Read once per source: not every frame of a shader that uses uTime.
     * (Watching the file for changes comes with hot reload.) */
    struct shader *sh = &p->cur;
    if (sh->text && p->read_from && strcmp(p->read_from, from) == 0 &&
        p->dat_version == version && strcmp(sh->kinds, k) == 0)
        return true;
    free(p->read_from);
    p->read_from = xstrdup(from);
    p->dat_version = version;
    char *text = NULL, *where = NULL;
    if (dat) {
        text = xstrdup(dat->dat.text ? dat->dat.text : "");
        where = xstrdup(dat->path);
    } else if (*p->pixeldat) {
        op_set_error(op, "pixeldat: '%s' does not exist", p->pixeldat);
        return false;
    } else if (*p->file) {
        where = graph_resolve_file(op->graph, p->file);
        text = file_read_all(where, NULL);
        if (!text) {
            op_set_error(op, "file: cannot read '%s': %s", where,
                         file_error(errno));
            free(where);
            forget_shader(sh);
            return false;
        }
    } else {
        op_set_error(op, "no shader: set `file` or `pixeldat`");
        forget_shader(sh);
        return false;
    }
    if (sh->text && strcmp(sh->text, text) == 0 &&
        strcmp(sh->kinds, k) == 0 && strcmp(sh->where, where) == 0) {
        free(text);
        free(where);
        return true;
    }
    forget_shader(sh);
    sh->text = text;
    sh->where = where;
    memcpy(sh->kinds, k, sizeof(k));
    char *plain = strip_comments(text);
    scan_declarations(sh, plain);
    free(plain);
    sh->full = with_prelude(sh, text);
    op_clear_warning(op);
    assign_slots(op, p, sh);
    return true;
}

static GLuint link(struct shader *sh, GLuint prog)
{
    if (prog != sh->prog) {
        for (int i = 0; i < sh->nuniforms; i++)
            sh->uniforms[i].loc =
                glGetUniformLocation(prog, sh->uniforms[i].name);
        sh->uses_time = glGetUniformLocation(prog, "uTime") >= 0;
        sh->prog = prog;
    }
    return prog;
}

/* The shader to draw: the current one when it compiles (it becomes the
 * last good one), else the last good one made for the same inputs, with
 * the compile error on the op (*failed). NULL when there is neither. */
static struct shader *program(struct op *op, struct glsl *p, bool *failed)
{
    const char *err = NULL;
    struct gpu *gpu = op->graph->gpu;
    *failed = false;
    if (p->cur.full) {
        GLuint prog = gpu_program_get(gpu, p->cur.full, &err);
        if (prog) {
            link(&p->cur, prog);
            keep_good(&p->good, &p->cur);
            p->on_good = false;
            return &p->cur;
        }
        char *msg = relabel_log(err ? err : "(no message from the driver)",
                                p->cur.where);
        bool fallback = p->good.full && strcmp(p->good.kinds,
                                                p->cur.kinds) == 0;
        op_set_error(op, "shader does not compile: %s%s", msg,
                     fallback ? "\n(the last shader that compiled is "
                                "drawn until this one does)" : "");
        free(msg);
        if (!fallback)
            return NULL;
    } else if (!p->good.full) {
        return NULL;
    }
    /* No text to read now (its file gone) or it does not compile. */
    GLuint prog = gpu_program_get(gpu, p->good.full, &err);
    if (!prog)
        return NULL;
    *failed = true;
    link(&p->good, prog);
    if (!p->on_good) /* its uniforms take their slots again */
        assign_slots(op, p, &p->good);
    p->on_good = true;
    return &p->good;
}

/* Uniforms of the user's shader, by names made at run time. */
static void uniform1i(GLuint prog, const char *name, int v)
{
    GLint loc = glGetUniformLocation(prog, name);
    if (loc >= 0)
        glUniform1i(loc, v);
}

static void uniform1f(GLuint prog, const char *name, float v)
{
    GLint loc = glGetUniformLocation(prog, name);
    if (loc >= 0)
        glUniform1f(loc, v);
}

static void uniform2f(GLuint prog, const char *name, float a, float b)
{
    GLint loc = glGetUniformLocation(prog, name);
    if (loc >= 0)
        glUniform2f(loc, a, b);
}

static void uniform4f(GLuint prog, const char *name, float a, float b,
                      float c, float d)
{
    GLint loc = glGetUniformLocation(prog, name);
    if (loc >= 0)
        glUniform4f(loc, a, b, c, d);
}

static void set_uniform(const struct uniform *u, const double *v)
{
    if (u->loc < 0)
        return;
    if (u->is_int) {
        GLint i[4] = {(GLint)v[0], (GLint)v[1], (GLint)v[2], (GLint)v[3]};
        switch (u->ncomp) {
        case 1: glUniform1iv(u->loc, 1, i); break;
        case 2: glUniform2iv(u->loc, 1, i); break;
        case 3: glUniform3iv(u->loc, 1, i); break;
        default: glUniform4iv(u->loc, 1, i); break;
        }
        return;
    }
    GLfloat f[4] = {(float)v[0], (float)v[1], (float)v[2], (float)v[3]};
    switch (u->ncomp) {
    case 1: glUniform1fv(u->loc, 1, f); break;
    case 2: glUniform2fv(u->loc, 1, f); break;
    case 3: glUniform3fv(u->loc, 1, f); break;
    default: glUniform4fv(u->loc, 1, f); break;
    }
}

/* Each kind's samplers get units of their own, declared placeholders
 * included: samplers of different types must never share a unit. */
static void bind_inputs(struct op *op, const struct glsl *p,
                        const struct shader *sh, GLuint prog)
{
    int base = 0;
    char name[48];
    for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
        int n = count_kind(sh->kinds, kinds[k].kind), j = 0;
        for (size_t i = 0; sh->kinds[i]; i++) {
            if (sh->kinds[i] != kinds[k].kind)
                continue;
            struct op *in = op_input(op, i);
            const struct gpu_tex *t = in ? in->top.tex : NULL;
            if (!t)
                continue;
            if (in->top.stack)
                gpu_bind_stack(in->top.stack, base + j);
            else
                gpu_bind_input(t, base + j, top_extend_wrap[p->extend]);
            snprintf(name, sizeof(name), "%s[%d].res", kinds[k].info, j);
            uniform4f(prog, name, 1.0f / (float)t->w, 1.0f / (float)t->h,
                          (float)t->w, (float)t->h);
            if (in->top.stack) {
                float d = (float)in->top.stack->depth;
                int newest = in->top.newest_slice;
                snprintf(name, sizeof(name), "%s[%d].depth", kinds[k].info, j);
                uniform4f(prog, name, 1.0f / d, d,
                              ((float)newest + 0.5f) / d, (float)newest);
            }
            j++;
        }
        for (int i = 0; i < (n > 0 ? n : 1); i++) {
            snprintf(name, sizeof(name), "%s[%d]", kinds[k].sampler, i);
            uniform1i(prog, name, base + i);
        }
        base += n > 0 ? n : 1;
    }
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct glsl *p = op->priv;
    struct gpu_tex *out = top_output(op);
    if (!out)
        return -1;
    bool read = read_shader(op, p), failed = false;
    struct shader *sh = read || p->good.full ? program(op, p, &failed)
                                             : NULL;
    p->uses_time = sh && sh->uses_time;
    if (!sh)
        return top_black(op, out);
    gpu_target(out);
    glUseProgram(sh->prog);
    bind_inputs(op, p, sh, sh->prog);
    uniform4f(sh->prog, "uTDOutputInfo.res", 1.0f / (float)out->w,
                  1.0f / (float)out->h, (float)out->w, (float)out->h);
    uniform1f(sh->prog, "uTime", (float)ctx->seconds);
    uniform2f(sh->prog, "uResolution", (float)out->w, (float)out->h);
    for (int i = 0; i < sh->nuniforms; i++)
        if (sh->uniforms[i].slot >= 0)
            set_uniform(&sh->uniforms[i], p->vecvalue[sh->uniforms[i].slot]);
    gpu_draw_fullscreen(op->graph->gpu);
    return failed || !read ? 1 : 0;
}

static bool is_time_dependent(const struct op *op)
{
    const struct glsl *p = op->priv;
    return p->uses_time;
}

static void destroy(struct op *op)
{
    struct glsl *p = op->priv;
    forget_shader(&p->cur);
    forget_shader(&p->good);
    free(p->read_from);
}

/* A reload of the network: the new op falls back on the shader the old
 * one drew last, until its own compiles. */
static void carry(struct op *op, struct op *old)
{
    struct glsl *p = op->priv;
    const struct glsl *o = old->priv;
    if (o->good.full)
        keep_good(&p->good, &o->good);
}

static const char *check(struct op *op, char *buf, size_t n)
{
    struct glsl *p = op->priv;
    /* An expression has no value yet: cooking says when it gives none. */
    bool live = op_par(op, "file")->mode != PAR_MODE_CONSTANT ||
                op_par(op, "pixeldat")->mode != PAR_MODE_CONSTANT;
    if (!*p->file && !*p->pixeldat && !live) {
        snprintf(buf, n, "glslTOP needs `file` (a fragment shader) or "
                 "`pixeldat` (a DAT holding one)");
        return buf;
    }
    if (op->ninputs > MAX_INPUTS) {
        snprintf(buf, n, "glslTOP takes at most %d inputs", MAX_INPUTS);
        return buf;
    }
    return NULL;
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct glsl),
    {.name = "file", .label = "Pixel Shader File", .page = "GLSL",
     PARAM_FILE(struct glsl, file)},
    {.name = "pixeldat", .label = "Pixel Shader DAT", .page = "GLSL",
     .families = OP_FAMILY_BIT(OP_DAT),
     PARAM_OP(struct glsl, pixeldat)},
    {.name = "inputextenduv", .alias = "extend", .label = "Input Extend Mode UV", .page = "GLSL",
     .menu = top_extends,
     PARAM_MENU(struct glsl, extend)},
    {.name = "vec#name", .label = "Uniform Name", .page = "Vectors",
     .count = SLOTS,
     PARAM_STRING(struct glsl, vecname[0])},
    {.name = "vec#value", .label = "Value", .page = "Vectors", .size = 4,
     .suffixes = "xyzw", .count = SLOTS, .norm = {0, 1},
     PARAM_FLOAT(struct glsl, vecvalue[0][0])},
    {0},
};

const struct op_type op_top_glsl = {
    .name = "glsl",
    .optype = "glslTOP",
    .label = "GLSL",
    .about = "a fragment shader from `file` or the DAT in `pixeldat`; its "
             "uniforms become the Vectors page (docs/network-format.md)",
    .family = OP_TOP,
    .min_inputs = 0,
    .max_inputs = -1,
    .pars = pars,
    .priv_size = sizeof(struct glsl),
    .check = check,
    .destroy = destroy,
    .carry = carry,
    .cook = cook,
    .is_time_dependent = is_time_dependent,
};
