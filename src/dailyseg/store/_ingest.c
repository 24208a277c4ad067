/* The store's compiled ingest step: a filing's amounts turned into what the store writes (packed.py) and into
 * the two parts of the content hash's canonical JSON that the amounts make, in one call (`packed`).
 *
 * `packed(entries, statements, known, code_limit)` gives what `dailyseg.store.ingest.prepare` works out in Python
 * for the same filing: the lines text (`packed.lines_text`: each amount's code, statement and label, the label
 * "" for a code in `known`), the cents (`packed.cents_bytes`: signed 64-bit little-endian), the text of the
 * JSON object of statements (`content_hash.statements_text`) and of the labels (`content_hash.labels_text`).
 * It covers the common filing only: every amount written by `str` as
 * `-?[0-9]+(\.[0-9]{1,2})?` with at most 18 digits (so its cents fit a BIGINT), ASCII codes, statements and
 * labels, codes within `code_limit`, every entry's statement among `statements`. For anything else (an exponent,
 * a fraction of a cent, text JSON must escape outside ASCII, a filing the store refuses) it returns None and
 * the caller takes the Python path, which is the definition and words any refusal; tests/store/test_compiled_ingest.py
 * holds the two to the same bytes and hashes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>

#include "../_entry_slots.h"

static PyObject *name_statement, *name_ref, *name_amount, *name_label, *empty_text;

/* A growing byte buffer for the JSON text. */
typedef struct {
    char *data;
    Py_ssize_t length, capacity;
} Buffer;

static int reserve(Buffer *b, Py_ssize_t more) {
    if (b->length + more <= b->capacity) return 0;
    Py_ssize_t capacity = b->capacity ? b->capacity : 4096;
    while (capacity < b->length + more) capacity *= 2;
    char *data = PyMem_Realloc(b->data, (size_t)capacity);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->capacity = capacity;
    return 0;
}

static int put(Buffer *b, const char *s, Py_ssize_t n) {
    if (reserve(b, n) < 0) return -1;
    memcpy(b->data + b->length, s, (size_t)n);
    b->length += n;
    return 0;
}

/* `json.encoder.encode_basestring` of ASCII text: quoted, with `"`, `\` and control characters escaped. */
static int put_string(Buffer *b, const char *s, Py_ssize_t n) {
    static const char hex[] = "0123456789abcdef";
    Py_ssize_t i;
    if (reserve(b, 6 * n + 2) < 0) return -1;
    b->data[b->length++] = '"';
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char *out = b->data + b->length;
        if (c >= 0x20 && c != '"' && c != '\\') {
            *out = (char)c;
            b->length++;
            continue;
        }
        out[0] = '\\';
        switch (c) {
        case '"': out[1] = '"'; break;
        case '\\': out[1] = '\\'; break;
        case '\n': out[1] = 'n'; break;
        case '\r': out[1] = 'r'; break;
        case '\t': out[1] = 't'; break;
        case '\b': out[1] = 'b'; break;
        case '\f': out[1] = 'f'; break;
        default:
            memcpy(out + 1, "u00", 3);
            out[4] = hex[c >> 4];
            out[5] = hex[c & 15];
            b->length += 6;
            continue;
        }
        b->length += 2;
    }
    b->data[b->length++] = '"';
    return 0;
}

/* The UTF-8 (here ASCII) bytes of a str, borrowed from it; NULL when it is not ASCII text (no error set). */
static const char *ascii_of(PyObject *text, Py_ssize_t *n) {
    if (!PyUnicode_Check(text) || !PyUnicode_IS_ASCII(text)) return NULL;
    *n = PyUnicode_GET_LENGTH(text);
    return (const char *)PyUnicode_DATA(text);
}

typedef struct {
    const char *text;
    Py_ssize_t length;
} Span;

/* Python's order of two ASCII strs (by code point, a prefix first), which is the order of their bytes. */
static int compare_spans(Span a, Span b) {
    int found = memcmp(a.text, b.text, (size_t)(a.length < b.length ? a.length : b.length));
    if (found != 0) return found;
    return a.length < b.length ? -1 : a.length > b.length;
}

/* One amount: its statement's place in the sorted statements, code, statement, amount text, label and cents. */
typedef struct {
    Py_ssize_t rank;
    Span code, statement, text, label;
    long long cents;
} Item;

static int by_statement_and_code(const void *left, const void *right) {
    const Item *a = left, *b = right;
    int found;
    if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
    found = compare_spans(a->code, b->code);
    return found != 0 ? found : compare_spans(a->text, b->text);
}

static int by_code_and_label(const void *left, const void *right) {
    const Item *a = *(const Item *const *)left, *b = *(const Item *const *)right;
    int found = compare_spans(a->code, b->code);
    return found != 0 ? found : compare_spans(a->label, b->label);
}

static int by_span(const void *left, const void *right) { return compare_spans(*(const Span *)left, *(const Span *)right); }

/* The cents of an amount's `str` when it reads as `-?[0-9]+(\.[0-9]{1,2})?` with at most 18 digits; 0 if not. */
static int cents_of(const char *s, Py_ssize_t n, long long *cents) {
    Py_ssize_t i = 0, fraction = -1, digits = 0;
    int negative = n > 0 && s[0] == '-';
    long long value = 0;
    for (i = negative; i < n; i++) {
        if (s[i] == '.' && fraction < 0 && digits > 0) {
            fraction = 0;
            continue;
        }
        if (s[i] < '0' || s[i] > '9' || ++digits > 18) return 0;
        value = value * 10 + (s[i] - '0');
        if (fraction >= 0) fraction++;
    }
    if (digits == 0 || fraction == 0 || fraction > 2) return 0;
    for (fraction = fraction < 0 ? 0 : fraction; fraction < 2; fraction++) {
        if (++digits > 18) return 0; /* the cents' digits: at most 18 fit a BIGINT whatever they are */
        value *= 10;
    }
    *cents = negative ? -value : value;
    return 1;
}

/* The JSON object members of the statements, each with its amounts by code: `content_hash.statements_text`. */
static int put_statements(Buffer *b, const Span *statements, Py_ssize_t count, Item *items, Py_ssize_t n) {
    Py_ssize_t s, i = 0;
    qsort(items, (size_t)n, sizeof(Item), by_statement_and_code);
    for (s = 0; s < count; s++) {
        int first = 1;
        if ((s > 0 && put(b, ",", 1) < 0) || put_string(b, statements[s].text, statements[s].length) < 0 || put(b, ":{", 2) < 0) return -1;
        for (; i < n && items[i].rank == s; i++, first = 0) {
            if ((!first && put(b, ",", 1) < 0) || put_string(b, items[i].code.text, items[i].code.length) < 0 || put(b, ":\"", 2) < 0 ||
                put(b, items[i].text.text, items[i].text.length) < 0 || put(b, "\"", 1) < 0)
                return -1;
        }
        if (put(b, "}", 1) < 0) return -1;
    }
    return 0;
}

/* The JSON object members of the labels of codes the catalogue does not know: `content_hash.labels_text`. */
static int put_labels(Buffer *b, Item *items, Py_ssize_t n) {
    Py_ssize_t i, count = 0;
    Item **labelled = PyMem_Malloc(sizeof(Item *) * (size_t)(n ? n : 1));
    int status = 0;
    if (labelled == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (items[i].label.length > 0) labelled[count++] = &items[i];
    }
    qsort(labelled, (size_t)count, sizeof(Item *), by_code_and_label);
    for (i = 0; i < count && status == 0; i++) {
        status = (i > 0 && put(b, ",", 1) < 0) || put_string(b, labelled[i]->code.text, labelled[i]->code.length) < 0 || put(b, ":", 1) < 0 ||
                         put_string(b, labelled[i]->label.text, labelled[i]->label.length) < 0
                     ? -1
                     : 0;
    }
    PyMem_Free(labelled);
    return status;
}

static PyObject *text_of(Buffer *b) {
    PyObject *text = PyUnicode_New(b->length, 127);
    if (text != NULL) memcpy(PyUnicode_DATA(text), b->data, (size_t)b->length);
    b->length = 0;
    return text;
}

/* The Entry class last seen, and where it keeps statement, ref, amount and label (`entry_field_offsets`). */
static PyTypeObject *entry_type;
static Py_ssize_t entry_offsets[4];

/* Field `k` of `entry` (a new reference), from its slot where its class has one that is set, else by the
 * attribute protocol (which raises as Python would for a field not set). */
static PyObject *field_of(PyObject *entry, int k, PyObject *name) {
    if (Py_TYPE(entry) != entry_type) {
        PyObject *const names[4] = {name_statement, name_ref, name_amount, name_label};
        entry_field_offsets((PyObject *)Py_TYPE(entry), names, entry_offsets);
        Py_XSETREF(entry_type, (PyTypeObject *)Py_NewRef(Py_TYPE(entry))); /* held, so no other class takes its address */
    }
    if (entry_offsets[k] >= 0) {
        PyObject *value = *(PyObject **)((char *)entry + entry_offsets[k]);
        if (value != NULL) return Py_NewRef(value);
    }
    return PyObject_GetAttr(entry, name);
}

/* What one entry gives: its item, 1; 0 when the Python path must take the filing, -1 on an error. The texts
 * the item points into are kept alive by the caller: `amount_text` (a new reference) and `held`, the entry's
 * statement, code and label (new references). */
static int read_entry(PyObject *entry, const Span *statements, Py_ssize_t count, PyObject *known, Py_ssize_t code_limit, Item *item, PyObject **amount_text, PyObject **held) {
    PyObject *ref = NULL, *statement = NULL, *amount = NULL, *label = NULL;
    Span stated;
    int status = -1, is_known;
    Py_ssize_t s;
    *amount_text = NULL;
    if ((ref = field_of(entry, 1, name_ref)) == NULL || (statement = field_of(entry, 0, name_statement)) == NULL ||
        (amount = field_of(entry, 2, name_amount)) == NULL || (*amount_text = PyObject_Str(amount)) == NULL)
        goto done;
    status = 0;
    if ((item->text.text = ascii_of(*amount_text, &item->text.length)) == NULL || !cents_of(item->text.text, item->text.length, &item->cents)) goto done;
    if ((item->code.text = ascii_of(ref, &item->code.length)) == NULL || item->code.length > code_limit) goto done;
    if ((stated.text = ascii_of(statement, &stated.length)) == NULL) goto done;
    for (s = 0; s < count && compare_spans(statements[s], stated) != 0; s++) {
    }
    if (s == count) goto done;
    item->rank = s;
    item->statement = stated;
    if ((is_known = PySet_Contains(known, ref)) < 0) {
        status = -1;
        goto done;
    }
    if (is_known) {
        label = Py_NewRef(empty_text);
    } else if ((label = field_of(entry, 3, name_label)) == NULL) {
        status = -1;
        goto done;
    }
    item->label.length = 0;
    if (!is_known && (item->label.text = ascii_of(label, &item->label.length)) == NULL) goto done;
    status = 1;
done:
    held[0] = ref;
    held[1] = statement;
    held[2] = label;
    Py_XDECREF(amount);
    return status;
}

/* `packed.lines_text`: `[[code,statement,label],...]`, compact. */
static int put_lines(Buffer *b, Item *items, Py_ssize_t n) {
    Py_ssize_t i;
    if (put(b, "[", 1) < 0) return -1;
    for (i = 0; i < n; i++) {
        if ((i > 0 && put(b, ",", 1) < 0) || put(b, "[", 1) < 0 || put_string(b, items[i].code.text, items[i].code.length) < 0 || put(b, ",", 1) < 0 ||
            put_string(b, items[i].statement.text, items[i].statement.length) < 0 || put(b, ",", 1) < 0 ||
            put_string(b, items[i].label.text, items[i].label.length) < 0 || put(b, "]", 1) < 0)
            return -1;
    }
    return put(b, "]", 1);
}

/* `packed.cents_bytes`: each amount's cents as a signed 64-bit little-endian integer. */
static PyObject *cents_bytes(Item *items, Py_ssize_t n) {
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, 8 * n);
    unsigned char *out;
    Py_ssize_t i;
    int k;
    if (bytes == NULL) return NULL;
    out = (unsigned char *)PyBytes_AS_STRING(bytes);
    for (i = 0; i < n; i++) {
        unsigned long long value = (unsigned long long)items[i].cents;
        for (k = 0; k < 8; k++) out[8 * i + k] = (unsigned char)(value >> (8 * k));
    }
    return bytes;
}

static PyObject *packed(PyObject *module, PyObject *args) {
    PyObject *entries, *statement_tuple, *known, *result = NULL, *statements_text = NULL, *labels_text = NULL, *lines_text = NULL, *cents = NULL;
    PyObject **texts = NULL, **held = NULL;
    Py_ssize_t code_limit, n, count, i, s;
    Span *statements = NULL;
    Item *items = NULL;
    Buffer buffer = {NULL, 0, 0};
    int status = 1;
    if (!PyArg_ParseTuple(args, "O!O!O!n:packed", &PyTuple_Type, &entries, &PyTuple_Type, &statement_tuple, &PyFrozenSet_Type, &known, &code_limit))
        return NULL;
    n = PyTuple_GET_SIZE(entries);
    count = PyTuple_GET_SIZE(statement_tuple);
    statements = PyMem_Malloc(sizeof(Span) * (size_t)(count ? count : 1));
    items = PyMem_Malloc(sizeof(Item) * (size_t)(n ? n : 1));
    texts = PyMem_Calloc((size_t)(n ? n : 1), sizeof(PyObject *));
    held = PyMem_Calloc((size_t)(n ? 3 * n : 1), sizeof(PyObject *));
    if (statements == NULL || items == NULL || texts == NULL || held == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* The statements in sorted order, each entry ranked by its place among them. */
    for (s = 0; s < count; s++) {
        if ((statements[s].text = ascii_of(PyTuple_GET_ITEM(statement_tuple, s), &statements[s].length)) == NULL) {
            result = Py_NewRef(Py_None);
            goto done;
        }
    }
    qsort(statements, (size_t)count, sizeof(Span), by_span);
    for (s = 1; s < count; s++) {
        if (compare_spans(statements[s - 1], statements[s]) == 0) { /* a statement twice: a dict would keep it once */
            result = Py_NewRef(Py_None);
            goto done;
        }
    }
    for (i = 0; i < n && status == 1; i++) {
        status = read_entry(PyTuple_GET_ITEM(entries, i), statements, count, known, code_limit, &items[i], &texts[i], &held[3 * i]);
    }
    if (status < 0) goto done;
    if (status == 0) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    if (put_labels(&buffer, items, n) < 0 || (labels_text = text_of(&buffer)) == NULL) goto done;
    if (put_lines(&buffer, items, n) < 0 || (lines_text = text_of(&buffer)) == NULL) goto done;
    if ((cents = cents_bytes(items, n)) == NULL) goto done;
    /* The content hash's parts last: sorting the items reorders them. */
    if (put_statements(&buffer, statements, count, items, n) < 0 || (statements_text = text_of(&buffer)) == NULL) goto done;
    result = PyTuple_Pack(4, lines_text, cents, statements_text, labels_text);
done:
    if (texts != NULL) {
        for (i = 0; i < n; i++) Py_XDECREF(texts[i]);
    }
    if (held != NULL) {
        for (i = 0; i < 3 * n; i++) Py_XDECREF(held[i]);
    }
    Py_XDECREF(lines_text);
    Py_XDECREF(cents);
    Py_XDECREF(statements_text);
    Py_XDECREF(labels_text);
    PyMem_Free(statements);
    PyMem_Free(items);
    PyMem_Free(texts);
    PyMem_Free(held);
    PyMem_Free(buffer.data);
    return result;
}

static PyMethodDef methods[] = {
    {"packed", packed, METH_VARARGS, "A filing's lines text and cents as stored and the statements' and labels' JSON text, or None where Python must work them out."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "dailyseg.store._ingest", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__ingest(void) {
    name_statement = PyUnicode_InternFromString("statement");
    name_ref = PyUnicode_InternFromString("ref");
    name_amount = PyUnicode_InternFromString("amount");
    name_label = PyUnicode_InternFromString("label");
    empty_text = PyUnicode_FromString("");
    if (name_statement == NULL || name_ref == NULL || name_amount == NULL || name_label == NULL || empty_text == NULL) return NULL;
    return PyModule_Create(&module);
}
