"""Tolerant phrase matching for the qualification rules.

A phrase is a few words written as the business would write them
(``"tombé en panne"``, ``"fuite*"``). Matching ignores accents, case and
punctuation; a word ending in ``*`` matches any word starting with it; a
plural ``s``/``x`` is ignored; words of six letters or more also match with
one letter missing or extra (not the first), words of five with one letter missing, and words of five
letters or more with one consonant (not the first) heard as its voiced or unvoiced twin ("fuide" for "fuite"; any other
changed letter is not accepted: "montant" is not "montent"); one extra word may
sit between two words of a phrase, and a phrase of three words or more still
matches with one of its words missing or misheard.

>>> m = PhraseMatcher({"p": ["tombe* en panne"], "q": ["ne fonctionne plus"]})
>>> sorted(h.rule for h in m.find("la pompe est tombee en panne hier"))
['p']
>>> [h.span for h in m.find("elle ne fonctionnne plus")]
[(1, 4)]
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from .language import Matching
from .text import alike as _alike
from .text import within_one

FUZZY_MIN_LEN = 6
# a matcher given no language's small words treats every word as meaning and knows no negation
NO_SMALL_WORDS = Matching(frozenset(), frozenset(), frozenset(), frozenset())


@dataclasses.dataclass(frozen=True)
class Hit:
    rule: str
    span: tuple[int, int]  # token indexes [start, end)
    phrase: str


def _denied(tokens: Sequence[str], p: int, words: Matching) -> bool:
    """Is the word at ``p`` denied ("pas bloqués", "pas en panne", "pas de fuite")? Only the negation adverb
    itself counts ("pas de courant" / "no power" describe a breakdown, "plus de chauffage" says something
    stopped), with at most one small word between ("pas en panne", "pas de fuite", "pas d'alarme")."""
    if p > 0 and tokens[p - 1] in words.negations:
        return True
    return p > 1 and tokens[p - 1] in words.negation_between and tokens[p - 2] in words.negations


def _may_skip(toks: Sequence[str], skip: int, content: int, small: Matching) -> bool:
    """May a phrase of three words or more (``content`` of them carry meaning) match without its word at
    ``skip``?"""
    word = toks[skip]
    if word in small.never_dropped:
        # a negation is never optional, unless it closes one that an earlier word of the phrase opened ("ne
        # chauffe plus" heard "ne chauffe": "ne" still says it), with a word of meaning left
        return content >= 1 and any(t in small.never_dropped for t in toks[:skip])
    meaning = _content(word, small)
    if meaning and content < 3:
        return False  # a short phrase needs all its content words
    if content - meaning < 1:
        return False  # what is left must still say something
    if not meaning and content < 2:
        return False  # "plus de clients" is not "plus ... les clients": one meaning word needs its frame
    # "combien ça coûte" is not "combien ça ...": two meaning words need both
    return not (meaning and content < 3 and len(toks) < 4)


def _content(word: str, words: Matching) -> bool:
    """A word that carries meaning (a phrase cannot match without it, unless it has three of them)."""
    return len(word) > 1 and word not in words.function_words and word not in words.never_dropped


ALIKE_MIN_LEN = 5
VOWEL_MIN_LEN = 8  # a vowel changed is tolerated in words this long (not "montant" for "montent": both are words)
_VOWELS = str.maketrans("aeiouy", "******")


def _vowels(word: str) -> str:
    return word.translate(_VOWELS)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class PhraseMatcher:
    """Compiled set of phrases, each belonging to a rule id."""

    def __init__(self, phrases: Mapping[str, Sequence[str]], words: Matching | None = None) -> None:
        self._words = words or NO_SMALL_WORDS
        self._phrases: list[tuple[str, str, tuple[int, ...]]] = []
        self._token_ids: dict[str, int] = {}
        self._exact: dict[str, set[int]] = defaultdict(set)
        self._fuzzy: dict[str, set[int]] = defaultdict(set)
        self._prefix: dict[str, set[int]] = defaultdict(set)
        self._alike: dict[str, set[int]] = defaultdict(set)
        self._prefix_alike: dict[str, set[int]] = defaultdict(set)
        self._prefix_missing: dict[str, set[int]] = defaultdict(set)  # a stem less one letter -> its ids
        self._vowel: dict[str, set[int]] = defaultdict(set)  # a long word with its vowels masked -> its ids
        self._seen: dict[str, frozenset[int]] = {}
        self._prefix_lengths: set[int] = set()
        self._names: list[str] = []
        for rule, items in phrases.items():
            for phrase in items:
                toks = phrase.split()
                ids = tuple(self._token(t) for t in toks)
                if ids:
                    self._phrases.append((rule, phrase, ids))
        # a phrase can only match when its first word, or its second one (a long phrase may miss its first), is
        # heard: index the phrases by those words, and keep their order
        self._starting: dict[int, list[int]] = defaultdict(list)
        for k, (_rule, _phrase, ids) in enumerate(self._phrases):
            for tid in {ids[0], *(ids[1:2] if len(ids) >= 3 else ())}:
                self._starting[tid].append(k)

    def _token(self, tok: str) -> int:
        if tok in self._token_ids:
            return self._token_ids[tok]
        tid = len(self._token_ids)
        self._token_ids[tok] = tid
        self._names.append(tok)
        if tok.endswith("*"):
            stem = tok[:-1]
            self._prefix[stem].add(tid)
            self._prefix_lengths.add(len(stem))
            if len(stem) >= ALIKE_MIN_LEN:
                self._prefix_alike[_alike(stem)].add(tid)  # "inonte" for "inond*"
            if len(stem) >= FUZZY_MIN_LEN:
                for i in range(1, len(stem) - 1):  # not the last one: "floo" is no "flood*"
                    self._prefix_missing[stem[:i] + stem[i + 1:]].add(tid)
        else:
            self._exact[tok].add(tid)
            if len(tok) >= ALIKE_MIN_LEN:
                self._alike[_alike(tok)].add(tid)
            if len(tok) >= FUZZY_MIN_LEN - 1:
                self._fuzzy[tok].add(tid)
                for d in _deletions(tok):
                    self._fuzzy[d].add(tid)
            if len(tok) >= VOWEL_MIN_LEN:
                self._vowel[_vowels(tok)].add(tid)
        return tid

    def _ids_for(self, word: str) -> frozenset[int]:
        """The phrase words ``word`` can be (remembered: the same words come back call after call)."""
        found = self._seen.get(word)
        if found is None:
            found = frozenset(self._lookup(word))
            if len(self._seen) < 20000:
                self._seen[word] = found
        return found

    def _lookup(self, word: str) -> set[int]:
        ids: set[int] = set(self._exact.get(word, ()))
        if len(word) > 2 and word[-1] in "sx":
            ids |= self._exact.get(word[:-1], set())
        for n in self._prefix_lengths:
            if len(word) >= n:
                ids |= self._prefix.get(word[:n], set())
        if word in self._words.plain_words:
            return ids  # a word of its own, not a near one misheard
        if len(word) >= FUZZY_MIN_LEN - 2:
            cands = set(self._fuzzy.get(word, set()))
            if len(word) >= FUZZY_MIN_LEN - 1:
                for d in _deletions(word):
                    cands |= self._fuzzy.get(d, set())
            ids |= {t for t in cands - ids if word[0] == self._names[t][0] and len(word) != len(self._names[t])
                    and within_one(word, self._names[t])
                    and (len(self._names[t]) >= FUZZY_MIN_LEN or len(word) < len(self._names[t]))}
        if len(word) >= ALIKE_MIN_LEN and word not in self._exact:
            # a consonant heard as its voiced or unvoiced twin ("fuide" for "fuite", "bloqé" aside), not the
            # first one ("dripping" is not "tripping"), unless the word is itself one of the phrases' words
            ids |= {t for t in self._alike.get(_alike(word), set())
                    if word[0] == self._names[t][0] and within_one(word, self._names[t])}
            if not ids and self._prefix_alike:
                key = _alike(word)
                ids |= {t for n in self._prefix_lengths if len(word) >= n >= ALIKE_MIN_LEN
                        for t in self._prefix_alike.get(key[:n], ()) if word[0] == self._names[t][0]}
        if len(word) >= ALIKE_MIN_LEN and not self._exact.get(word) and \
                not any(self._prefix.get(word[:n]) for n in self._prefix_lengths):
            ids |= self._stem_one_off(word)
        if not ids and len(word) >= VOWEL_MIN_LEN:
            # one vowel heard as another in a long word ("invoicu", "placyment")
            ids |= {t for t in self._vowel.get(_vowels(word), ()) if word[0] == self._names[t][0] and
                    within_one(word, self._names[t])}
        return ids

    def _stem_one_off(self, word: str) -> set[int]:
        """A ``stem*`` of six letters or more heard with one letter missing or extra, not the first or the last
        one ("boqué" for "bloqué*"; "agées" is not "agree*", "caisse" not "cass*")."""
        out: set[int] = set()
        for n in self._prefix_lengths:
            if n < FUZZY_MIN_LEN:
                continue
            if n - 1 <= len(word) <= n + 1:  # the stem and a short ending ("é", "ées")
                out |= self._prefix_missing.get(word[:n - 1], set())  # a letter of the stem not heard
            head = word[:n + 1]
            if len(head) == n + 1:  # a letter too many
                for i in range(1, n):
                    out |= self._prefix.get(head[:i] + head[i + 1:], set())
        return out

    def _where(self, tokens: Sequence[str]) -> dict[int, list[int]]:
        """Phrase-word id -> positions in ``tokens``. A word the recogniser split in two ("tempe rature") is
        found where it ends; two words of three letters or more it ran together ("pannefuite", "eaumonte") are
        both found where they were said."""
        where: dict[int, list[int]] = defaultdict(list)
        for pos, word in enumerate(tokens):
            ids = self._ids_for(word)
            for tid in ids:
                where[tid].append(pos)
            if not ids and len(word) >= 8:
                for cut in range(3, len(word) - 2):
                    if word[:cut] in self._exact and word[cut:] in self._exact:
                        for tid in self._exact[word[:cut]] | self._exact[word[cut:]]:
                            where[tid].append(pos)
                        break
        for pos in range(1, len(tokens)):
            joined = tokens[pos - 1] + tokens[pos]
            if len(joined) >= 5 and len(tokens[pos - 1]) >= 2 and len(tokens[pos]) >= 2:
                for tid in self._exact.get(joined, ()):
                    where[tid].append(pos)
        for positions in where.values():
            positions.sort()
        return where

    def find(self, text_or_tokens: str | Sequence[str]) -> list[Hit]:
        """Every rule whose phrase occurs (once per phrase, first occurrence)."""
        tokens = text_or_tokens.split() if isinstance(text_or_tokens, str) else list(text_or_tokens)
        where = self._where(tokens)
        hits: list[Hit] = []
        candidates = sorted({k for tid in where for k in self._starting.get(tid, ())})
        for rule, phrase, ids in (self._phrases[k] for k in candidates):
            if ids[0] not in where and (len(ids) < 3 or ids[1] not in where):
                continue
            if len(ids) < 3:
                if ids[-1] not in where:
                    continue
            elif sum(1 for t in ids if t not in where) > 1:
                continue
            small = self._words
            denies = not any(t in small.never_dropped for t in phrase.split())
            starts = where
            if denies and any(_denied(tokens, p, small) for p in where.get(ids[0], ())):
                starts = dict(where)
                starts[ids[0]] = [p for p in where[ids[0]] if not _denied(tokens, p, small)]
                if len(ids) >= 3 and ids[1] in where:
                    starts[ids[1]] = [p for p in where[ids[1]] if not _denied(tokens, p, small)]
            span = _match(ids, starts, small.never_dropped, tokens=tokens)
            if span is None and len(ids) >= 3:
                toks = phrase.split()
                content = sum(1 for t in toks if _content(t, small))
                for skip in range(len(ids)):
                    if not _may_skip(toks, skip, content, small):
                        continue
                    span = _match(ids[:skip] + ids[skip + 1:], starts, small.never_dropped, gap=3, tokens=tokens)
                    if span is not None:
                        break
            if span is not None:
                hits.append(Hit(rule, span, phrase))
        return hits


def _match(ids: Sequence[int], where: Mapping[int, list[int]], never: frozenset[str], gap: int = 2,
           tokens: Sequence[str] = ()) -> tuple[int, int] | None:
    first = where.get(ids[0])
    if not first:
        return None
    for start in first:
        pos = start
        ok = True
        for tid in ids[1:]:
            # a word may sit between two words of a phrase, but not a negation: "chauffe plus trop" is not
            # "chauffe trop"
            nxt = [p for p in where.get(tid, ()) if pos < p <= pos + gap
                   and not any(t in never for t in tokens[pos + 1:p])]
            if not nxt:
                ok = False
                break
            pos = nxt[0]
        if ok:
            return (start, pos + 1)
    return None


def regex_spans(pattern: re.Pattern[str], tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Token spans of every match of ``pattern`` on the space-joined tokens."""
    text = " ".join(tokens)
    starts: list[int] = []
    off = 0
    for t in tokens:
        starts.append(off)
        off += len(t) + 1
    out = []
    for m in pattern.finditer(text):
        a = sum(1 for s in starts if s <= m.start()) - 1
        b = sum(1 for s in starts if s < m.end())
        out.append((max(a, 0), max(b, a + 1)))
    return out


class WordRepair:
    """Heard words put back as the rules' words before the rules' regular expressions read them (the phrase
    matcher tolerates the same for phrases): a word no rule knows that is one letter off exactly one word the
    patterns use ("refroidt", "pluz": the same tolerance as for phrase words), or two such words run together
    ("produitplus"); hesitations are left out.

    >>> r = WordRepair(["chauffe", "plus"], frozenset({"ne", "le", "four"}))
    >>> r.repair("le four ne chaufe pluz".split())
    (['le', 'four', 'ne', 'chauffe', 'plus'], [0, 1, 2, 3, 4])
    """

    def __init__(self, pattern_words: Iterable[str], known: frozenset[str], skip: frozenset[str] = frozenset()) -> None:
        """``known``: the words that are heard as themselves (the rules' words; ``stem*`` for any word it starts);
        ``skip``: hesitations, left out of the repaired words ("distribution um board" is read "distribution
        board")."""
        self._skip = skip - frozenset(pattern_words)
        self._words = frozenset(w for w in pattern_words if len(w) >= 4)
        self._known = frozenset(w for w in known if not w.endswith("*")) | self._words
        self._stems = tuple(sorted({w[:-1] for w in known if w.endswith("*") and len(w) > 3}))
        self._by_first: dict[str, list[str]] = defaultdict(list)
        for w in sorted(self._words):
            self._by_first[_alike(w[0])].append(w)
        self._memo: dict[str, tuple[str, ...]] = {}

    def word(self, tok: str) -> tuple[str, ...]:
        """``tok`` as the patterns' word(s) it stands for (itself when it is a known word or no near one)."""
        found = self._memo.get(tok)
        if found is None:
            found = self._lookup(tok)
            if len(self._memo) < 20000:
                self._memo[tok] = found
        return found

    def _lookup(self, tok: str) -> tuple[str, ...]:
        if tok in self._known or len(tok) < 4 or not tok.isalpha() or tok.startswith(self._stems):
            return (tok,)
        near = [w for w in self._by_first.get(_alike(tok[0]), ()) if _one_off(tok, w)]
        if len(near) == 1:
            return (near[0],)
        for cut in range(3, len(tok) - 2):
            a, b = tok[:cut], tok[cut:]
            if a in self._known and b in self._known and (a in self._words or b in self._words):
                return (a, b)
        return (tok,)

    def repair(self, tokens: Sequence[str]) -> tuple[list[str], list[int]]:
        """The repaired tokens, and for each the position of the heard word it comes from."""
        out: list[str] = []
        where: list[int] = []
        for i, tok in enumerate(tokens):
            if tok in self._skip:
                continue
            for w in self.word(tok):
                out.append(w)
                where.append(i)
        return out, where


def _one_off(heard: str, word: str) -> bool:
    """The phrase matcher's tolerance: a consonant heard as its twin (four letters or more; the first one too
    in a word of five or more that no rule knows, "poard"), a letter missing (five or more) or extra (six or
    more); no other change of the first letter."""
    if heard[0] != word[0]:
        return len(heard) == len(word) >= 5 and _alike(heard) == _alike(word) and within_one(heard, word)
    if len(heard) == len(word):
        return within_one(heard, word) and (_alike(heard) == _alike(word) or
                                            (len(word) >= VOWEL_MIN_LEN and _vowels(heard) == _vowels(word)))
    if len(word) < 5 or (len(heard) > len(word) and (len(word) < FUZZY_MIN_LEN or heard[:-1] == word)):
        return False  # nor a word of the patterns with an ending: "réponds" is another form than "répond"
    return within_one(heard, word)


def pattern_words(patterns: Iterable[re.Pattern[str]]) -> set[str]:
    """The words written in regular expressions (their escapes such as ``\\b`` and ``\\w`` left out)."""
    return {w for p in patterns for w in re.findall(r"[a-z]{2,}", re.sub(r"\\[a-zA-Z]", " ", p.pattern))}
