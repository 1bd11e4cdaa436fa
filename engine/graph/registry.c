#include "registry.h"

#include <string.h>

#include "../base/util.h"

extern const struct op_type op_comp_base;
extern const struct op_type op_chop_constant;
extern const struct op_type op_chop_filter;
extern const struct op_type op_chop_lag;
extern const struct op_type op_chop_lfo;
extern const struct op_type op_chop_math;
extern const struct op_type op_chop_merge;
extern const struct op_type op_chop_midiin;
extern const struct op_type op_chop_midiout;
extern const struct op_type op_chop_noise;
extern const struct op_type op_chop_oscin;
extern const struct op_type op_chop_oscout;
extern const struct op_type op_chop_null;
extern const struct op_type op_chop_select;
extern const struct op_type op_chop_script;
extern const struct op_type op_chop_timer;
extern const struct op_type op_dat_chopexec;
extern const struct op_type op_dat_execute;
extern const struct op_type op_dat_oscin;
extern const struct op_type op_dat_oscout;
extern const struct op_type op_dat_parexec;
extern const struct op_type op_dat_table;
extern const struct op_type op_dat_text;
extern const struct op_type op_top_blur;
extern const struct op_type op_top_composite;
extern const struct op_type op_top_constant;
extern const struct op_type op_top_crop;
extern const struct op_type op_top_feedback;
extern const struct op_type op_top_glsl;
extern const struct op_type op_top_hsvadjust;
extern const struct op_type op_top_level;
extern const struct op_type op_top_noise;
extern const struct op_type op_top_null;
extern const struct op_type op_top_out;
extern const struct op_type op_top_ramp;
extern const struct op_type op_top_resolution;
extern const struct op_type op_top_script;
extern const struct op_type op_top_select;
extern const struct op_type op_top_texture3d;
extern const struct op_type op_top_transform;

static const struct op_type *const types[] = {
    &op_chop_constant, &op_chop_filter, &op_chop_lag,    &op_chop_lfo,
    &op_chop_math,     &op_chop_merge,  &op_chop_noise,  &op_chop_null,
    &op_chop_midiin,   &op_chop_midiout, &op_chop_oscin, &op_chop_oscout,
    &op_chop_script,   &op_chop_select, &op_chop_timer,  &op_dat_chopexec,
    &op_dat_execute,   &op_dat_oscin,   &op_dat_oscout,
    &op_dat_parexec, &op_dat_table,   &op_dat_text,
    &op_comp_base,
    &op_top_blur,
    &op_top_composite,
    &op_top_constant,
    &op_top_crop,
    &op_top_feedback,
    &op_top_glsl,
    &op_top_hsvadjust,
    &op_top_level,
    &op_top_noise,
    &op_top_null,
    &op_top_out,
    &op_top_ramp,
    &op_top_resolution,
    &op_top_script,
    &op_top_select,
    &op_top_texture3d,
    &op_top_transform,
};

const struct op_type *registry_find(const char *optype)
{
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        if (strcmp(types[i]->optype, optype) == 0)
            return types[i];
    return NULL;
}

const char *registry_suggest(const char *optype)
{
    const char *names[ARRAY_LEN(types)];
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        names[i] = types[i]->optype;
    return str_nearest(optype, names, ARRAY_LEN(types));
}

const struct op_type *const *registry_all(size_t *count)
{
    *count = ARRAY_LEN(types);
    return types;
}
