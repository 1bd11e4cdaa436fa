/* module.h: what the files of `_vitrine` share (needs Python.h first).
 * Each file holds one concern (module_op.c, module_par.c, module_chop.c,
 * module_dat.c, module_top.c, module_cuda.c, module_osc.c) and hands
 * module.c its table of functions and its types. */
#ifndef VITRINE_MODULE_H
#define VITRINE_MODULE_H

#include "../graph/graph.h"
#include "py_internal.h"

/* C text as a str: never fails on bytes that are not UTF-8 (each
 * becomes U+FFFD), so that no element of a tuple or list is left NULL. */
PyObject *py_str(const char *s);
/* The op of this id, or NULL with a ReferenceError set. */
struct op *py_op(unsigned id);
/* An op whose data is about to be read: cooked first if it must, as
 * TouchDesigner cooks an op whose data is asked for. */
struct op *py_op_cooked(unsigned id);
/* The same for an op of this family (TypeError otherwise). */
struct op *py_op_family(unsigned id, enum op_family f);
PyObject *py_id_list(struct op **ops, size_t n);
/* A TOP's image, or NULL with an error naming why it has none. */
struct gpu_tex *py_top_image(struct op *op);

/* Set by td (set_hooks): td._find_call(base id, args), td._value(v) and
 * td.Channel, which the fast paths hand the uncommon cases to. */
extern PyObject *py_hook_find, *py_hook_value;
extern PyTypeObject *py_channel_type;

extern PyMethodDef py_op_methods[], py_osc_methods[], py_par_methods[],
    py_chop_methods[], py_dat_methods[], py_top_methods[],
    py_cuda_methods[];
extern PyTypeObject py_finder_type, py_pars_type, py_channel_base_type,
    py_chop_base_type, py_cell_base_type, py_dat_base_type;

#endif
