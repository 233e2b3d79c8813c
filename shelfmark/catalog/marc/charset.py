"""Tell GB18030/GBK Chinese bytes from MARC-8 when a record does not say its character set."""

from __future__ import annotations

# Share of non-ASCII characters that must be common (GB2312) Chinese for bytes to count as GB18030 text.
_GB2312_SHARE = 0.8


def looks_like_gb18030(data: bytes) -> bool:
    """Guess whether bytes that are not UTF-8 are GB18030 Chinese text rather than MARC-8.

    Real Chinese text decodes as GB18030 and is mostly GB2312 characters (both bytes >= 0xA1). MARC-8
    puts a diacritic byte before an ASCII letter, which GB18030 may decode too, but as rare characters.
    """
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return False
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common >= _GB2312_SHARE * len(wide)
