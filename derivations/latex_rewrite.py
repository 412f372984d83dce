r"""Reading the tutorial's LaTeX: the rewrite rules, the parsers, the names read back.

The tutorial types $\sum_k^n$ without braces or lower bound, ``log_226`` for $\log_2 26$,
``×``, several formulas in a line, chains $a=b\approx c$, and names (Loss, $w_{ij}$) that
a parser reads as products ($w_{ij} \to w_{i \cdot j}$, indices sorted). `read` cuts a
quote into `formulas` and sides (`relations`), applies the rules of `rewrite` (each a
small function writing the same formula in the parsers' notation) and parses each side;
`Vocabulary` reads it in a claim's symbols; `refusal` names forms with no reading.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.parsing.latex import parse_latex

from derivations import symbols

__all__ = ["Unparsed", "Vocabulary", "formulas", "names", "read", "refusal", "relations", "rewrite"]

_OPEN, _CLOSE = "([{", ")]}"
_LOG, _DECIMAL = re.compile(r"\\log_(\w)(\d+)?"), re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])")


def _cut(text: str, pattern: str) -> tuple[list[str], list[str]]:
    """`text` cut at `pattern` outside every bracket (``(0,M]`` is a pair): the pieces and
    the separators."""
    depth, pieces, separators, start, at = 0, [], [], 0, 0
    while at < len(text):
        depth += (text[at] in _OPEN) - (text[at] in _CLOSE)
        if depth == 0 and (match := re.compile(pattern).match(text, at)):
            pieces.append(text[start:at].strip())
            separators.append(match[0])
            start = at = match.end()
        else:
            at += 1
    return [*pieces, text[start:].strip()], separators


def formulas(source: str) -> list[str]:
    r"""The formulas of a quote, cut at commas outside brackets; a ``split`` environment
    is one formula (its line breaks ``\\`` dropped).

    >>> formulas(r"P(A)=0.9817,P(B)=0.0180, k\in(0,M]")
    ['P(A)=0.9817', 'P(B)=0.0180', 'k\\in(0,M]']
    """
    return _cut(re.sub(r"\\(begin|end)\{split\}|\\\\", " ", source), ",")[0]


def relations(formula: str) -> tuple[list[str], list[str]]:
    r"""The sides of a formula and the relations between them: a chain $a = b \approx c$
    is the links $a = b$ and $b \approx c$ (``&=`` is ``=``).

    >>> relations(r"\ln 0.6 = x \approx -0.51")
    (['\\ln 0.6', 'x', '-0.51'], ['=', '≈'])
    """
    sides, kinds = _cut(formula, r"&?=|\\approx")
    return sides, ["≈" if kind == r"\approx" else "=" for kind in kinds]


_REFUSED = (
    (r"\\begin\{[bp]?matrix\}|\^\{?([TD]|\\mathsf\{T\})", "a matrix formula: the parsers "
     "read capital letters as commuting scalars (XW^T as W^T X) and ^T as a power"),
    (r"\.\.\.|\\[cvd]dots", "an ellipsis: terms left to the reader"),
    # MODEL-2 writes w_ijx_j beside its own w_{ij}: TeX reads the one as w_i j x_j
    (r"([A-Za-z])_[a-z][a-z](?=.*\1_\{[a-z]{2}\})|([A-Za-z])_\{[a-z]{2}\}.*\2_[a-z][a-z]",
     "ambiguous indices: w_ij beside w_{ij} (TeX reads w_i j, the formula means w_{ij})"),
)  # fmt: skip


def refusal(source: str) -> str | None:
    r"""Why the parsers have no reading of `source`, or None: they would misread it.

    >>> refusal(r"D=(P-Q)^TX")[:16], refusal(r"w_0+...+w_nx_n"), refusal(r"g_i=w_{ij}x_j")
    ('a matrix formula', 'an ellipsis: terms left to the reader', None)
    """
    return next((why for pattern, why in _REFUSED if re.search(pattern, source)), None)


def spacing(text: str) -> str:
    r"""``\ `` and ``\quad`` are spacing, ``\left(`` and ``\right)`` only size a bracket (and
    ANTLR's strict mode, which checks a reading spans the text, misses them), ``×`` is
    ``\times``.

    >>> spacing(r"\left(p_i-q_i\right)\ 0×x_j")
    '(p_i-q_i) 0\\times x_j'
    """
    text = re.sub(r"\\(left|right|[Bb]igg?[lr]?)\b|\\q?quad\b", "", text)
    return text.replace("\\ ", " ").replace("×", r"\times ")


def log_base(text: str) -> str:
    r"""``log`` is ``\log``, its base a subscript of one character as in TeX (``log_226``
    is $\log_2 26$), put in braces, with a number after it as the argument.

    >>> log_base("log_226"), log_base(r"\log_x\frac{1}{p}")
    ('\\log_{2}{26}', '\\log_{x}\\frac{1}{p}')
    """
    text = re.sub(r"(?<![\\A-Za-z])log", r"\\log", text)
    return _LOG.sub(lambda m: rf"\log_{{{m[1]}}}" + f"{{{m[2]}}}" * bool(m[2]), text)


_LIMIT = r"(?:\{([^{}=\\]+)\}|([A-Za-z0-9]))"


def sum_limits(text: str, from_zero: str = "") -> str:
    r"""``\sum_k^n`` is $\sum_{k=1}^{n}$: the parsers want braces and a lower bound; the
    tutorial counts from 1 ($S_k$, $k \in (0, n]$) but the indices in `from_zero` from 0
    (the model section's features: $j \in [0, n]$, $x_0 = 1$). ``k \neq i`` stays as is.

    >>> sum_limits(r"\sum_k^ne^{g_k}"), sum_limits(r"\prod_{j}^{N}x_j", from_zero="j")
    ('\\sum_{k=1}^{n}e^{g_k}', '\\prod_{j=0}^{N}x_j')
    """

    def braced(m: re.Match) -> str:
        index = m[2] or m[3]
        return rf"\{m[1]}_{{{index}={int(index not in from_zero)}}}^{{{m[4] or m[5]}}}"

    return re.sub(rf"\\(sum|prod)_{_LIMIT}\^{_LIMIT}", braced, text)


def decimal(text: str) -> tuple[Fraction, int] | None:
    """A side that is a decimal: its value and places (a stated decimal is rounded).

    >>> decimal("-0.51"), decimal("0.0180"), decimal("x")
    ((Fraction(-51, 100), 2), (Fraction(9, 500), 4), None)
    """
    match = re.fullmatch(r"\s*(-?)\s*(\d+\.(\d+))\s*", text)
    return (Fraction(match[1] + match[2]), len(match[3])) if match else None


def decimals(text: str) -> str:
    r"""A decimal inside an expression is an exact fraction, so SymPy compares exactly.

    >>> decimals(r"\ln 0.6")
    '\\ln \\frac{6}{10}'
    """
    return _DECIMAL.sub(lambda m: rf"\frac{{{int(m[1] + m[2])}}}{{{10 ** len(m[2])}}}", text)


# A command (kept), a name with indices, a word (two letters or more, with its argument)
_TOKEN = re.compile(
    r"(?P<command>\\(?!nabla|delta)[A-Za-z]+)"
    r"|(?P<base>\\nabla|\\delta|[A-Za-z])_(?:\{(?P<braced>[^{}\\]+)\}|(?P<one>[A-Za-z0-9]))"
    r"|(?P<word>[A-Za-z]{2,}(?![_A-Za-z])(?:\([A-Za-z,]*\))?)"
)


def names(text: str) -> tuple[str, dict[str, tuple]]:
    r"""Each name becomes a placeholder ``\mathit{…}`` both parsers read as one symbol; the
    table gives its meaning: ``("indexed", base, indices)`` (a character an index, a
    sample's parentheses dropped: $x_{(k)j}$ is $x_{kj}$) or ``("word", text)``.

    >>> text, table = names(r"w_{ij}x_{(k)j}+Loss")
    >>> text
    '\\mathit{zphaa}\\mathit{zphab}+\\mathit{zphac}'
    >>> table["zphab"], table["zphac"]
    (('indexed', 'x', ('k', 'j')), ('word', 'Loss'))
    """
    table: dict[str, tuple] = {}

    def placeholder(m: re.Match) -> str:
        if m["command"]:
            return m["command"]
        name = f"zph{chr(97 + len(table) // 26)}{chr(97 + len(table) % 26)}"  # letters only
        indices = tuple(re.sub(r"[()\s]", "", m["braced"] or m["one"] or ""))
        table[name] = (
            ("word", m["word"]) if m["word"] else ("indexed", m["base"][1:] or m["base"], indices)
        )
        return rf"\mathit{{{name}}}"

    return _TOKEN.sub(placeholder, text), table


def rewrite(side: str, from_zero: str = "") -> tuple[str, dict[str, tuple]]:
    r"""Every rule, in order, on one side: the text for the parsers and the placeholders'
    table (`names`).

    >>> rewrite(r"\frac{e^{g_i}}{\sum_k^ne^{g_k}}")[0]
    '\\frac{e^{\\mathit{zphaa}}}{\\sum_{k=1}^{n}e^{\\mathit{zphab}}}'
    """
    return names(decimals(sum_limits(log_base(spacing(side)), from_zero)))


class Unparsed(Exception):
    """The reason a formula has no reading."""


def parse(text: str, backend: str) -> sp.Expr:
    """One side parsed by `backend` ("antlr" strict, else it returns the prefix it could
    read; or "lark"); an exception, a tuple or an ambiguous reading is `Unparsed`."""
    if not text:
        raise Unparsed("a relation with an empty side (the other is in the prose)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pytest's filterwarnings=error must not see them
            kwargs = {"strict": True} if backend == "antlr" else {}
            expr = parse_latex(text, backend=backend, **kwargs)
    except Exception as exc:  # whatever the parser raises, it means "no reading"
        raise Unparsed(
            f"{backend}: {type(exc).__name__}: {' '.join(str(exc).split())[:90]}"
        ) from None
    if isinstance(expr, tuple | list):
        raise Unparsed(f"{backend}: a tuple of {len(expr)} readings")
    if not isinstance(expr, sp.Expr):  # Lark's tree of ambiguous readings, a relation
        raise Unparsed(f"{backend}: ambiguous or not an expression ({type(expr).__name__})")
    return expr


@functools.cache
def read(source: str, backend: str, from_zero: str = "") -> tuple:
    r"""The formulas of `source`, each a tuple of its sides (parsed expression, placeholder
    table, stated decimal); index ranges (k ∈ (0, M]) are left to the sums' bounds. A
    command read as a symbol (``\partial`` as partial) is `Unparsed`.

    >>> [[str(e) for e, _, _ in sides] for sides in read(r"a=b, k\in(0,M]", "antlr")]
    [['a', 'b']]
    """
    if why := refusal(source):
        raise Unparsed(why)
    out = []
    for formula in (f for f in formulas(source) if r"\in" not in f):
        sides = []
        for text in relations(formula)[0]:
            rewritten, table = rewrite(text, from_zero)
            expr = parse(rewritten, backend)
            names = {str(s.name) for s in expr.atoms(sp.Symbol)} - set(table) - {"eta"}
            if misread := sorted(n for n in names if len(n) > 1):
                raise Unparsed(f"{backend} read the command(s) {misread} as symbols")
            sides.append((expr, tuple(table.items()), decimal(text)))
        out.append(tuple(sides))
    return tuple(out)


@dataclass(frozen=True)
class Vocabulary:
    r"""The symbols a claim's checked statement uses, by name: `names` read back. A symbol
    is the statement's of that name, else `derivations.symbols`' one, else a new one (an
    index letter an integer); a placeholder its indexed name ($\delta_{iy}$ the Kronecker
    delta) or word; $e$ Euler's number.

    >>> words = Vocabulary.of(())
    >>> words.translate(sp.Symbol("e") ** sp.Symbol("zpha"), {"zpha": ("indexed", "g", "i")})
    exp(g[i])
    """

    symbols: dict
    bases: dict

    @classmethod
    def of(cls, steps) -> Vocabulary:
        """The names the sides of a proof's `steps` use."""
        found, bases = {}, {}
        for step in steps:
            for side in (step.lhs, step.rhs, step.target):
                if isinstance(side, sp.Basic):
                    bases |= {str(a.base): a.base for a in side.atoms(sp.Indexed)}
                    found |= {s.name: s for s in side.atoms(sp.Symbol)}
        return cls({k: v for k, v in found.items() if k not in bases}, bases)

    def symbol(self, name: str) -> sp.Symbol:
        known = self.symbols.get(name, getattr(symbols, name, None))
        if isinstance(known, sp.Symbol):
            return known
        index = {"integer": True, "positive": True} if name in "ijklmnort" else {}
        return sp.Symbol(name, **index)

    def _read(self, name: str, table: dict):  # str(): Lark's names are its tokens
        if name in table:
            return self._meaning(table[name])
        return sp.E if name == "e" else self.symbol(name)

    def _meaning(self, meaning: tuple):
        if meaning[0] == "word":
            return sp.Symbol(meaning[1])
        _, base, indices = meaning
        idx = tuple(sp.Integer(c) if c.isdigit() else self.symbol(c) for c in indices)
        if base == "delta" and len(idx) == 2:
            return sp.KroneckerDelta(*idx)
        known = getattr(symbols, base, None)
        known = known if isinstance(known, sp.IndexedBase) else sp.IndexedBase(base)
        return self.bases.get(base, known)[idx]

    def translate(self, expr, table: dict):
        """`expr` as parsed, in the claim's symbols; `table` is the placeholders' (`names`).
        A decimal left as a float becomes an exact rational."""
        expr = expr.xreplace({s: self._read(str(s.name), table) for s in expr.atoms(sp.Symbol)})
        return expr.xreplace({f: sp.Rational(str(f)) for f in expr.atoms(sp.Float)})

    def is_name(self, expr) -> bool:
        """Whether `expr` names something the statement does not use (Loss, P(S_i), ∇_ij)."""
        if isinstance(expr, sp.Indexed):
            return str(expr.base) not in self.bases
        return expr.name not in self.symbols if expr.is_Symbol else isinstance(expr, AppliedUndef)
