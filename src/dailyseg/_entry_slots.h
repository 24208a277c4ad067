/* Where `dailyseg.filing.Entry` keeps its fields, shared by the compiled reader (which writes them) and the
 * store's compiled ingest step (which reads them): for a class made with `@dataclass(slots=True)` a field is a
 * member descriptor of an object slot, and going straight to the slot skips an attribute lookup per field. */
#ifndef DAILYSEG_ENTRY_SLOTS_H
#define DAILYSEG_ENTRY_SLOTS_H

#include <Python.h>
#include <structmember.h>

/* The offset of each of `names`'s slot in instances of `type`, or -1 where the field is no writable object
 * slot (an attribute of the instance's dict, or anything else: then the attribute protocol is used). */
static void entry_field_offsets(PyObject *type, PyObject *const names[4], Py_ssize_t offsets[4]) {
    int k;
    for (k = 0; k < 4; k++) {
        PyObject *field = PyObject_GetAttr(type, names[k]);
        PyMemberDef *member;
        offsets[k] = -1;
        if (field == NULL) {
            PyErr_Clear();
            continue;
        }
        member = Py_IS_TYPE(field, &PyMemberDescr_Type) ? ((PyMemberDescrObject *)field)->d_member : NULL;
        if (member != NULL && member->type == T_OBJECT_EX && !(member->flags & READONLY)) offsets[k] = member->offset;
        Py_DECREF(field);
    }
}

#endif
