/* The compiled statement-text scanner: the tokens of `dailyseg.parse.tokens.TOKEN` for an ASCII line.
 *
 * `scan(text)` returns the list `dailyseg.parse.tokens.scan_pure(text)` returns, built by hand instead of by
 * CPython's `re`, whose engine spends most of the reader's time trying the pattern at every position of a
 * label. The pattern is small and its backtracking is shallow, so it is followed here step by step, each step
 * commented with the part of the pattern it stands for; where the pattern's behaviour would need a real search
 * (text that is not ASCII, where `\d`, `\w` and `\s` take Unicode classes, and a run glued to the `]` of a
 * pair, whose piece end may make the run backtrack), `scan` returns None and the caller uses the pattern.
 * tests/test_compiled_reader.py holds the two to the same tokens over generated lines and documents.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* `\s` of a str pattern over ASCII: str.isspace(). */
static int is_space(Py_UCS1 c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }
static int is_digit(Py_UCS1 c) { return c >= '0' && c <= '9'; }
static int is_word(Py_UCS1 c) { return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static int is_letter_marker(Py_UCS1 c) { return c >= 'A' && c <= 'E'; }

/* Characters past the end read as NUL, which no test below accepts. */
#define AT(i) ((i) < n ? s[(i)] : 0)

/* `(?:[0-9]{1,2}|[A-E])\.` at i followed by `\s`: the end of the marker, or -1. */
static Py_ssize_t marker_at(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t i, int *digits) {
    *digits = 0;
    if (is_digit(AT(i))) {
        if (is_digit(AT(i + 1)) && AT(i + 2) == '.' && is_space(AT(i + 3))) {
            *digits = 2;
            return i + 3;
        }
        if (AT(i + 1) == '.' && is_space(AT(i + 2))) {
            *digits = 1;
            return i + 2;
        }
        return -1;
    }
    if (is_letter_marker(AT(i)) && AT(i + 1) == '.' && is_space(AT(i + 2))) return i + 2;
    return -1;
}

/* One `_AMOUNT` at i, its greedy end (or -1); `point` is where its fraction starts (-1 when it has none), the
 * end the pattern backtracks to when the greedy one fails the lookahead after a later amount. */
static Py_ssize_t amount_at(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t i, Py_ssize_t *point) {
    Py_ssize_t q = i;
    int paren = AT(q) == '(';
    *point = -1;
    if (paren) {
        q++;  /* \( */
    } else if (AT(q) == '-' || AT(q) == '+') {
        q++;  /* [-+]? */
    }
    if (AT(q) == '$') q++;  /* \$? */
    if (!is_digit(AT(q))) return -1;  /* [0-9] */
    q++;
    while (is_digit(AT(q)) || AT(q) == ',') q++;  /* [0-9,]* */
    if (AT(q) == '.' && is_digit(AT(q + 1))) {  /* (?:\.[0-9]+)? */
        *point = q;
        q += 2;
        while (is_digit(AT(q))) q++;
    }
    if (paren) {
        /* \): a shorter run or fraction leaves a digit, a comma or the point before it, never ")". */
        if (AT(q) != ')') return -1;
        *point = -1;
        return q + 1;
    }
    return q;
}

/* `(?![0-9,]|\.\s)` at e. */
static int amount_stops(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t e) {
    Py_UCS1 c = AT(e);
    return !(is_digit(c) || c == ',' || (c == '.' && is_space(AT(e + 1))));
}

/* `_PIECE_END` at q: `(?=\s*$|\s+(?:[0-9]{1,2}|[A-E])\.\s)`. */
static int piece_ends(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t q) {
    Py_ssize_t r = q;
    int digits;
    while (r < n && is_space(s[r])) r++;
    if (r == n) return 1;
    return r > q && marker_at(s, n, r, &digits) >= 0;
}

static PyObject *text_of(const Py_UCS1 *s, Py_ssize_t start, Py_ssize_t end) {
    return PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, s + start, end - start);
}

/* The token tuple (start, end, number, letter, run, code, end, glued, code_start); NULL with an error set. */
static PyObject *token(const Py_UCS1 *s, Py_ssize_t start, Py_ssize_t end, Py_ssize_t number_end, Py_ssize_t letter,
                       Py_ssize_t run_end, Py_ssize_t code_start, Py_ssize_t code_end, int piece_end) {
    PyObject *items[9] = {NULL};
    PyObject *tuple = NULL;
    int k;
    items[0] = PyLong_FromSsize_t(start);
    items[1] = PyLong_FromSsize_t(end);
    items[2] = number_end >= 0 ? text_of(s, start, number_end) : Py_NewRef(Py_None);
    items[3] = letter >= 0 ? text_of(s, start, start + 1) : Py_NewRef(Py_None);
    items[4] = run_end >= 0 ? text_of(s, start, run_end) : Py_NewRef(Py_None);
    items[5] = code_start >= 0 ? text_of(s, code_start, code_end) : Py_NewRef(Py_None);
    items[6] = PyBool_FromLong(piece_end);
    items[7] = Py_NewRef(Py_None);  /* glued runs are left to the pattern */
    items[8] = PyLong_FromSsize_t(code_start);
    for (k = 0; k < 9; k++) {
        if (items[k] == NULL) goto done;
    }
    tuple = PyTuple_New(9);
    if (tuple == NULL) goto done;
    for (k = 0; k < 9; k++) {
        PyTuple_SET_ITEM(tuple, k, items[k]);
        items[k] = NULL;
    }
done:
    for (k = 0; k < 9; k++) Py_XDECREF(items[k]);
    return tuple;
}

static PyObject *scan(PyObject *module, PyObject *arg) {
    const Py_UCS1 *s;
    Py_ssize_t n, p = 0;
    PyObject *tokens;
    (void)module;
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "scan() takes a str, not %.80s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(arg)) Py_RETURN_NONE;  /* Unicode classes: the pattern's work */
    s = PyUnicode_1BYTE_DATA(arg);
    n = PyUnicode_GET_LENGTH(arg);
    tokens = PyList_New(0);
    if (tokens == NULL) return NULL;
    while (p < n) {
        Py_UCS1 c = s[p], before = p > 0 ? s[p - 1] : 0;
        Py_ssize_t end, point, stop = -1;
        int digits;
        PyObject *found = NULL;
        /* (?=[\d(+$A-E-]) */
        if (!(is_digit(c) || c == '(' || c == '+' || c == '$' || c == '-' || is_letter_marker(c))) {
            p++;
            continue;
        }
        /* _MARKER: (?<!\S)(?:(?P<line>[0-9]{1,2})|(?P<letter>[A-E]))\.(?=\s) */
        if ((p == 0 || is_space(before)) && (end = marker_at(s, n, p, &digits)) >= 0) {
            found = token(s, p, end, digits ? p + digits : -1, digits ? -1 : p, -1, -1, -1, 0);
            stop = end;
        }
        /* (?<![\w.,)\](])(?P<amounts>_AMOUNTS)(?:[ \t]*\[(?P<code>[0-9]{3,5})\]|(?P<end>)_PIECE_END)? */
        else if (!(p > 0 && (is_word(before) || before == '.' || before == ',' || before == ')' || before == ']' ||
                             before == '(')) &&
                 (end = amount_at(s, n, p, &point)) >= 0) {
            int count;
            Py_ssize_t r, digits_end;
            for (count = 0; count < 7; count++) {  /* (?:[ \t]+_AMOUNT(?![0-9,]|\.\s)){0,7} */
                Py_ssize_t next, next_point;
                r = end;
                while (AT(r) == ' ' || AT(r) == '\t') r++;
                if (r == end || (next = amount_at(s, n, r, &next_point)) < 0) break;
                if (!amount_stops(s, n, next)) {
                    /* Backtracking: a shorter fraction or run leaves a digit or comma next; without its
                     * fraction the amount ends at a point followed by a digit, which stops it. */
                    if (next_point < 0) break;
                    next = next_point;
                }
                end = next;
            }
            r = end;
            while (AT(r) == ' ' || AT(r) == '\t') r++;
            digits_end = r + 1;
            while (is_digit(AT(digits_end))) digits_end++;
            if (AT(r) == '[' && digits_end - r - 1 >= 3 && digits_end - r - 1 <= 5 && AT(digits_end) == ']') {
                stop = digits_end + 1;
                found = token(s, p, stop, -1, -1, end, r + 1, digits_end, 0);
            } else {
                stop = end;
                found = token(s, p, stop, -1, -1, end, -1, -1, piece_ends(s, n, end));
            }
        }
        /* (?<=[0-9]\])(?P<glued>_AMOUNTS)_PIECE_END: may backtrack into the run; the pattern's to read. */
        else if (p >= 2 && before == ']' && is_digit(s[p - 2]) && !is_letter_marker(c)) {
            Py_DECREF(tokens);
            Py_RETURN_NONE;
        } else {
            p++;
            continue;
        }
        if (found == NULL || PyList_Append(tokens, found) < 0) {
            Py_XDECREF(found);
            Py_DECREF(tokens);
            return NULL;
        }
        Py_DECREF(found);
        p = stop;
    }
    return tokens;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_O, "The tokens of an ASCII line of statement text, or None where the pattern must read it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "dailyseg.parse._tokens", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__tokens(void) { return PyModule_Create(&module); }
