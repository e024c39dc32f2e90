"""Legacy Vietnamese encodings (TCVN3/ABC, VNI-Windows) as read from old workbooks: detect and convert to Unicode.

A cell typed in a legacy font stores 8-bit codes; Excel, openpyxl and python-calamine hand them back as the
cp1252 characters of those bytes ("Sè liÖu" for "Số liệu"). The tables below are written in those characters.

TCVN3 (TCVN 5712:1993 VN3, the ".Vn*" ABC fonts) gives every lowercase letter one code and the uppercase
toneless letters Ă Â Ê Ô Ơ Ư Đ codes of their own; uppercase toned letters do not exist, so headings are typed
in the lowercase codes with an uppercase font (".VnTimeH", ".VnArialH", ...), which converting must uppercase.
VNI-Windows ("VNI-*" fonts) writes a base letter followed by one modifier character ("ố" = "oá").
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

__all__ = [
    "tcvn3_to_unicode", "unicode_to_tcvn3", "vni_to_unicode", "unicode_to_vni", "font_encoding",
    "guess_encoding", "to_unicode", "workbook_legacy_fonts", "cell_encodings", "text_evidence", "confirm_encodings",
]

ENCODINGS = ("tcvn3", "tcvn3-upper", "vni")

# Tone marks in the order used by every table below: none, sắc, huyền, hỏi, ngã, nặng.
_TONE_MARKS = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_BASES = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")


def _letter(base: str, tone: int) -> str:
    return unicodedata.normalize("NFC", base + _TONE_MARKS[tone])


# Every Vietnamese vowel letter: (lowercase base, tone index) → precomposed letter, lowercase only.
_LOWER_VOWELS = {(b, t): _letter(b, t) for b in _BASES for t in range(6)}
VIETNAMESE_LETTERS = frozenset(
    list(_LOWER_VOWELS.values()) + [v.upper() for v in _LOWER_VOWELS.values()] + ["đ", "Đ"]
)  # 12 vowels x 6 tones x 2 cases + đ/Đ: the 134 letters with a diacritic and the 12 plain vowels
# toned/diacritic letter → (toneless letter, tone index), lowercase.
_SPLIT = {v: (b, t) for (b, t), v in _LOWER_VOWELS.items()}

# ---------------------------------------------------------------------------------------------------- TCVN3
# Byte of each lowercase letter, by tone (none, sắc, huyền, hỏi, ngã, nặng); None = plain ASCII letter.
_TCVN3_BYTES = {
    "a": (None, 0xB8, 0xB5, 0xB6, 0xB7, 0xB9),
    "ă": (0xA8, 0xBE, 0xBB, 0xBC, 0xBD, 0xC6),
    "â": (0xA9, 0xCA, 0xC7, 0xC8, 0xC9, 0xCB),
    "e": (None, 0xD0, 0xCC, 0xCE, 0xCF, 0xD1),
    "ê": (0xAA, 0xD5, 0xD2, 0xD3, 0xD4, 0xD6),
    "i": (None, 0xDD, 0xD7, 0xD8, 0xDC, 0xDE),
    "o": (None, 0xE3, 0xDF, 0xE1, 0xE2, 0xE4),
    "ô": (0xAB, 0xE8, 0xE5, 0xE6, 0xE7, 0xE9),
    "ơ": (0xAC, 0xED, 0xEA, 0xEB, 0xEC, 0xEE),
    "u": (None, 0xF3, 0xEF, 0xF1, 0xF2, 0xF4),
    "ư": (0xAD, 0xF8, 0xF5, 0xF6, 0xF7, 0xF9),
    "y": (None, 0xFD, 0xFA, 0xFB, 0xFC, 0xFE),
}
_TCVN3_OTHER = {"đ": 0xAE, "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7}


def _cp1252(byte: int) -> str:
    return bytes([byte]).decode("cp1252")


_TCVN3_ENCODE: dict[str, str] = {}
for _base, _codes in _TCVN3_BYTES.items():
    for _tone, _code in enumerate(_codes):
        if _code is not None:
            _TCVN3_ENCODE[_LOWER_VOWELS[(_base, _tone)]] = _cp1252(_code)
for _ch, _code in _TCVN3_OTHER.items():
    _TCVN3_ENCODE[_ch] = _cp1252(_code)
_TCVN3_DECODE = {ord(legacy): uni for uni, legacy in _TCVN3_ENCODE.items()}
# Uppercase toned letters have no code: they fall back to the lowercase code (what converters do).
_TCVN3_ENCODE_PLAIN = dict(_TCVN3_ENCODE)
for _uni, _legacy in list(_TCVN3_ENCODE.items()):
    if _uni.islower() and _uni.upper() not in _TCVN3_ENCODE_PLAIN:
        _TCVN3_ENCODE_PLAIN[_uni.upper()] = _legacy
_TCVN3_ENCODE_PLAIN_T = str.maketrans(_TCVN3_ENCODE_PLAIN)
_TCVN3_ENCODE_LOWER_T = str.maketrans({k: v for k, v in _TCVN3_ENCODE.items() if k.islower()})


def tcvn3_to_unicode(text: str, uppercase_font: bool = False) -> str:
    """Convert TCVN3 (ABC) text as read through cp1252 to Unicode NFC; uppercase it for ".Vn...H" fonts."""
    out = text.translate(_TCVN3_DECODE)
    if uppercase_font:
        out = out.upper()
    return unicodedata.normalize("NFC", out)


def unicode_to_tcvn3(text: str, uppercase_font: bool = False) -> str:
    """Encode Unicode text as TCVN3 read through cp1252; uppercase_font stores every letter lowercase (".Vn...H")."""
    text = unicodedata.normalize("NFC", text)
    if uppercase_font:
        return text.lower().translate(_TCVN3_ENCODE_LOWER_T)
    return text.translate(_TCVN3_ENCODE_PLAIN_T)


# ---------------------------------------------------------------------------------------------------- VNI
_VNI_TONE = ("", "ù", "ø", "û", "õ", "ï")       # a e o u y ơ ư + sắc huyền hỏi ngã nặng
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")  # â ê ô + tone
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")       # ă + tone
_VNI_I = ("i", "í", "ì", "æ", "ó", "ò")          # i has single characters
_VNI_BASE = {  # Unicode toneless base → (VNI base, modifier row)
    "a": ("a", _VNI_TONE), "ă": ("a", _VNI_BREVE), "â": ("a", _VNI_CIRCUMFLEX),
    "e": ("e", _VNI_TONE), "ê": ("e", _VNI_CIRCUMFLEX),
    "o": ("o", _VNI_TONE), "ô": ("o", _VNI_CIRCUMFLEX), "ơ": ("ô", _VNI_TONE),
    "u": ("u", _VNI_TONE), "ư": ("ö", _VNI_TONE), "y": ("y", _VNI_TONE),
}

_VNI_ENCODE: dict[str, str] = {"đ": "ñ", "Đ": "Ñ"}
for _base in _BASES:
    for _tone in range(6):
        if _base == "i":
            _seq = _VNI_I[_tone]
        elif _base == "y" and _tone == 5:
            _seq = "î"  # ỵ is a single character
        else:
            _vbase, _row = _VNI_BASE[_base]
            _seq = _vbase + _row[_tone]
        _uni = _LOWER_VOWELS[(_base, _tone)]
        if _seq != _uni:
            _VNI_ENCODE[_uni] = _seq
        if _seq.upper() != _uni.upper():
            _VNI_ENCODE[_uni.upper()] = _seq.upper()
_VNI_ENCODE_T = str.maketrans(_VNI_ENCODE)
_VNI_MODIFIERS = frozenset("".join(_VNI_TONE + _VNI_CIRCUMFLEX + _VNI_BREVE)) | frozenset(
    "".join(_VNI_TONE + _VNI_CIRCUMFLEX + _VNI_BREVE).upper())
_VNI_DECODE = {legacy: uni for uni, legacy in _VNI_ENCODE.items()}
# Longest match first: "ôù" (ớ) must win over "ô" (ơ), "oá" (ố) over a lone "o".
_VNI_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_VNI_DECODE, key=len, reverse=True)))


def vni_to_unicode(text: str) -> str:
    """Convert VNI-Windows text as read through cp1252 to Unicode NFC (longest sequence first)."""
    return unicodedata.normalize("NFC", _VNI_PATTERN.sub(lambda m: _VNI_DECODE[m.group(0)], text))


def unicode_to_vni(text: str) -> str:
    """Encode Unicode text as VNI-Windows read through cp1252."""
    return unicodedata.normalize("NFC", text).translate(_VNI_ENCODE_T)


# ---------------------------------------------------------------------------------------------------- fonts
# ABC fonts whose name lost its leading dot in some files ("VnTime", "VnArialH").
_ABC_NO_DOT = re.compile(
    r"vn(time|arial|avant|courier|helvet|centur|book|black|bodoni|clarendon|cooper|univers|souther|"
    r"linus|aristote|gothic|present|revue|vogue|shelley|commercial|monotype|lucida|teknical|free|"
    r"exotic|mystical|park|stamper|symbol|bahamas|tifani)"
)


def font_encoding(font_name: str | None) -> str | None:
    """Return "tcvn3", "tcvn3-upper" (".Vn...H" fonts) or "vni" for a legacy font name, None otherwise."""
    if not font_name:
        return None
    name = " ".join(str(font_name).split()).lower()
    if re.match(r"vni[-_ ]", name):
        return "vni"
    if name.startswith(".vn") or _ABC_NO_DOT.match(name):
        return "tcvn3-upper" if name.endswith("h") else "tcvn3"
    return None


# ---------------------------------------------------------------------------------------------------- guessing
_CP1252_CHARS = frozenset(bytes(range(256)).decode("cp1252", errors="ignore")) | frozenset(map(chr, range(0x80, 0xA0)))
_CP1252_HIGH = frozenset(ch for ch in _CP1252_CHARS if ord(ch) >= 0x80)  # what a legacy code can look like
# Vietnamese letters a cp1252 reading of legacy bytes can never produce (ă đ ơ ư and everything toned beyond Latin-1).
_UNICODE_ONLY = frozenset(ch for ch in VIETNAMESE_LETTERS if ch not in _CP1252_CHARS)
_COMBINING_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
_NEUTRAL = frozenset("\u00a0°×÷€₫№") | frozenset(map(chr, range(0x2000, 0x2070)))
_VOWELS = frozenset("aeiouy") | frozenset(_BASES)
_INITIALS = ("", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh", "p",
             "ph", "qu", "r", "s", "t", "th", "tr", "v", "x")
_FINALS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t")
_OPEN_NUCLEI = frozenset(  # end in a glide: never followed by a final consonant
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ui ưi ưu ưa ua uơ "
    "iêu yêu oai oao oay oeo uây uôi uya uyu ươi ươu".split())
_CLOSED_NUCLEI = frozenset("ă â iê yê uô ươ uyê oă uâ".split())  # need a final consonant
_FREE_NUCLEI = frozenset("a e ê i o ô ơ u ư y oa oe uê uy".split())
_LONE_Y_INITIALS = frozenset(("", "h", "k", "l", "m", "n", "qu", "s", "t", "v"))


def _tone_places(nuc: str, fin: str) -> tuple[int, ...]:
    """Where in the nucleus the tone mark may sit (old and new placement rules both accepted)."""
    if len(nuc) == 1:
        return (0,)
    if len(nuc) == 3:
        return (2,) if nuc == "uyê" else (1,)
    if nuc in ("oa", "oe", "uy", "uê"):
        return (1,) if fin else (0, 1)
    if nuc in _OPEN_NUCLEI and nuc != "uơ":
        return (0,)
    return (1,)


def _nucleus_ok(ini: str, nuc: str, fin: str, tone: int, place: int) -> bool:
    if nuc in _OPEN_NUCLEI:
        if fin:
            return False
    elif nuc in _CLOSED_NUCLEI:
        if not fin:
            return False
    elif nuc not in _FREE_NUCLEI:
        return False
    if fin in ("c", "ch", "p", "t") and tone not in (1, 5):
        return False  # stop finals take only sắc or nặng
    if fin in ("ch", "nh") and nuc not in ("a", "ê", "i", "y", "uy", "oa", "uê"):
        return False
    if fin in ("c", "ng") and nuc in ("i", "ê", "ơ", "y", "uy", "uê"):
        return False  # no "ing", "êc", "ơng": those rhymes are spelled "inh", "êch", or do not exist
    front = nuc[0] in "ieêy"
    if ini in ("k", "gh", "ngh") and not (front and (nuc[0] != "y" or ini == "k")):
        return False
    if ini in ("c", "ng") and front:
        return False
    if ini == "g" and nuc[0] in "eê":
        return False
    if nuc == "y" and (ini not in _LONE_Y_INITIALS or (fin and ini != "qu")):
        return False
    return not tone or place - len(ini) in _tone_places(nuc, fin)


def _is_syllable(plain: str, tone: int, place: int) -> bool:
    """Whether a lowercase toneless spelling with `tone` on letter `place` is a possible Vietnamese syllable."""
    for ini in _INITIALS:
        if not plain.startswith(ini):
            continue
        rest = plain[len(ini):]
        for fin in _FINALS:
            if not rest.endswith(fin) or len(rest) <= len(fin):
                continue
            if _nucleus_ok(ini, rest[:len(rest) - len(fin)], fin, tone, place):
                return True
    return False


_WORD = re.compile(r"[^\W\d_]+")
_LATIN1_LETTERS = frozenset(map(chr, range(0xC0, 0x100))) - {"×", "÷"}  # where VNI's codes all live


def _has_unicode_vietnamese(text: str) -> bool:
    return any(ch in _UNICODE_ONLY or ch in _COMBINING_TONES for ch in text)


def _syllable_kind(token: str) -> str:
    """'valid' / 'invalid' Vietnamese syllable, or 'neutral' for a vowel-less abbreviation ("ĐVT")."""
    plain, tones = [], []
    for ch in token.lower():
        if ch in _SPLIT:
            base, tone = _SPLIT[ch]
            if tone:
                tones.append((tone, len(plain)))
            plain.append(base)
        elif ch == "đ" or ("a" <= ch <= "z"):
            plain.append(ch)
        else:
            return "invalid"
    if not any(ch in _VOWELS for ch in plain):
        return "neutral"
    if len(tones) > 1:
        return "invalid"
    tone, place = tones[0] if tones else (0, -1)
    return "valid" if _is_syllable("".join(plain), tone, place) else "invalid"


def _judge(text: str, odd: frozenset[str] = _CP1252_HIGH, camel: bool = False) -> tuple[int, int, int]:
    """(valid, invalid, stray): non-ASCII words that are / are not Vietnamese syllables, odd characters left."""
    valid = invalid = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        # "thÓ": in text as read, a capital after a small letter is a legacy code showing through
        odd_case = camel and any(a.islower() and b.isupper() for a, b in zip(word, word[1:]))
        kind = "invalid" if odd_case else _syllable_kind(word)
        valid += kind == "valid"
        invalid += kind == "invalid"
    stray = sum(1 for ch in text if ch in odd and ch not in VIETNAMESE_LETTERS and ch not in _NEUTRAL)
    return valid, invalid, stray


def guess_encoding(text: str) -> str | None:
    """Guess "tcvn3" or "vni" from the characters alone; None for ASCII, Unicode or undecidable text."""
    if not isinstance(text, str) or text.isascii() or _has_unicode_vietnamese(text):
        return None
    text = unicodedata.normalize("NFC", text)
    valid0, invalid0, stray0 = _judge(text, camel=True)
    if not invalid0 and not stray0:
        return None  # already reads as Unicode (e.g. "Có = 1; Không = 0"): leave it alone
    scores: dict[str, int] = {}
    for encoding, convert in (("tcvn3", tcvn3_to_unicode), ("vni", vni_to_unicode)):
        decoded = convert(text)
        if decoded == text:
            continue
        if encoding == "vni":  # VNI leaves punctuation such as "·" alone; an unattached modifier rules VNI out
            valid, invalid, stray = _judge(decoded, _LATIN1_LETTERS, camel=True)
            stray += sum(1 for ch in _VNI_PATTERN.sub("", text) if ch in _VNI_MODIFIERS)
        else:
            valid, invalid, stray = _judge(decoded)
        if stray or invalid * 4 > valid or (valid == 0 and not stray0):
            continue
        if valid <= valid0 and invalid >= invalid0 and stray0 == 0:
            continue
        scores[encoding] = valid - 2 * invalid
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def to_unicode(text: str, encoding: str | None) -> str:
    """Convert `text` from "tcvn3", "tcvn3-upper", "vni" or None (as is) to Unicode NFC."""
    if encoding is None or _has_unicode_vietnamese(text):
        return unicodedata.normalize("NFC", text)  # text that is already Unicode Vietnamese is not legacy
    if encoding == "tcvn3":
        return tcvn3_to_unicode(text)
    if encoding == "tcvn3-upper":
        return tcvn3_to_unicode(text, uppercase_font=True)
    if encoding == "vni":
        return vni_to_unicode(text)
    raise ValueError(f"unknown legacy encoding: {encoding!r}")


# ---------------------------------------------------------------------------------------------------- workbooks
_FONT_NAME = re.compile(rb"<(?:\w+:)?(?:name|rFont)\s+val\s*=\s*[\"']([^\"']*)[\"']")


def workbook_legacy_fonts(path) -> bool:
    """Tell whether an .xlsx/.xlsm's xl/styles.xml names a .Vn*/VNI-* font (cheap zip read; .xls → False)."""
    from pipeline.read import package  # in a parse: the package opened once for every check (pipeline.read.package)

    path = Path(path)
    if path.suffix.lower() == ".xls":
        return False
    try:
        with package.zip_of(path) as zf:
            names = zf.namelist()
            member = "xl/styles.xml" if "xl/styles.xml" in names else next(
                (n for n in names if n.lower().endswith("styles.xml")), None)
            if member is None:
                return False
            data = package.read(zf, member)
    except (OSError, zipfile.BadZipFile, KeyError):
        return False
    for raw in _FONT_NAME.findall(data):
        if font_encoding(raw.decode("utf-8", errors="replace")):
            return True
    return False


def cell_encodings(path) -> dict[tuple[str, int, int], str]:
    """Map (sheet title, row0, col0) → legacy encoding for every non-blank string cell in a .Vn*/VNI-* font."""
    if not workbook_legacy_fonts(path):
        return {}
    import openpyxl  # only the rare legacy workbook pays for the full parse

    wb = openpyxl.load_workbook(Path(path), read_only=False, data_only=True)
    try:
        found: dict[tuple[str, int, int], str] = {}
        cache: dict[str | None, str | None] = {}
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    value = cell.value
                    if not isinstance(value, str) or not value.strip():
                        continue
                    name = cell.font.name if cell.font is not None else None
                    if name not in cache:
                        cache[name] = font_encoding(name)
                    if cache[name]:
                        found[(ws.title, cell.row - 1, cell.column - 1)] = cache[name]
        return found
    finally:
        wb.close()


_SUSPECT = re.compile("[®§©ª«¬\u00ad¸¹µ¶·»¼½¾¿ÆÇÑÖ×ØÞßæçñö÷øþÿ¦¤¥¢£¡ÐÏÎÍÌË]")


def looks_legacy(text: str) -> bool:
    """Cheap pre-check: does a text hold characters that TCVN3/VNI produce but Unicode Vietnamese never uses?"""
    return _SUSPECT.search(text) is not None


_LATIN1_VIETNAMESE = frozenset(ch for ch in VIETNAMESE_LETTERS if ch in _CP1252_CHARS and not ch.isascii())
# Latin-1 Vietnamese letters that a legacy encoding never stores ("à" is no TCVN3 code): text holding one is Unicode.
_NOT_LEGACY = {
    "tcvn3": frozenset(ch for ch in _LATIN1_VIETNAMESE if ord(ch) not in _TCVN3_DECODE),
    "vni": frozenset(ch for ch in _LATIN1_VIETNAMESE if ch not in set("".join(_VNI_DECODE))
                     and _VNI_ENCODE.get(ch, ch) != ch),
}
_NOT_LEGACY["tcvn3-upper"] = _NOT_LEGACY["tcvn3"]


def text_evidence(text: str, encoding: str | None = None) -> str | None:
    """What a cell's characters say: "legacy" (TCVN3/VNI bytes), "unicode" (letters no legacy byte reads as), or None.

    None covers ASCII and text that reads the same as Unicode Vietnamese ("Có" could be the TCVN3 bytes of "Cú"),
    where only the rest of the sheet can tell. `encoding` (the cell font's) adds the letters that encoding never
    stores ("Xã Hà Thanh" is not TCVN3: "à" is no TCVN3 code).
    """
    if not isinstance(text, str) or text.isascii():
        return None
    if _has_unicode_vietnamese(text):
        return "unicode"
    if encoding in _NOT_LEGACY and not _NOT_LEGACY[encoding].isdisjoint(text):
        return "unicode"
    return "legacy" if guess_encoding(text) else None


def confirm_encodings(encodings: dict[tuple[str, int, int], str], texts: dict[tuple[str, int, int], str]
                      ) -> dict[tuple[str, int, int], str]:
    """Keep the font-given encodings of the cells whose text really is legacy-encoded, whatever the font says.

    A cell whose characters show TCVN3/VNI is converted; one typed in Unicode (a .VnTime template filled in with
    Unikey in Unicode mode) is not; a cell whose characters cannot tell (ASCII, "Có") follows the cells of its
    sheet in legacy fonts that can (more legacy than Unicode: converted), else those of the whole workbook.
    """
    evidence: dict[tuple[str, int, int], str | None] = {}
    votes: dict[str | None, list[int]] = {None: [0, 0]}
    for key in encodings:
        ev = evidence[key] = text_evidence(texts.get(key, ""), encodings[key])
        if ev is not None:
            i = 0 if ev == "legacy" else 1
            votes.setdefault(key[0], [0, 0])[i] += 1
            votes[None][i] += 1

    def leans_legacy(sheet: str) -> bool:
        legacy_n, unicode_n = votes.get(sheet) or votes[None]
        if legacy_n == unicode_n == 0:
            legacy_n, unicode_n = votes[None]
        return legacy_n > unicode_n

    leaning = {sheet: leans_legacy(sheet) for sheet in {k[0] for k in encodings}}
    return {key: enc for key, enc in encodings.items()
            if evidence[key] == "legacy" or (evidence[key] is None and leaning[key[0]])}


def xls_cell_encodings(path) -> dict[tuple[str, int, int], str]:
    """Map (sheet name, row0, col0) → legacy encoding for string cells of an .xls in a .Vn*/VNI-* font (xlrd)."""
    import xlrd  # only legacy .xls workbooks pay for the formatting parse

    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    try:
        fonts = [font_encoding(f.name) for f in book.font_list]
        found: dict[tuple[str, int, int], str] = {}
        for sh in book.sheets():
            for r in range(sh.nrows):
                for c in range(sh.ncols):
                    if sh.cell_type(r, c) != xlrd.XL_CELL_TEXT:
                        continue
                    enc = fonts[book.xf_list[sh.cell_xf_index(r, c)].font_index]
                    if enc:
                        found[(sh.name, r, c)] = enc
        return found
    finally:
        book.release_resources()
