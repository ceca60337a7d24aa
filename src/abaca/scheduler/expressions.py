"""A safe evaluator for backends' ``filter_function`` and ``goodness_function``.

Operators write these in the language of Manila's (and Cinder's) evaluator, for example
``share.size < 100 && capabilities.dedupe == 'true'`` or
``host.free_capacity_gb > 500 ? 100 : 50``. A report comes over the message bus, so an
expression is untrusted input: it is never given to ``eval`` or ``exec``.

How: a small tokenizer accepts only the tokens of the language and rewrites Manila's
spellings into Python's, then ``ast.parse(..., mode="eval")`` builds a tree which is
walked against a whitelist and turned into plain closures. Rewriting:

========================  ==================================
Manila                    Python
========================  ==================================
``&&``, ``AND``           ``and``
``||``, ``OR``            ``or``
``!``, ``NOT``            ``not`` (Python's precedence: ``!a == b`` is ``not (a == b)``)
``<>``                    ``!=``
``^``                     ``**`` (exponent at most 64 in magnitude)
``c ? a : b``             ``a if c else b`` (right-associative, lowest precedence)
``true``, ``false``       ``True``, ``False`` (any case)
========================  ==================================

Allowed: numbers, quoted strings (no escapes), booleans, variables ``share.<attr>``,
``host.<attr>`` (alias ``stats.<attr>``), ``capabilities.<attr>`` and ``extra.<key>``;
``+ - * / %`` and exponent on numbers; comparisons (chains too); ``and or not``;
unary ``-`` and ``+``; ``max``, ``min``, ``abs``; ``x if c else y``; parentheses.
A variable holding a numeric string is a number, as in Manila. Anything else (other
names or calls, attribute chains, names starting with ``_``, subscripts, lambdas,
comprehensions, expressions over 1,000 characters or nested over 32 levels) raises
ExpressionError, as does any failure while evaluating (unknown variable, division by
zero, comparing a word with a number, overflow).
"""

from __future__ import annotations

import ast
import functools
import keyword
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 1000
MAX_DEPTH = 32
MAX_NODES = 300
MAX_EXPONENT = 64
MAX_STRING = 255

ROOTS = frozenset({"share", "host", "stats", "capabilities", "extra"})
_ROOT_ALIASES = {"stats": "host"}
FUNCTIONS: dict[str, Callable[..., float]] = {"max": max, "min": min, "abs": abs}

Variables = Mapping[str, Mapping[str, Any]]
_Node = Callable[[Variables], Any]


class ExpressionError(ValueError):
    """The expression is not allowed, or could not be evaluated."""


# --- tokenizing and rewriting ---------------------------------------------------------

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
    | (?P<string>'[^'\\]*'|"[^"\\]*")
    | (?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)
    | (?P<op>&&|\|\||<>|==|!=|<=|>=|\*\*|[-+*/%^()<>,?:!])
    )""", re.VERBOSE | re.ASCII)

_WORDS = {"and": "and", "or": "or", "not": "not", "true": "True", "false": "False",
          "if": "if", "else": "else"}
_OPS = {"&&": "and", "||": "or", "!": "not", "<>": "!=", "^": "**"}


def _tokens(text: str) -> list[str]:
    """Python tokens for ``text``; ``?`` and ``:`` are kept for ``_ternaries``."""
    out: list[str] = []
    pos = 0
    end = len(text.rstrip())
    while pos < end:
        found = _TOKEN.match(text, pos)
        if found is None or found.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos:].lstrip()[:1]!r} at "
                                  f"offset {pos}")
        pos = found.end()
        kind = found.lastgroup
        token = found.group(kind or 0)
        if kind == "string":
            if len(token) - 2 > MAX_STRING:
                raise ExpressionError(f"string longer than {MAX_STRING} characters")
            out.append(repr(token[1:-1]))
        elif kind == "name":
            out.append(_name(token))
        elif kind == "op":
            out.append(_OPS.get(token, token))
        else:
            out.append(token)
    return out


def _name(token: str) -> str:
    parts = token.split(".")
    if any(part.startswith("_") for part in parts):
        raise ExpressionError(f"name {token!r} is not allowed")
    if len(parts) > 1:
        return token
    word = _WORDS.get(token.lower())
    if word is not None:
        return word
    if keyword.iskeyword(token) or keyword.issoftkeyword(token):
        raise ExpressionError(f"{token!r} is not allowed")
    return token


def _groups(tokens: list[str]) -> list[Any]:
    """Nest the tokens by parentheses: ``a ( b c ) d`` -> ``[a, [b, c], d]``."""
    stack: list[list[Any]] = [[]]
    for item in tokens:
        if item == "(":
            if len(stack) > MAX_DEPTH:
                raise ExpressionError(f"nested deeper than {MAX_DEPTH} levels")
            stack.append([])
        elif item == ")":
            if len(stack) == 1:
                raise ExpressionError("unbalanced ')'")
            group = stack.pop()
            stack[-1].append(group)
        else:
            stack[-1].append(item)
    if len(stack) != 1:
        raise ExpressionError("unbalanced '('")
    return stack[0]


def _ternaries(items: list[Any]) -> list[str]:
    """Flatten a group back to tokens, rewriting ``c ? a : b`` to ``(a) if (c) else (b)``."""
    parts: list[list[Any]] = [[]]
    for item in items:
        if item == ",":
            parts.append([])
        else:
            parts[-1].append(item)
    out: list[str] = []
    for index, part in enumerate(parts):
        if index:
            out.append(",")
        out.extend(_ternary(part))
    return out


def _ternary(part: list[Any]) -> list[str]:
    if "?" not in part:
        if ":" in part:
            raise ExpressionError("':' without '?'")
        flat: list[str] = []
        for item in part:
            flat.extend(["(", *_ternaries(item), ")"] if isinstance(item, list) else [item])
        return flat
    ask = part.index("?")
    depth = 0
    for colon in range(ask + 1, len(part)):
        if part[colon] == "?":
            depth += 1
        elif part[colon] == ":":
            if depth == 0:
                break
            depth -= 1
    else:
        raise ExpressionError("'?' without ':'")
    condition, then, otherwise = part[:ask], part[ask + 1:colon], part[colon + 1:]
    return ["(", *_ternary(then), ")", "if", "(", *_ternary(condition), ")", "else",
            "(", *_ternary(otherwise), ")"]


def translate(text: str) -> str:
    """Manila's expression syntax as Python source (still to be checked by ``compile``)."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    return " ".join(_ternaries(_groups(_tokens(text))))


# --- checking and compiling -------------------------------------------------------------

def _number(value: Any) -> float:
    if isinstance(value, bool | int | float):
        return float(value)
    raise ExpressionError(f"{value!r} is not a number")


def _power(base: Any, exponent: Any) -> float:
    b, e = _number(base), _number(exponent)
    if abs(e) > MAX_EXPONENT:
        raise ExpressionError(f"exponent {e:g} is larger than {MAX_EXPONENT}")
    result = b ** e
    if not isinstance(result, float):  # a negative base to a fractional power
        raise ExpressionError(f"{b:g} ** {e:g} is not a real number")
    return result


def _divide(left: Any, right: Any) -> float:
    return _number(left) / _number(right)


def _modulo(left: Any, right: Any) -> float:
    return _number(left) % _number(right)


def _arith(op: Callable[[float, float], float]) -> Callable[[Any, Any], float]:
    def apply(left: Any, right: Any) -> float:
        return op(_number(left), _number(right))

    return apply


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: _arith(operator.add), ast.Sub: _arith(operator.sub),
    ast.Mult: _arith(operator.mul), ast.Div: _divide, ast.Mod: _modulo, ast.Pow: _power,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
    ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}


def _variable_value(value: Any) -> Any:
    """Numbers as floats; a numeric string is a number (Manila's rule)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return value if math.isnan(number) else number
    return value


def _compile(node: ast.AST, depth: int) -> _Node:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"nested deeper than {MAX_DEPTH} levels")
    deeper = depth + 1
    if isinstance(node, ast.Constant):
        value = node.value
        if not isinstance(value, bool | int | float | str):
            raise ExpressionError(f"constant {value!r} is not allowed")
        constant = float(value) if isinstance(value, int | float) and not isinstance(
            value, bool) else value
        return lambda _v: constant
    if isinstance(node, ast.Attribute):
        return _compile_variable(node)
    if isinstance(node, ast.BinOp):
        op = _BINARY.get(type(node.op))
        if op is None:
            raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
        left, right = _compile(node.left, deeper), _compile(node.right, deeper)
        return lambda v: op(left(v), right(v))
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand, deeper)
        if isinstance(node.op, ast.Not):
            return lambda v: not operand(v)
        if isinstance(node.op, ast.USub):
            return lambda v: -_number(operand(v))
        if isinstance(node.op, ast.UAdd):
            return lambda v: _number(operand(v))
        raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
    if isinstance(node, ast.BoolOp):
        values = [_compile(value, deeper) for value in node.values]
        if isinstance(node.op, ast.And):
            return functools.partial(_all, values)
        return functools.partial(_any, values)
    if isinstance(node, ast.Compare):
        return _compile_compare(node, deeper)
    if isinstance(node, ast.IfExp):
        test, body, orelse = (_compile(n, deeper) for n in (node.test, node.body, node.orelse))
        return lambda v: body(v) if test(v) else orelse(v)
    if isinstance(node, ast.Call):
        return _compile_call(node, deeper)
    if isinstance(node, ast.Name):
        raise ExpressionError(f"name {node.id!r} is not a variable (share.<attr>, ...)")
    raise ExpressionError(f"{type(node).__name__} is not allowed")


def _all(values: list[_Node], variables: Variables) -> Any:
    result: Any = True
    for value in values:
        result = value(variables)
        if not result:
            return result
    return result


def _any(values: list[_Node], variables: Variables) -> Any:
    result: Any = False
    for value in values:
        result = value(variables)
        if result:
            return result
    return result


def _compile_variable(node: ast.Attribute) -> _Node:
    if not (isinstance(node.value, ast.Name) and node.value.id in ROOTS):
        raise ExpressionError("only share.<attr>, host.<attr>, stats.<attr>, "
                              "capabilities.<attr> and extra.<key> are variables")
    if node.attr.startswith("_"):
        raise ExpressionError(f"attribute {node.attr!r} is not allowed")
    root, attr = _ROOT_ALIASES.get(node.value.id, node.value.id), node.attr
    shown = f"{node.value.id}.{attr}"

    def lookup(variables: Variables) -> Any:
        try:
            return _variable_value(variables[root][attr])
        except KeyError:
            raise ExpressionError(f"unknown variable {shown}") from None

    return lookup


def _compile_compare(node: ast.Compare, depth: int) -> _Node:
    ops: list[Callable[[Any, Any], bool]] = []
    for op in node.ops:
        function = _COMPARE.get(type(op))
        if function is None:
            raise ExpressionError(f"comparison {type(op).__name__} is not allowed")
        ops.append(function)
    operands = [_compile(n, depth) for n in (node.left, *node.comparators)]

    def compare(variables: Variables) -> bool:
        left = operands[0](variables)
        for function, right_node in zip(ops, operands[1:], strict=True):
            right = right_node(variables)
            if not function(left, right):
                return False
            left = right
        return True

    return compare


def _compile_call(node: ast.Call, depth: int) -> _Node:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        raise ExpressionError("only max(), min() and abs() may be called")
    if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
        raise ExpressionError(f"{node.func.id}() takes plain arguments only")
    name = node.func.id
    if not node.args or (name == "abs" and len(node.args) != 1):
        raise ExpressionError(f"{name}() called with {len(node.args)} arguments")
    function = FUNCTIONS[name]
    args = [_compile(arg, depth + 1) for arg in node.args]

    def call(variables: Variables) -> float:
        values = [_number(arg(variables)) for arg in args]
        return function(values[0]) if name == "abs" else function(values)

    return call


@dataclass(frozen=True)
class Expression:
    """A checked expression, ready to evaluate any number of times."""

    source: str
    python: str
    _evaluate: _Node

    def evaluate(self, variables: Variables) -> Any:
        try:
            return self._evaluate(variables)
        except ExpressionError:
            raise
        except (ArithmeticError, TypeError, ValueError, RecursionError) as exc:
            raise ExpressionError(f"{type(exc).__name__}: {exc}") from None


def _build(text: str) -> Expression:
    python = translate(text)
    try:
        tree = ast.parse(python, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"invalid expression: {exc}") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise ExpressionError(f"expression has {count} parts, more than {MAX_NODES}")
    return Expression(text, python, _compile(tree.body, 0))


@functools.lru_cache(maxsize=1024)
def _cached(text: str) -> Expression | str:
    # Errors are cached as messages: re-raising one exception object would grow its
    # traceback on every use.
    try:
        return _build(text)
    except ExpressionError as exc:
        return str(exc)


def compile_expression(text: str) -> Expression:
    """The checked ``text``; ExpressionError if it is not allowed. Results are cached."""
    if not isinstance(text, str):
        raise ExpressionError(f"expression must be a string, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:  # checked before the cache, which would keep the text
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    built = _cached(text)
    if isinstance(built, str):
        raise ExpressionError(built)
    return built


def evaluate(text: str, variables: Variables) -> Any:
    """Compile (cached) and evaluate ``text``; ExpressionError on any problem."""
    return compile_expression(text).evaluate(variables)
