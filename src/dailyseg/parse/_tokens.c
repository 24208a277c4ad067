/* The reader's compiled parts: the statement-text scanner (`scan`, the tokens of `dailyseg.parse.tokens.TOKEN`
 * for an ASCII line) and, below it, the plain-document reader (`read_plain`) built on it.
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
#include <structmember.h>

#include "../_entry_slots.h"

/* `\s` of a str pattern over ASCII: str.isspace(). */
static int is_space(Py_UCS1 c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }
static int is_digit(Py_UCS1 c) { return c >= '0' && c <= '9'; }
static int is_word(Py_UCS1 c) { return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static int is_letter_marker(Py_UCS1 c) { return c >= 'A' && c <= 'E'; }

/* What a byte asks of the passes below, by bit (one table look-up a byte instead of a test for each). */
enum {
    CONTROL = 1, AMPERSAND = 2, TAG = 4, STAR = 8, LETTER_D = 16, LETTER_W = 32, COLON = 64, DASH = 128, RETURN = 256,
    TOKEN_START = 512 /* `[\d(+$A-E-]`, where a token may start */
};
static unsigned short classes[256];

static void classes_init(void) {
    int c;
    for (c = 0; c < 0x20; c++) classes[c] = CONTROL; /* line breaks of `splitlines` other than \n and \r among them */
    classes['\t'] = classes['\n'] = classes['\r'] = 0;
    classes['&'] = AMPERSAND;
    classes['<'] = TAG;
    classes['*'] = STAR;
    classes['d'] = classes['D'] = LETTER_D;
    classes['w'] = classes['W'] = LETTER_W;
    classes[':'] = COLON;
    classes['-'] = DASH;
    classes['\r'] = RETURN;
    for (c = 0; c < 256; c++) {
        if (is_digit((Py_UCS1)c) || c == '(' || c == '+' || c == '$' || c == '-' || is_letter_marker((Py_UCS1)c)) classes[c] |= TOKEN_START;
    }
}

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

/* One token of the pattern, as positions in the line (-1 where a group did not take part). */
typedef struct {
    Py_ssize_t start, stop, number_end, letter, run_end, code_start, code_end;
    int piece_end;
} Token;

/* The next token from *p on: 1 with `t` filled and *p past it, 0 at the end of the line, -1 where the line must
 * go to the pattern (a run glued to the `]` of a pair). */
static int next_token(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t *p, Token *t) {
    while (*p < n) {
        Py_ssize_t at = *p, end, point;
        Py_UCS1 c, before;
        int digits;
        /* (?=[\d(+$A-E-]): most of a line is label text, skipped here at one look-up a byte */
        while (at < n && !(classes[s[at]] & TOKEN_START)) at++;
        *p = at;
        if (at == n) break;
        c = s[at];
        before = at > 0 ? s[at - 1] : 0;
        t->start = at;
        t->number_end = t->letter = t->run_end = t->code_start = t->code_end = -1;
        t->piece_end = 0;
        /* _MARKER: (?<!\S)(?:(?P<line>[0-9]{1,2})|(?P<letter>[A-E]))\.(?=\s) */
        if ((at == 0 || is_space(before)) && (end = marker_at(s, n, at, &digits)) >= 0) {
            if (digits) {
                t->number_end = at + digits;
            } else {
                t->letter = at;
            }
            t->stop = *p = end;
            return 1;
        }
        /* (?<![\w.,)\](])(?P<amounts>_AMOUNTS)(?:[ \t]*\[(?P<code>[0-9]{3,5})\]|(?P<end>)_PIECE_END)? */
        if (!(at > 0 && (is_word(before) || before == '.' || before == ',' || before == ')' || before == ']' || before == '(')) &&
            (end = amount_at(s, n, at, &point)) >= 0) {
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
            t->run_end = end;
            r = end;
            while (AT(r) == ' ' || AT(r) == '\t') r++;
            digits_end = r + 1;
            while (is_digit(AT(digits_end))) digits_end++;
            if (AT(r) == '[' && digits_end - r - 1 >= 3 && digits_end - r - 1 <= 5 && AT(digits_end) == ']') {
                t->code_start = r + 1;
                t->code_end = digits_end;
                t->stop = digits_end + 1;
            } else {
                t->stop = end;
                t->piece_end = piece_ends(s, n, end);
            }
            *p = t->stop;
            return 1;
        }
        /* (?<=[0-9]\])(?P<glued>_AMOUNTS)_PIECE_END: may backtrack into the run; the pattern's to read. */
        if (at >= 2 && before == ']' && is_digit(s[at - 2]) && !is_letter_marker(c)) return -1;
        (*p)++;
    }
    return 0;
}

static PyObject *scan(PyObject *module, PyObject *arg) {
    const Py_UCS1 *s;
    Py_ssize_t n, p = 0;
    PyObject *tokens;
    Token t;
    int found;
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
    while ((found = next_token(s, n, &p, &t)) == 1) {
        PyObject *item = token(s, t.start, t.stop, t.number_end, t.letter, t.run_end, t.code_start, t.code_end, t.piece_end);
        if (item == NULL || PyList_Append(tokens, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(tokens);
            return NULL;
        }
        Py_DECREF(item);
    }
    if (found < 0) {
        Py_DECREF(tokens);
        Py_RETURN_NONE;
    }
    return tokens;
}

/* ---- The plain-document reader ------------------------------------------------------------------------
 *
 * `read_plain(text, headings, statement_of, components, decimal, entry)` reads, in one pass, a document of the
 * plainest kind: posted text (header blocks, statement headings, `amount [code]` pairs, the uncoded amounts of a
 * line's components, a cover page), which is what dailyseg writes and what the sample is. It returns the events
 * `TextReader.read_plain` turns into filings: (0, line, STATUS), (1, line, field name as printed, value),
 * (2, line, statement id, {ref: Entry}, {ref: cents}) for a heading and the entries read under it, every `Entry`
 * and `Decimal` already made and each amount also in integer cents (`Filing.from_reader` keeps them for
 * validation), and (3, line, text) for a line of the cover page. `headings` holds (lower-case heading, statement
 * id) pairs, the cover page's last; `statement_of` and `components` are the reader's catalogue look-ups.
 *
 * It covers only what it can read exactly as the Python reader does, and returns None at the first sign of
 * anything else: text that is not ASCII, block markup, an "&" that may open an entity, control characters,
 * letters spaced out, page furniture (banners, page numbers, mirror lines, a page number glued to a word), a
 * heading with text around it, header fields sharing a line, a code read twice under one heading, a code of
 * another statement, an amount that is neither whole dollars nor dollars and cents, amounts before a code or
 * ending a piece where no component takes them, a bracket left unread. The Python reader then reads the
 * document itself; `TextReader.read_plain` hands it over too where the events would need a decision made amount
 * by amount (a heading met again, a code read twice in a filing) or where anything would be reported. Whatever
 * the result is, it is the Python reader's: tests/test_compiled_reader.py holds the two alike.
 */

static int lower(Py_UCS1 c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int is_alpha(Py_UCS1 c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* Whether `word` (lower case) is at s[i:] in any case. */
static int word_at(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t i, const char *word) {
    for (; *word; word++, i++) {
        if (i >= n || lower(s[i]) != (Py_UCS1)*word) return 0;
    }
    return 1;
}

static int contains_ci(const Py_UCS1 *s, Py_ssize_t n, const char *word) {
    Py_ssize_t i;
    for (i = 0; i < n; i++) {
        if ((s[i] | 0x20) == word[0] && word_at(s, n, i, word)) return 1; /* a letter's two cases, nothing else */
    }
    return 0;
}

/* `w[ \t]*i[ \t]*n[ \t]*j` (case ignored): the hint of a WinJammer banner. */
static int has_banner_hint(const Py_UCS1 *s, Py_ssize_t n) {
    static const char letters[] = "winj";
    Py_ssize_t i, j;
    int k;
    for (i = 0; i < n; i++) {
        if ((s[i] | 0x20) != 'w') continue;
        for (j = i + 1, k = 1; k < 4; k++, j++) {
            while (j < n && (s[j] == ' ' || s[j] == '\t')) j++;
            if (j >= n || lower(s[j]) != letters[k]) break;
        }
        if (k == 4) return 1;
    }
    return 0;
}

/* `\b(End Date|Firm Name|Form|Submit Date)\s*:` (case ignored) at i: the end of the match, or -1. */
static Py_ssize_t field_at(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t i, Py_ssize_t *name_end) {
    static const char *names[] = {"end date", "firm name", "form", "submit date"};
    static const Py_ssize_t lengths[] = {8, 9, 4, 11};
    size_t k;
    Py_UCS1 c = s[i] | 0x20;
    if ((i > 0 && is_word(s[i - 1])) || !(c == 'e' || c == 'f' || c == 's')) return -1;
    for (k = 0; k < sizeof names / sizeof names[0]; k++) {
        Py_ssize_t e = i + lengths[k];
        if (!word_at(s, n, i, names[k])) continue;
        *name_end = e;
        while (e < n && is_space(s[e])) e++;
        if (e < n && s[e] == ':') return e + 1;
    }
    return -1;
}

/* A line the reader would take for a page number (`_PAGE_NUMBER`), or more: the reader's to settle. */
static int page_number_like(const Py_UCS1 *s, Py_ssize_t n) {
    Py_ssize_t i;
    if (word_at(s, n, 0, "page")) return 1;
    if (!is_digit(s[0])) return 0;
    for (i = 0; i < n; i++) {
        if (!(is_digit(s[i]) || s[i] == ' ' || s[i] == '\t' || lower(s[i]) == 'o' || lower(s[i]) == 'f')) return 0;
    }
    return 1;
}

typedef struct {
    PyObject *events, *headings, *statement_of, *components, *decimal, *entry;
    PyObject *statement, *entries, *cents;   /* borrowed from the last heading's event */
    char line_number[3], letter[2];         /* the printed line and letter, as `TextReader` keeps them */
    int cover;                              /* the last heading is the cover page's (the last of `headings`) */
    PyObject *zero;                         /* Decimal(0), made when first read */
    Py_ssize_t offsets[4];                  /* where an Entry keeps its fields (`field_offsets`) */
} Plain;

static PyObject *name_statement, *name_ref, *name_amount, *name_label, *empty_text, *empty_args;

/* Where the Entry class keeps each field (statement, ref, amount, label), `entry_field_offsets`. */
static void field_offsets(PyObject *type, Py_ssize_t offsets[4]) {
    PyObject *const names[4] = {name_statement, name_ref, name_amount, name_label};
    entry_field_offsets(type, names, offsets);
}

/* An `Entry(statement, ref, amount, label)` made as its dataclass `__init__` makes it, without running Python:
 * each field written into its slot where the class has slots, else set as `object.__setattr__` sets it. */
static PyObject *make_entry(PyObject *type, const Py_ssize_t offsets[4], PyObject *statement, PyObject *ref, PyObject *amount,
                            PyObject *label) {
    PyObject *values[4] = {statement, ref, amount, label}, *names[4] = {name_statement, name_ref, name_amount, name_label};
    PyObject *entry = PyBaseObject_Type.tp_new((PyTypeObject *)type, empty_args, NULL);
    int k;
    if (entry == NULL) return NULL;
    for (k = 0; k < 4; k++) {
        if (offsets[k] >= 0) {
            *(PyObject **)((char *)entry + offsets[k]) = Py_NewRef(values[k]); /* a new object's slots are empty */
        } else if (PyObject_GenericSetAttr(entry, names[k], values[k]) < 0) {
            Py_DECREF(entry);
            return NULL;
        }
    }
    return entry;
}

/* `parse_amount` of the run s[start:end] (`-?[0-9][0-9,]*(\.[0-9]{1,2})?`), made canonical as `Filing` makes it
 * (no trailing zeros in the cents): a new Decimal, its value in cents in *cents (below 10^17 in magnitude: fifteen
 * digits and the cents), Py_None (new) for any other run, NULL with an error set. */
static PyObject *amount_of(Plain *r, const Py_UCS1 *s, Py_ssize_t start, Py_ssize_t end, long long *cents) {
    char digits[19];
    int count = 0, negative = s[start] == '-', part;
    long long whole = 0;
    Py_ssize_t i = start + negative;
    PyObject *text, *value, *negated;
    if (i >= end || !is_digit(s[i])) return Py_NewRef(Py_None);
    for (; i < end && s[i] != '.'; i++) {
        if (s[i] == ',') continue;
        if (!is_digit(s[i]) || count == 15) return Py_NewRef(Py_None);
        digits[count++] = (char)s[i];
        whole = whole * 10 + (s[i] - '0');
    }
    *cents = (negative ? -whole : whole) * 100;
    if (i == end) {
        /* Whole dollars: Decimal(-5) is -Decimal("5"), and every zero is Decimal("0") (-Decimal("0") too), one
         * object shared by all, as a Decimal is never changed. */
        PyObject *number;
        if (whole == 0) {
            if (r->zero == NULL && (r->zero = PyObject_CallFunction(r->decimal, "i", 0)) == NULL) return NULL;
            return Py_NewRef(r->zero);
        }
        number = PyLong_FromLongLong(negative ? -whole : whole);
        if (number == NULL) return NULL;
        value = PyObject_CallOneArg(r->decimal, number);
        Py_DECREF(number);
        return value;
    }
    /* Cents: at most two digits (more is an error the reader reports); "12.50" is 12.5 and "12.00" is 12. */
    if (end - i - 1 < 1 || end - i - 1 > 2 || !is_digit(s[i + 1]) || (end - i - 1 == 2 && !is_digit(s[i + 2]))) return Py_NewRef(Py_None);
    part = (s[i + 1] - '0') * 10 + (end - i - 1 == 2 ? s[i + 2] - '0' : 0);
    *cents += negative ? -part : part;
    while (end > i + 1 && s[end - 1] == '0') end--;
    if (end > i + 1) {
        digits[count++] = '.';
        for (i++; i < end; i++) digits[count++] = (char)s[i];
    }
    text = PyUnicode_FromStringAndSize(digits, count);
    if (text == NULL) return NULL;
    value = PyObject_CallOneArg(r->decimal, text);
    Py_DECREF(text);
    if (value == NULL || !negative) return value;
    negated = PyNumber_Negative(value);
    Py_DECREF(value);
    return negated;
}

/* The catalogue component printed at the current line and letter (swaps 12A/B/C), borrowed; NULL where there
 * is none (or an error is set). */
static PyObject *component(Plain *r) {
    PyObject *key = Py_BuildValue("(Os#s#)", r->statement, r->line_number, (Py_ssize_t)strlen(r->line_number), r->letter,
                                  (Py_ssize_t)strlen(r->letter));
    PyObject *found;
    if (key == NULL) return NULL;
    found = PyDict_GetItemWithError(r->components, key);
    Py_DECREF(key);
    return found;
}

/* `TextReader.add` for the amount s[start:end] of `ref` (borrowed), its label s[label:label_end] (kept for a code
 * the catalogue does not know, stripped of " \t:$"): 1 added, 0 the reader's to add (it would report
 * something), -1 an error. */
static int add(Plain *r, PyObject *ref, const Py_UCS1 *s, Py_ssize_t start, Py_ssize_t end, Py_ssize_t label, Py_ssize_t label_end) {
    PyObject *known = PyDict_GetItemWithError(r->statement_of, ref), *amount, *entry, *text, *cents_of;
    long long cents;
    int other;
    if (known == NULL && PyErr_Occurred()) return -1;
    other = known == NULL ? 0 : PyUnicode_Compare(known, r->statement);
    if (other == -1 && PyErr_Occurred()) return -1;
    other = other != 0 ? 1 : PyDict_Contains(r->entries, ref); /* another statement's, or read twice */
    if (other != 0) return other < 0 ? -1 : 0;
    amount = amount_of(r, s, start, end, &cents);
    if (amount == NULL || amount == Py_None) {
        Py_XDECREF(amount);
        return amount == NULL ? -1 : 0;
    }
    if (known == NULL) {
        /* A code outside the catalogue, of the statement it is printed under. */
        while (label < label_end && strchr(" \t:$", s[label]) != NULL) label++;
        while (label_end > label && strchr(" \t:$", s[label_end - 1]) != NULL) label_end--;
        text = text_of(s, label, label_end);
    } else {
        text = Py_NewRef(empty_text);
    }
    entry = text == NULL ? NULL : make_entry(r->entry, r->offsets, known == NULL ? r->statement : known, ref, amount, text);
    Py_DECREF(amount);
    Py_XDECREF(text);
    if (entry == NULL || PyDict_SetItem(r->entries, ref, entry) < 0) {
        Py_XDECREF(entry);
        return -1;
    }
    Py_DECREF(entry);
    cents_of = PyLong_FromLongLong(cents);
    if (cents_of == NULL || PyDict_SetItem(r->cents, ref, cents_of) < 0) {
        Py_XDECREF(cents_of);
        return -1;
    }
    Py_DECREF(cents_of);
    return 1;
}

/* `TextReader.uncoded` for each amount of the run s[start:end]: 1, 0 or -1 as `add`. */
static int add_uncoded(Plain *r, const Py_UCS1 *s, Py_ssize_t start, Py_ssize_t end) {
    PyObject *key = component(r);
    int done = 1;
    Py_ssize_t i = start, j;
    if (key == NULL) return PyErr_Occurred() ? -1 : 0; /* an amount without a code: a warning */
    Py_INCREF(key);
    while (done == 1 && i < end) {
        while (i < end && (s[i] == ' ' || s[i] == '\t')) i++;
        for (j = i; j < end && s[j] != ' ' && s[j] != '\t'; j++) {
        }
        if (j > i) done = add(r, key, s, i, j, 0, 0);
        i = j;
    }
    Py_DECREF(key);
    return done;
}

/* The statement text of one line (`TextReader.read_statement_text`): 1 read, 0 the Python reader's, -1 an error. */
static int plain_statement_text(Plain *r, const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t brackets) {
    Py_ssize_t p = 0, i, taken = 0, lead = 0, position = 0;
    Token t;
    int found, done;
    while (lead < n && (s[lead] == ' ' || s[lead] == '\t')) lead++;
    /* `_LONE_MARKER`: a marker alone on its line ("12.", its label on the next). */
    if ((n - lead == 2 && (is_digit(s[lead]) || is_letter_marker(s[lead])) && s[lead + 1] == '.') ||
        (n - lead == 3 && is_digit(s[lead]) && is_digit(s[lead + 1]) && s[lead + 2] == '.')) {
        if (is_digit(s[lead])) {
            memcpy(r->line_number, s + lead, (size_t)(n - lead - 1));
            r->line_number[n - lead - 1] = 0;
            r->letter[0] = 0;
        } else {
            r->letter[0] = (char)s[lead];
            r->letter[1] = 0;
        }
        return 1;
    }
    while ((found = next_token(s, n, &p, &t)) == 1) {
        if (t.number_end >= 0 || t.letter >= 0) {
            if (t.number_end >= 0) {
                memcpy(r->line_number, s + t.start, (size_t)(t.number_end - t.start));
                r->line_number[t.number_end - t.start] = 0;
                r->letter[0] = 0;
            } else {
                r->letter[0] = (char)s[t.letter];
                r->letter[1] = 0;
            }
            position = t.stop;
        } else if (t.code_start >= 0) {
            Py_ssize_t last = t.run_end, code = t.code_start;
            PyObject *ref;
            while (last > t.start && s[last - 1] != ' ' && s[last - 1] != '\t') last--;
            if (last > t.start) {
                /* Amounts before the code: a component's (0 0 [8715]); else label text, which the reader keeps. */
                Py_ssize_t extras = last;
                if (component(r) == NULL) return PyErr_Occurred() ? -1 : 0;
                while (extras > t.start && (s[extras - 1] == ' ' || s[extras - 1] == '\t')) extras--;
                if ((done = add_uncoded(r, s, t.start, extras)) != 1) return done;
            }
            taken++;
            while (code < t.code_end - 1 && s[code] == '0') code++; /* str(int(code)) */
            ref = PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, s + code, t.code_end - code);
            if (ref == NULL) return -1;
            done = add(r, ref, s, last, t.run_end, position, t.start);
            Py_DECREF(ref);
            if (done != 1) return done;
            position = t.stop;
        } else if (t.piece_end && s[t.stop - 1] != ',') {
            /* An amount ending its piece: a component's; without one a warning where it stands apart, else label text. */
            PyObject *key = component(r);
            if (key == NULL) {
                Py_ssize_t e = t.start;
                if (PyErr_Occurred()) return -1;
                while (e > position && s[e - 1] == ' ') e--;
                for (i = position; i < t.start && is_space(s[i]); i++) {
                }
                if (i == t.start || (e > position && s[e - 1] == '\t')) return 0;
            } else if ((done = add_uncoded(r, s, t.start, t.stop)) != 1) {
                return done;
            }
        }
    }
    if (found < 0) return 0;
    return brackets == taken; /* a bracket the tokens did not take is a damaged code: the reader says so */
}

static int append_event(Plain *r, PyObject *event) {
    int failed;
    if (event == NULL) return -1;
    failed = PyList_Append(r->events, event);
    Py_DECREF(event);
    return failed;
}

/* One cleaned line (not empty, no trailing blanks): 1 read, 0 the Python reader's to read, -1 an error. */
static int plain_line(Plain *r, const Py_UCS1 *s, Py_ssize_t n, long lineno, int found, Py_ssize_t brackets) {
    Py_ssize_t lead = 0, i, end, name_end, first = -1;
    while (lead < n && (s[lead] == ' ' || s[lead] == '\t')) lead++;
    if (((found & LETTER_W) && contains_ci(s, n < 20 ? n : 20, "ownload")) || page_number_like(s + lead, n - lead)) return 0;
    if (r->statement != NULL && is_digit(s[n - 1])) {
        /* `_GLUED_PAGE`: a page number glued to the last word of a page. */
        for (i = n - 1; i > 0 && is_digit(s[i - 1]); i--) {
        }
        if (i > 0 && is_alpha(s[i - 1])) return 0;
    }
    if ((found & (LETTER_D | DASH)) == (LETTER_D | DASH) && contains_ci(s, n, "daily segregation - ")) {
        Py_ssize_t k;
        for (k = 0; k < PyTuple_GET_SIZE(r->headings); k++) {
            PyObject *pair = PyTuple_GET_ITEM(r->headings, k);
            PyObject *heading = PyTuple_GET_ITEM(pair, 0), *statement = PyTuple_GET_ITEM(pair, 1);
            const Py_UCS1 *h = PyUnicode_1BYTE_DATA(heading);
            Py_ssize_t length = PyUnicode_GET_LENGTH(heading), j;
            if (length != n - lead) continue;
            for (j = 0; j < length && lower(s[lead + j]) == h[j]; j++) {
            }
            if (j < length) continue;
            r->entries = PyDict_New();
            if (r->entries == NULL) return -1;
            r->cents = PyDict_New();
            if (r->cents == NULL) {
                Py_DECREF(r->entries);
                return -1;
            }
            r->statement = statement;
            r->cover = k == PyTuple_GET_SIZE(r->headings) - 1;
            r->line_number[0] = r->letter[0] = 0;
            return append_event(r, Py_BuildValue("(ilONN)", 2, lineno, statement, r->entries, r->cents)) < 0 ? -1 : 1;
        }
        return 0; /* another heading (the cover page), or text around one */
    }
    if ((found & LETTER_W) && has_banner_hint(s, n)) return 0;
    if (n - lead == 7 && (word_at(s, n, lead, "initial") || word_at(s, n, lead, "amended"))) {
        PyObject *status = PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, s + lead, 7), *upper;
        if (status == NULL) return -1;
        upper = PyObject_CallMethod(status, "upper", NULL);
        Py_DECREF(status);
        return upper == NULL ? -1 : append_event(r, Py_BuildValue("(ilN)", 0, lineno, upper)) < 0 ? -1 : 1;
    }
    if (found & COLON) {
        Py_ssize_t label_end = 0, value_start = 0, count = 0;
        for (i = 0; i < n; i++) {
            if ((end = field_at(s, n, i, &name_end)) >= 0) {
                if (count++ == 0) {
                    first = i;
                    label_end = name_end;
                    value_start = end;
                }
                i = end - 1;
            }
        }
        if (count > 1 || (count == 1 && first != lead)) return 0;
        if (count == 1) {
            Py_ssize_t value_end = n;
            while (value_start < n && is_space(s[value_start])) value_start++;
            while (value_end > value_start && is_space(s[value_end - 1])) value_end--;
            return append_event(r, Py_BuildValue("(ilNN)", 1, lineno, text_of(s, first, label_end), text_of(s, value_start, value_end))) < 0
                       ? -1
                       : 1;
        }
    }
    if (r->statement == NULL) return brackets == 0; /* amounts before any heading: a problem */
    if (r->cover) return append_event(r, Py_BuildValue("(ilN)", 3, lineno, text_of(s, 0, n))) < 0 ? -1 : 1;
    return plain_statement_text(r, s, n, brackets);
}


/* `clean_lines` before its split, for text without block markup, entities or control characters: each
 * `<[^>\n]{0,200}>` becomes a blank, then `**` goes (pairs from the left, as `str.replace` takes them). Returns the
 * length left in `out` (at most n), or -1 where the text is not of that kind; `*returns` says whether a \r is left. */
static Py_ssize_t clean_text(const Py_UCS1 *s, Py_ssize_t n, Py_UCS1 *out, int *returns) {
    Py_ssize_t i = 0, k = 0, j;
    int star = 0; /* the last byte put out is a "*" not yet paired */
    *returns = 0;
    while (i < n) {
        Py_UCS1 c;
        unsigned char kind;
        if (!(classes[s[i]] & (CONTROL | AMPERSAND | TAG | STAR | RETURN))) {
            /* The bytes that stay as they are, most of them: found first, then copied at once. */
            for (j = i + 1; j < n && !(classes[s[j]] & (CONTROL | AMPERSAND | TAG | STAR | RETURN)); j++) {
            }
            memcpy(out + k, s + i, (size_t)(j - i));
            k += j - i;
            i = j;
            star = 0;
            continue;
        }
        c = s[i];
        kind = classes[c] & (CONTROL | AMPERSAND | TAG | STAR);
        if (kind == CONTROL) return -1;
        if (kind == 0) { /* \r */
            *returns = 1;
            out[k++] = c;
            star = 0;
            i++;
            continue;
        }
        if (kind == AMPERSAND) {
            /* An "&" `html.unescape` may read as an entity: followed by anything but a blank, "<", "&", ";" or the end. */
            Py_UCS1 next = i + 1 < n ? s[i + 1] : ' ';
            if (!(next == ' ' || next == '\t' || next == '\n' || next == '<' || next == '&' || next == ';')) return -1;
        } else if (kind == TAG) {
            static const char *blocks[] = {"html", "table", "tr", "br", "p", "div"};
            static const Py_ssize_t lengths[] = {4, 5, 2, 2, 1, 3};
            size_t b;
            /* `<\s*(?:html|table|tr|br|p|div)\b` (case ignored): a page whose blocks the Python reader lays out. */
            for (j = i + 1; j < n && is_space(s[j]); j++) {
            }
            for (b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
                Py_ssize_t e = j + lengths[b];
                if (word_at(s, n, j, blocks[b]) && !(e < n && is_word(s[e]))) return -1;
            }
            for (j = i + 1; j < n && j - i - 1 <= 200 && s[j] != '>' && s[j] != '\n'; j++) {
            }
            if (j < n && s[j] == '>' && j - i - 1 <= 200) {
                out[k++] = ' ';
                star = 0;
                i = j + 1;
                continue;
            }
        } else if (star) { /* the second "*" of a pair: both go */
            k--;
            star = 0;
            i++;
            continue;
        }
        out[k++] = c;
        star = kind == STAR;
        i++;
    }
    return k;
}

/* The classes present in a line, and its count of "["; -1 where it holds letters spaced out for emphasis
 * (` [A-Z] [A-Z] `), which the Python reader joins. */
static int line_classes(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t *brackets) {
    Py_ssize_t i, count = 0; /* counted here, not through `brackets`, which the compiler must take to alias `s` */
    int found = 0;
    for (i = 0; i < n; i++) {
        Py_UCS1 c = s[i];
        found |= classes[c];
        count += c == '[';
        /* The blanks first: a capital after a blank is common in labels, a blank two bytes on is not. */
        if (c == ' ' && i + 4 < n && s[i + 2] == ' ' && s[i + 4] == ' ' && s[i + 1] >= 'A' && s[i + 1] <= 'Z' && s[i + 3] >= 'A' &&
            s[i + 3] <= 'Z')
            return -1;
    }
    *brackets = count;
    return found;
}

static PyObject *read_plain(PyObject *module, PyObject *args) {
    PyObject *text;
    Plain r = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "", "", 0, NULL, {-1, -1, -1, -1}};
    const Py_UCS1 *s;
    Py_UCS1 *clean = NULL;
    Py_ssize_t n, m, i, start = 0, k;
    long lineno = 1;
    int status, returns;
    (void)module;
    if (!PyArg_ParseTuple(args, "UO!O!O!OO:read_plain", &text, &PyTuple_Type, &r.headings, &PyDict_Type, &r.statement_of, &PyDict_Type,
                          &r.components, &r.decimal, &r.entry))
        return NULL;
    if (!PyType_Check(r.entry)) return PyErr_Format(PyExc_TypeError, "read_plain() takes the Entry class, not %.80s", Py_TYPE(r.entry)->tp_name);
    field_offsets(r.entry, r.offsets);
    for (k = 0; k < PyTuple_GET_SIZE(r.headings); k++) {
        PyObject *pair = PyTuple_GET_ITEM(r.headings, k);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 || !PyUnicode_Check(PyTuple_GET_ITEM(pair, 0)) ||
            !PyUnicode_IS_ASCII(PyTuple_GET_ITEM(pair, 0)) || !PyUnicode_Check(PyTuple_GET_ITEM(pair, 1)))
            return PyErr_Format(PyExc_TypeError, "read_plain() takes headings as (lower-case ASCII heading, statement id) pairs");
    }
    if (!PyUnicode_IS_ASCII(text)) Py_RETURN_NONE;
    s = PyUnicode_1BYTE_DATA(text);
    n = PyUnicode_GET_LENGTH(text);
    clean = PyMem_Malloc(n > 0 ? (size_t)n : 1);
    if (clean == NULL) return PyErr_NoMemory();
    m = clean_text(s, n, clean, &returns);
    r.events = m < 0 ? NULL : PyList_New(0);
    status = m < 0 ? 0 : r.events == NULL ? -1 : 1;
    /* `splitlines` over \n, \r\n and \r, each line without its trailing blanks, numbered from 1. */
    while (status == 1 && start <= m) {
        Py_ssize_t end, stop, brackets;
        int found;
        if (returns) {
            for (i = start; i < m && clean[i] != '\n' && clean[i] != '\r'; i++) {
            }
        } else {
            const Py_UCS1 *at = memchr(clean + start, '\n', (size_t)(m - start));
            i = at == NULL ? m : at - clean;
        }
        stop = i;
        for (end = i; end > start && (clean[end - 1] == ' ' || clean[end - 1] == '\t'); end--) {
        }
        if (end > start) {
            found = line_classes(clean + start, stop - start, &brackets);
            status = found < 0 ? 0 : plain_line(&r, clean + start, end - start, lineno, found, brackets);
        }
        if (i < m && clean[i] == '\r' && i + 1 < m && clean[i + 1] == '\n') i++;
        start = i + 1;
        lineno++;
    }
    PyMem_Free(clean);
    Py_XDECREF(r.zero);
    if (status == 1) return r.events;
    Py_XDECREF(r.events);
    if (status < 0) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_O, "The tokens of an ASCII line of statement text, or None where the pattern must read it."},
    {"read_plain", read_plain, METH_VARARGS, "The events of a plain document, or None where the Python reader must read it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "dailyseg.parse._tokens", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__tokens(void) {
    classes_init();
    name_statement = PyUnicode_InternFromString("statement");
    name_ref = PyUnicode_InternFromString("ref");
    name_amount = PyUnicode_InternFromString("amount");
    name_label = PyUnicode_InternFromString("label");
    empty_text = PyUnicode_FromString("");
    empty_args = PyTuple_New(0);
    if (name_statement == NULL || name_ref == NULL || name_amount == NULL || name_label == NULL || empty_text == NULL || empty_args == NULL)
        return NULL;
    return PyModule_Create(&module);
}
