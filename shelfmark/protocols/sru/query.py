"""CQL to the catalogue's search: parse with cql-parser, resolve indexes of the cql, dc and bath context sets, and
translate each clause into the catalogue search engine's own terms, so that Chinese words, pinyin and initials,
simplified and traditional forms match as they do in the OPAC.

Relations: `=` and `all` need every word (each word, or its pinyin, in the index), `any` one of them, `adj` every
word and the words as written (a phrase); `==` (and CQL 1.1's `exact`) compare the whole value: the normalised
title for dc.title, the folded name or heading for dc.creator, dc.subject and dc.publisher. A word may end in `*`
(right truncation). dc.date takes = == < <= > >= on the year of publication.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from cql.lexer import CQLLexerError
from cql.parser import CQLParser12, CQLParserError, CQLSearchClause, CQLTriple

from shelfmark.catalog.search.query import All as AllOf
from shelfmark.catalog.search.query import AnyOf, Node, Term, text_node
from shelfmark.catalog.search.tokens import TEXT_FIELDS, fold, isbn_token, issn_token, query_words
from shelfmark.catalog.text import title_key

from .diagnostics import Diagnostic

# cql-parser logs each syntax error with its parser stack at ERROR; the client gets diagnostic 10 instead.
logging.getLogger("cql").setLevel(logging.CRITICAL)

CONTEXT_SETS = {
    "cql": "info:srw/cql-context-set/1/cql-v1.2",
    "dc": "info:srw/cql-context-set/1/dc-v1.1",
    "bath": "http://zing.z3950.org/cql/bath/2.0/",
}
_KNOWN_URIS = {
    "info:srw/cql-context-set/1/cql-v1.1": "cql",
    **{uri: name for name, uri in CONTEXT_SETS.items()},
}
# An index without a prefix belongs to the default context set.
DEFAULT_SET = "dc"
MAX_QUERY = 2000
# An exact (==) name or heading is checked record by record among the records with its words: at most this many.
EXACT_CANDIDATES = 10_000

# Index kinds: text in index fields (t title, a names, s subjects, p publisher), identifiers, the year, everything.
TITLE, NAME, SUBJECT, PUBLISHER, ANYWHERE, ISBN, ISSN, IDENTIFIER, YEAR, ALL_RECORDS = (
    "title", "name", "subject", "publisher", "anywhere", "isbn", "issn", "identifier", "year", "all",
)  # fmt: skip
INDEXES = {
    ("cql", "serverchoice"): ANYWHERE,
    ("cql", "anywhere"): ANYWHERE,
    ("cql", "keywords"): ANYWHERE,
    ("cql", "allrecords"): ALL_RECORDS,
    ("dc", "title"): TITLE,
    ("dc", "creator"): NAME,
    ("dc", "contributor"): NAME,
    ("dc", "subject"): SUBJECT,
    ("dc", "publisher"): PUBLISHER,
    ("dc", "date"): YEAR,
    ("dc", "identifier"): IDENTIFIER,
    ("bath", "isbn"): ISBN,
    ("bath", "issn"): ISSN,
    ("bath", "name"): NAME,
    ("bath", "personalname"): NAME,
    ("bath", "corporatename"): NAME,
    ("bath", "subject"): SUBJECT,
    ("bath", "keytitle"): TITLE,
}
FIELDS = {TITLE: ("t",), NAME: ("a",), SUBJECT: ("s",), PUBLISHER: ("p",), ANYWHERE: TEXT_FIELDS}
TEXT_RELATIONS = {"=", "all", "any", "adj", "==", "exact"}
YEAR_RELATIONS = {"=", "==", "<", "<=", ">", ">="}
# Relations of CQL 1.2 (and 1.1's exact) that this server does not offer anywhere.
OTHER_RELATIONS = {"<>", "within", "encloses"}
_MASK = re.compile(r"(?<!\\)[*?]")
_ANCHOR = re.compile(r"(?<!\\)\^")


# -- the plan ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """Records whose index rows match `node`, and whose text holds each of `phrases` as written."""

    node: Node
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    """Records whose catalog_record row meets an SQL condition on its columns."""

    condition: str
    params: tuple[Any, ...]


@dataclass(frozen=True)
class Equals:
    """Records among `candidates` one of whose `fields` values, folded, is `value`: == on names and headings."""

    candidates: Match
    fields: tuple[str, ...]
    value: str


@dataclass(frozen=True)
class Everything:
    """Every record (cql.allRecords)."""


@dataclass(frozen=True)
class Nothing:
    """No record: a term with no word to search."""


@dataclass(frozen=True)
class Boolean:
    operator: str  # and, or, not
    left: Plan
    right: Plan


Plan = Match | Column | Equals | Everything | Nothing | Boolean


# -- parsing ----------------------------------------------------------------------------------------------------

_local = threading.local()


def _parser() -> CQLParser12:
    """One parser per thread: ply's parser keeps its state while it parses."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = CQLParser12()
        parser.build()  # with its own CQLLexer
        _local.parser = parser
    return parser


def parse(query: str) -> Plan:
    """Parse a CQL query and translate it, or raise the diagnostic that says what is wrong with it."""
    if not query.strip():
        raise Diagnostic(27, "query")
    if len(query) > MAX_QUERY:
        raise Diagnostic(10, f"longer than {MAX_QUERY} characters")
    try:
        parsed = _parser().parse(query)
    except (CQLParserError, CQLLexerError) as error:
        raise Diagnostic(10, str(error.args[0]) if error.args else query) from None
    if parsed is None:
        raise Diagnostic(10, query)
    return _translate(parsed.root, dict(CONTEXT_SETS))


def _translate(node: Any, sets: dict[str, str]) -> Plan:
    if node.sortSpecs:
        raise Diagnostic(80, " ".join(str(spec.index) for spec in node.sortSpecs))
    sets = _with_prefixes(node, sets)
    if isinstance(node, CQLTriple):
        operator = str(node.operator.value).lower()
        if node.operator.modifiers:
            raise Diagnostic(46, str(node.operator.modifiers[0]))
        if operator == "prox":
            raise Diagnostic(39, "prox")
        if operator not in ("and", "or", "not"):
            raise Diagnostic(37, operator)
        return combine(operator, _translate(node.left, sets), _translate(node.right, sets))
    assert isinstance(node, CQLSearchClause)
    return _clause(node, sets)


def _with_prefixes(node: Any, sets: dict[str, str]) -> dict[str, str]:
    if not node.prefixes:
        return sets
    scoped = dict(sets)
    for assignment in node.prefixes:
        name = _KNOWN_URIS.get(str(assignment.uri))
        if name is None:
            raise Diagnostic(15, str(assignment.uri))
        scoped[str(assignment.prefix or DEFAULT_SET).lower()] = CONTEXT_SETS[name]
    return scoped


def _clause(clause: CQLSearchClause, sets: dict[str, str]) -> Plan:
    term = str(clause.term)
    index = str(clause.index) if clause.index is not None else "cql.serverChoice"
    relation = str(clause.relation.comparitor).lower() if clause.relation is not None else "="
    if clause.relation is not None and clause.relation.modifiers:
        raise Diagnostic(20, str(clause.relation.modifiers[0]).lstrip("/"))
    kind = _index_kind(index, sets)
    if relation in OTHER_RELATIONS or relation not in TEXT_RELATIONS | YEAR_RELATIONS:
        raise Diagnostic(19, relation)
    if kind == ALL_RECORDS:
        return Everything()
    if not term.strip():
        raise Diagnostic(27, index)
    if _ANCHOR.search(term):
        raise Diagnostic(31, term)
    if kind == YEAR:
        return _year(term, relation, index)
    if relation not in TEXT_RELATIONS:
        raise Diagnostic(22, f"{index} {relation}")
    if kind in (ISBN, ISSN, IDENTIFIER):
        return _identifier(kind, _unescaped(_no_masking(term)))
    return _text(kind, term, relation)


def _index_kind(index: str, sets: dict[str, str]) -> str:
    prefix, _, name = index.rpartition(".")
    prefix = (prefix or DEFAULT_SET).lower()
    uri = sets.get(prefix)
    if uri is None:
        raise Diagnostic(15, prefix)
    context = _KNOWN_URIS[uri]
    kind = INDEXES.get((context, name.lower()))
    if kind is None:
        raise Diagnostic(16, index)
    return kind


def _year(term: str, relation: str, index: str) -> Plan:
    value = term.strip()
    if not re.fullmatch(r"\d{1,4}", value):
        raise Diagnostic(36, f"{index} {term}")
    operator = {"=": "=", "==": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[relation]
    return Column(f"year {operator} %s", (int(value),))


def _identifier(kind: str, term: str) -> Plan:
    value = term.strip()
    if kind == ISBN:
        return Match(Term(("i",), isbn_token(value) or value.lower()))
    if kind == ISSN:
        return Match(Term(("i",), issn_token(value) or value.lower()))
    tokens = dict.fromkeys(token for token in (isbn_token(value), issn_token(value)) if token)
    terms: list[Node] = [Term(("i",), token) for token in tokens] or [Term(("i",), value.lower())]
    return Match(terms[0] if len(terms) == 1 else AnyOf(tuple(terms)))


def _text(kind: str, term: str, relation: str) -> Plan:
    fields = FIELDS[kind]
    if relation in ("==", "exact"):
        value = _unescaped(_no_masking(term))
        if kind == TITLE:
            return Column("title_key = %s", (title_key(value),))
        candidates = _words(value, fields, every=True, phrase=True)
        if isinstance(candidates, Nothing):
            return candidates
        names = {NAME: ("authors",), SUBJECT: ("subjects",), PUBLISHER: ("publisher",)}
        everywhere = ("title", "other_titles", "authors", "subjects", "publisher")
        return Equals(candidates, names.get(kind, everywhere), fold(value))
    if relation == "adj":
        return _words(_unescaped(_no_masking(term)), fields, every=True, phrase=True)
    plan = _words(term, fields, every=relation != "any", phrase=False)
    if kind == ANYWHERE and relation != "any" and isinstance(plan, Match) and " " not in term.strip():
        # A bare ISBN typed anywhere is found as the ISBN too, as in the OPAC's search box.
        token = isbn_token(term)
        if token.isdigit() and len(token) == 13:
            plan = Match(AnyOf((plan.node, Term(("i",), token))), plan.phrases)
    return plan


def _no_masking(term: str) -> str:
    if _MASK.search(term):
        raise Diagnostic(28, term)
    return term


def _unescaped(term: str) -> str:
    return re.sub(r"\\(.)", r"\1", term)


def _words(term: str, fields: tuple[str, ...], *, every: bool, phrase: bool) -> Match | Nothing:
    """The words of a term in `fields`: all of them or any; a word ending in * matches as a prefix."""
    parts: list[Node] = []
    plain: list[str] = []
    for chunk in term.split():
        masks = _MASK.findall(chunk)
        truncated = bool(masks) and chunk.endswith("*") and not chunk.endswith("\\*")
        if len(masks) > (1 if truncated else 0):
            raise Diagnostic(28, chunk)
        if not truncated:
            plain.append(_unescaped(chunk))
            continue
        words = query_words(fold(_unescaped(chunk[:-1])))
        if not words:
            raise Diagnostic(28, chunk)
        if every and len(words) > 1:
            node, _ = text_node(" ".join(words[:-1]), fields)
            if node is not None:
                parts.append(node)
        elif len(words) > 1:
            parts += [Term(fields, word) for word in words[:-1]]
        parts.append(Term(fields, words[-1], prefix=True))
    text = " ".join(plain)
    if every:
        node, _ = text_node(text, fields)
        if node is not None:
            parts.insert(0, node)
    else:
        parts[:0] = [_one_word(word, fields) for word in dict.fromkeys(query_words(fold(text)))]
    if not parts:
        return Nothing()
    joined = parts[0] if len(parts) == 1 else (AllOf(tuple(parts)) if every else AnyOf(tuple(parts)))
    phrases = (fold(term),) if phrase and fold(term) else ()
    return Match(joined, phrases)


def _one_word(word: str, fields: tuple[str, ...]) -> Node:
    node, _ = text_node(word, fields)
    return node if node is not None else Term(fields, word)


def combine(operator: str, left: Plan, right: Plan) -> Plan:
    """Join two plans, folding what the search engine can evaluate in one statement into one Match."""
    if isinstance(left, Match) and isinstance(right, Match):
        if operator == "and":
            return Match(AllOf((left.node, right.node)), left.phrases + right.phrases)
        if operator == "or" and not left.phrases and not right.phrases:
            return Match(AnyOf((left.node, right.node)))
    if operator == "and" and (isinstance(left, Nothing) or isinstance(right, Nothing)):
        return Nothing()
    if operator in ("or", "not") and isinstance(right, Nothing):
        return left
    if operator == "or" and isinstance(left, Nothing):
        return right
    if isinstance(left, Nothing):
        return left
    return Boolean(operator, left, right)
